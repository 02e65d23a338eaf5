namespace Encimap.Imap.Protocol;

// Changes of the selected mailbox reported by the backend (IUpdateSink), sent when RFC 3501 §7.4.1 allows.
public sealed partial class ImapServerSession
{
    // Updates held back while expunges may not be sent (during FETCH, STORE and SEARCH by sequence
    // number, RFC 3501 §7.4.1), in the order they came: once an expunge waits, what follows it
    // waits too, so that the session is never told of a later change (a later MODSEQ) before an
    // earlier expunge.
    private readonly List<Action> _held = [];
    private bool _allowExpunges = true;

    private async Task PollAsync(bool force, CancellationToken ct, bool allowExpunges = true)
    {
        if (_view is null)
        {
            return;
        }

        _allowExpunges = allowExpunges;
        try
        {
            if (allowExpunges)
            {
                ReleaseHeld();
            }

            await _backend.PollAsync(this, force, ct).ConfigureAwait(false);
        }
        finally
        {
            _allowExpunges = true;
        }
    }

    private void ReleaseHeld()
    {
        var held = _held.ToList();
        _held.Clear();
        foreach (var update in held)
        {
            update();
        }
    }

    /// <summary>Sends <paramref name="update"/> now, or holds it behind an expunge that may not be sent yet.</summary>
    private void Deliver(Action update, bool isExpunge = false)
    {
        if (_view is null)
        {
            return;
        }

        if (!_allowExpunges && (isExpunge || _held.Count > 0))
        {
            _held.Add(update);
            return;
        }

        ReleaseHeld();
        update();
    }

    void IUpdateSink.Exists(IReadOnlyList<uint> newUids, IReadOnlyCollection<uint> recent)
    {
        if (newUids.Count > 0)
        {
            Deliver(() => WriteExists(newUids, recent));
        }
    }

    private void WriteExists(IReadOnlyList<uint> newUids, IReadOnlyCollection<uint> recent)
    {
        var before = _view!.Count;
        var count = _view.Append(newUids);
        if (count != before)
        {
            _writer.Raw("* ").Number((long)count).Raw(" EXISTS\r\n"u8);
            if (!_rev2)
            {
                // RECENT goes with every change of the mailbox's size (RFC 3501 §7.3.2).
                _view.MarkRecent(recent);
                _writer.Raw("* ").Number((long)_view.RecentCount).Raw(" RECENT\r\n"u8);
            }
        }
    }

    void IUpdateSink.Expunged(IReadOnlyList<uint> uids) => Expunged(uids);

    /// <summary>Expunges, of other sessions or this one's: sent now if allowed, else held until a command allows them.</summary>
    private void Expunged(IReadOnlyList<uint> uids)
    {
        if (uids.Count > 0)
        {
            Deliver(() => WriteExpunges(uids), isExpunge: true);
        }
    }

    private void WriteExpunges(IReadOnlyList<uint> uids)
    {
        if (_qresync)
        {
            // VANISHED instead of EXPUNGE once QRESYNC is enabled (RFC 7162 §3.2.10).
            var known = uids.Order().Where(uid => _view!.Remove(uid) > 0).ToList();
            if (known.Count > 0)
            {
                _writer.Raw("* VANISHED ").Raw(SequenceSet.Compress(known)).Crlf();
            }

            return;
        }

        foreach (var uid in uids.Order())
        {
            var sequence = _view!.Remove(uid);
            if (sequence > 0)
            {
                _writer.Raw("* ").Number((long)sequence).Raw(" EXPUNGE\r\n"u8);
            }
        }
    }

    void IUpdateSink.FlagsChanged(FlagUpdate update) => Deliver(() =>
    {
        var items = new List<FetchItem> { FetchItem.Uid, FetchItem.Flags };
        if (_view!.CondStore)
        {
            items.Add(FetchItem.ModSeq);
        }

        new FetchWriter(_writer, null, _view, items).Write(new FetchedMessage { Uid = update.Uid, Flags = update.Flags, ModSeq = update.ModSeq }, items);
    });

    void IUpdateSink.HighestModSeqReached(ulong highestModSeq) => Deliver(() => _view!.HighestModSeq = Math.Max(_view.HighestModSeq, highestModSeq));

    /// <summary>
    /// Flushes with the connection's token, not the caller's: IDLE's updates are flushed by a loop
    /// that DONE cancels, and a write cut short by DONE could leave part of a TLS record behind or
    /// keep the next response (the tagged OK) from being sent.
    /// </summary>
    async ValueTask IUpdateSink.FlushAsync(CancellationToken cancellationToken) => await FlushAsync(_connectionClosing).ConfigureAwait(false);
}
