using System.Collections.Concurrent;

namespace Encimap.Imap;

/// <summary>
/// What this process knows of each mailbox's \Recent claims (<c>mailboxes.recent_uid</c>, the
/// highest UID some session took as \Recent; it only grows). When a new message reaches every
/// session of a mailbox, each would ask the database to take it, and those claims queue on the
/// mailbox's row behind its writers. Here the sessions of one process claim one at a time per
/// mailbox, and one that finds the message already taken by another session asks nothing: one
/// claim per new message, not one per session. Sessions of other instances still meet at the row.
/// </summary>
public sealed class RecentClaims
{
    private readonly ConcurrentDictionary<long, long> _takenUpTo = new();

    // Striped, so that the gates stay few however many mailboxes the process serves.
    private readonly SemaphoreSlim[] _gates = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>Whether a session is known to have taken <paramref name="uid"/> (and all below it) as \Recent.</summary>
    public bool Taken(long mailboxId, long uid) => _takenUpTo.TryGetValue(mailboxId, out var upTo) && upTo >= uid;

    /// <summary>Records that the database's mark for <paramref name="mailboxId"/> has reached <paramref name="upTo"/>.</summary>
    public void Reached(long mailboxId, long upTo) => _takenUpTo.AddOrUpdate(mailboxId, upTo, (_, known) => Math.Max(known, upTo));

    /// <summary>Waits for the mailbox's turn to claim; dispose the result to pass it on.</summary>
    public async Task<IDisposable> TurnAsync(long mailboxId, CancellationToken cancellationToken)
    {
        var gate = _gates[(int)((ulong)mailboxId % (ulong)_gates.Length)];
        await gate.WaitAsync(cancellationToken);
        return new Turn(gate);
    }

    private sealed class Turn(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
