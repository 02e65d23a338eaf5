namespace Encimap.Imap.Protocol;

// Changes of the selected mailbox reported by the backend (IUpdateSink), sent when RFC 3501 §7.4.1 allows.
public sealed partial class ImapServerSession
{
    private async Task PollAsync(bool force, CancellationToken ct, bool allowExpunges = true)
    {
        if (_view is null)
        {
            return;
        }

        _allowExpunges = allowExpunges;
        if (allowExpunges && _pendingExpunges.Count > 0)
        {
            foreach (var uid in _pendingExpunges.ToList())
            {
                WriteExpunge(uid);
            }

            _pendingExpunges.Clear();
        }

        await _backend.PollAsync(this, force, ct).ConfigureAwait(false);
        _allowExpunges = true;
    }

    void IUpdateSink.Exists(IReadOnlyList<uint> newUids, IReadOnlyCollection<uint> recent)
    {
        if (_view is null || newUids.Count == 0)
        {
            return;
        }

        var before = _view.Count;
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

    /// <summary>An expunge: sent now if allowed, else held until the next command that allows it.</summary>
    public void Expunged(uint uid)
    {
        if (_view is null)
        {
            return;
        }

        if (_allowExpunges)
        {
            WriteExpunge(uid);
        }
        else if (!_pendingExpunges.Contains(uid))
        {
            _pendingExpunges.Add(uid);
        }
    }

    private void WriteExpunge(uint uid)
    {
        var sequence = _view!.Remove(uid);
        if (sequence > 0)
        {
            _writer.Raw("* ").Number((long)sequence).Raw(" EXPUNGE\r\n"u8);
        }
    }

    void IUpdateSink.FlagsChanged(FlagUpdate update)
    {
        if (_view is null || _pendingExpunges.Contains(update.Uid))
        {
            return;
        }

        var items = new List<FetchItem> { FetchItem.Uid, FetchItem.Flags };
        if (_view.CondStore)
        {
            items.Add(FetchItem.ModSeq);
        }

        new FetchWriter(_writer, null, _view, items).Write(new FetchedMessage { Uid = update.Uid, Flags = update.Flags, ModSeq = update.ModSeq }, items);
    }

    /// <summary>
    /// Flushes with the connection's token, not the caller's: IDLE's updates are flushed by a loop
    /// that DONE cancels, and a write cut short by DONE could leave part of a TLS record behind or
    /// keep the next response (the tagged OK) from being sent.
    /// </summary>
    async ValueTask IUpdateSink.FlushAsync(CancellationToken cancellationToken) => await FlushAsync(_connectionClosing).ConfigureAwait(false);
}
