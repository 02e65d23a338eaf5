using System.Diagnostics;

namespace Encimap.Intake.Delivery;

/// <summary>
/// One delivery waiting for its commit: the prepared copies and what the transaction needs to
/// store them, and the completion its caller awaits. Completed exactly once: with the committed
/// results, or with the exception that says why nothing of it was stored. It owns its copies'
/// spooled EnvelopedData and releases it once completed (the caller may have stopped waiting
/// before the commit it belongs to ends).
/// </summary>
public sealed class StoreRequest(
    IReadOnlyList<PreparedCopy> copies,
    string mailbox,
    byte[] dedupKey,
    TimeSpan duplicateWindow,
    int originalSize,
    int unknownRecipients,
    long startTimestamp,
    AppendOptions? append,
    IReadOnlyDictionary<Guid, string[]>? routeAddresses = null)
{
    private readonly TaskCompletionSource<IReadOnlyList<CopyResult>> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<PreparedCopy> Copies { get; } = copies;

    public string Mailbox { get; } = mailbox;

    public byte[] DedupKey { get; } = dedupKey;

    public TimeSpan DuplicateWindow { get; } = duplicateWindow;

    public int OriginalSize { get; } = originalSize;

    public int UnknownRecipients { get; } = unknownRecipients;

    public long StartTimestamp { get; } = startTimestamp;

    /// <summary>IMAP APPEND semantics (flags, date, no de-duplication); null for a delivery.</summary>
    public AppendOptions? Append { get; } = append;

    /// <summary>
    /// The addresses through which the message reached <paramref name="vaultboxId"/>, which the
    /// commit checks still route there with the settings the copy was encrypted for; null when
    /// the vaultbox was addressed by id (nothing to check).
    /// </summary>
    public string[]? RouteAddresses(Guid vaultboxId) => routeAddresses?.GetValueOrDefault(vaultboxId);

    /// <summary>Bytes of encrypted content this request adds to a transaction.</summary>
    public long ContentBytes => Copies.Sum(c => (long)c.Stored.ServedLength);

    /// <summary>The vaultbox whose group-commit partition serializes this request (the lowest id, as locks are taken in id order).</summary>
    public Guid FirstVaultboxId => Copies.Min(c => c.Route.VaultboxId);

    /// <summary>The delivery's span, so that the shared commit's span can point back to it.</summary>
    public ActivityContext TraceContext { get; } = Activity.Current?.Context ?? default;

    public Task<IReadOnlyList<CopyResult>> Completion => _completion.Task;

    public void Succeed(IReadOnlyList<CopyResult> results)
    {
        ReleaseCopies();
        _completion.TrySetResult(results);
    }

    public void Fail(Exception exception)
    {
        ReleaseCopies();
        _completion.TrySetException(exception);
    }

    private void ReleaseCopies()
    {
        foreach (var copy in Copies)
        {
            copy.Stored.Dispose();
        }
    }
}
