using Encimap.Imap.Protocol;
using Npgsql;

namespace Encimap.Imap;

// What changed in the selected mailbox since this session last looked.
public sealed partial class PostgresImapSession
{
    // A look taken in the round trip of the command that is running (PollIfDue), applied when the
    // protocol side polls before the command's tagged answer: the command then costs one round
    // trip, not two.
    private PollSnapshot? _pending;

    // The highest mod-sequence of this session's own changes that directly followed what it knew
    // (OwnChangeTook); 0 when none.
    private long _ownModSeq;

    public async Task PollAsync(IUpdateSink updates, bool force, CancellationToken cancellationToken)
    {
        var pending = _pending;
        _pending = null;
        if (_mailboxId == 0)
        {
            return;
        }

        // Taken after the command's own statements, and nothing applied since: as good as a new
        // look. A forced poll (NOOP, IDLE, SELECT) looks now.
        if (!force && pending is not null && pending.MailboxId == _mailboxId && pending.Since == _lastModSeq)
        {
            await ApplyAsync(updates, pending, cancellationToken);
            return;
        }

        var version = notifier.Version(_mailboxId);
        if (!force && !MayHaveChanged(version))
        {
            return;
        }

        var snapshot = new PollSnapshot(_mailboxId, _lastModSeq, version);
        await using (var batch = database.CreateBatch())
        {
            batch.BatchCommands.Add(snapshot.Statement());
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await snapshot.ReadAsync(reader, cancellationToken);
        }

        await ApplyAsync(updates, snapshot, cancellationToken);
    }

    /// <summary>
    /// Adds a look at the selected mailbox as the last statement of <paramref name="batch"/> when
    /// the notifier says something may have changed since the last one; the caller reads it
    /// (<see cref="PollSnapshot.ReadAsync"/>) after its own results and keeps it with
    /// <see cref="KeepPoll"/> once the batch has succeeded.
    /// </summary>
    private PollSnapshot? PollIfDue(NpgsqlBatch batch)
    {
        if (_mailboxId == 0)
        {
            return null;
        }

        var version = notifier.Version(_mailboxId);
        if (!MayHaveChanged(version))
        {
            return null;
        }

        var snapshot = new PollSnapshot(_mailboxId, _lastModSeq, version);
        batch.BatchCommands.Add(snapshot.Statement());
        return snapshot;
    }

    /// <summary>
    /// Whether the selected mailbox may hold a change this session does not know: a notification
    /// without a mod-sequence since the last look (or none flowing), or one of a mod-sequence
    /// above every change the session knows.
    /// </summary>
    private bool MayHaveChanged(long version) =>
        version < 0 || version != _lastVersion || notifier.NotifiedModSeq(_mailboxId) > Math.Max(_lastModSeq, _ownModSeq);

    /// <summary>
    /// A change of this session's own took <paramref name="modseq"/>. Every change of a mailbox
    /// takes the next mod-sequence, so when it is the one after all the session knows, nothing
    /// came in between, and its notification asks for no look (with one client, a second round
    /// trip after every STORE or EXPUNGE). The next look still reports it as the session's own.
    /// </summary>
    private void OwnChangeTook(long modseq)
    {
        if (modseq == Math.Max(_lastModSeq, _ownModSeq) + 1)
        {
            _ownModSeq = modseq;
        }
    }

    /// <summary>Reads the look that <see cref="PollIfDue"/> added, if it did; the reader is on the result before it.</summary>
    private static async Task ReadPollAsync(NpgsqlDataReader reader, PollSnapshot? poll, CancellationToken cancellationToken)
    {
        if (poll is not null)
        {
            await reader.NextResultAsync(cancellationToken);
            await poll.ReadAsync(reader, cancellationToken);
        }
    }

    /// <summary>Keeps a look read in a command's batch for the next poll (a batch that failed keeps none).</summary>
    private void KeepPoll(PollSnapshot? snapshot)
    {
        if (snapshot is not null)
        {
            _pending = snapshot;
        }
    }

    private async Task ApplyAsync(IUpdateSink updates, PollSnapshot snapshot, CancellationToken cancellationToken)
    {
        if (snapshot.Highest < 0)
        {
            // The mailbox was deleted or renamed away under us: everything is gone.
            updates.Expunged([.. _known]);
            _known.Clear();
            _lastVersion = snapshot.Version;
            return;
        }

        if (snapshot.Highest == _lastModSeq)
        {
            _lastVersion = snapshot.Version;
            return;
        }

        // Sorted against what the session knows now, not when the look was taken: a command of
        // its own (an EXPUNGE, a MOVE away) may have changed that in between, and reported it.
        // A message is new to this session when it is not among the UIDs it knows: UIDs are never
        // reused, and one added after the last look carries a mod-sequence above it.
        var changed = new List<FlagUpdate>();
        var added = new List<uint>();
        var expunged = new List<uint>();
        foreach (var (isExpunged, uid, modseq, flags) in snapshot.Rows)
        {
            if (isExpunged)
            {
                if (_known.Contains(uid))
                {
                    expunged.Add(uid);
                }
            }
            else if (!_known.Contains(uid))
            {
                added.Add(uid);
            }
            else if (!(_own.TryGetValue(uid, out var own) && own == modseq))
            {
                changed.Add(new FlagUpdate(uid, flags!, (ulong)modseq));
            }
        }

        // Everything that may fail first: the session's state changes only when all of it is known.
        // Another session already took them as \Recent (recent_uid only grows): no claim, no lock.
        recentClaims.Reached(snapshot.MailboxId, snapshot.RecentUpTo);
        var recent = added.Count == 0 || added[^1] <= snapshot.RecentUpTo ? [] : await RecentAmongAsync(added, cancellationToken);

        _lastVersion = snapshot.Version;
        _known.ExceptWith(expunged);
        updates.Expunged(expunged);
        foreach (var update in changed)
        {
            updates.FlagsChanged(update);
        }

        _known.UnionWith(added);
        updates.Exists(added, recent);
        updates.HighestModSeqReached((ulong)snapshot.Highest);
        _lastModSeq = snapshot.Highest;
        foreach (var stale in _own.Where(o => o.Value <= snapshot.Highest).Select(o => o.Key).ToList())
        {
            _own.Remove(stale);
        }
    }
}
