namespace Encimap.Imap.Protocol;

/// <summary>
/// Where a backend reports what changed in the selected mailbox since this session last looked
/// (new messages, expunges, flag changes). The protocol side turns them into EXISTS, EXPUNGE and
/// FETCH responses at the moments RFC 3501 allows.
/// </summary>
public interface IUpdateSink
{
    void Exists(IReadOnlyList<uint> newUids);

    void Expunged(uint uid);

    void FlagsChanged(FlagUpdate update);

    /// <summary>Sends what was written (IDLE).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}
