namespace Encimap.Imap.Protocol;

// STATUS, SELECT/EXAMINE, CLOSE and UNSELECT, and what commands of the selected state share.
public sealed partial class ImapServerSession
{
    private async Task<bool> StatusAsync(ImapCommand c, StatusArguments arguments, CancellationToken ct)
    {
        var name = MailboxName(arguments.Mailbox);
        var status = await _backend.StatusAsync(name, ct).ConfigureAwait(false);
        await EnableCondStoreForAsync(c, arguments.Items, ct).ConfigureAwait(false);
        WriteStatus(name, arguments.Items, status);
        return await OkAsync(c, "STATUS completed", ct).ConfigureAwait(false);
    }

    private void WriteStatus(string name, IReadOnlyList<string> items, MailboxStatus status)
    {
        _writer.Raw("* STATUS ").AString(WireName(name)).Raw(" ("u8);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                _writer.Space();
            }

            _writer.Raw(items[i]).Space();
            switch (items[i])
            {
                case "MESSAGES": _writer.Number((long)status.Messages); break;
                case "RECENT": _writer.Number((long)status.Recent); break;
                case "UIDNEXT": _writer.Number((long)status.UidNext); break;
                case "UIDVALIDITY": _writer.Number((long)status.UidValidity); break;
                case "UNSEEN": _writer.Number((long)status.Unseen); break;
                case "HIGHESTMODSEQ": _writer.Number(status.HighestModSeq); break;
                case "SIZE": _writer.Number(status.Size); break;
                case "DELETED": _writer.Number((long)status.Deleted); break;
            }
        }

        _writer.Raw(")\r\n"u8);
    }

    private async Task<bool> SelectAsync(ImapCommand c, SelectArguments arguments, CancellationToken ct)
    {
        if (_view is not null)
        {
            await _backend.UnselectAsync(ct).ConfigureAwait(false);
            _view = null;
            _held.Clear();
            _writer.Raw("* OK [CLOSED] Previous mailbox closed\r\n"u8);
        }

        if (arguments.Qresync is not null && !_qresync)
        {
            throw new ImapException(ImapStatus.Bad, null, "QRESYNC is not enabled");
        }

        var readOnly = c.Name == "EXAMINE";
        var name = MailboxName(arguments.Mailbox);
        var data = await _backend.SelectAsync(name, readOnly, ct).ConfigureAwait(false);
        _view = new MailboxView(name, data.UidValidity, data.Uids, readOnly, data.Keywords)
        {
            CondStore = _condStore || arguments.CondStore || arguments.Qresync is not null,
            HighestModSeq = data.HighestModSeq,
        };
        if (!_rev2)
        {
            _view.MarkRecent(data.Recent);
        }

        if (arguments.CondStore || arguments.Qresync is not null)
        {
            _condStore = true;
        }

        MailboxFlagsResponse.Write(_writer, _view);
        _writer.Raw("* ").Number((long)_view.Count).Raw(" EXISTS\r\n"u8);
        _span?.Messages(_view.Count);
        if (!_rev2)
        {
            _writer.Raw("* ").Number((long)_view.RecentCount).Raw(" RECENT\r\n"u8);
        }

        if (data.FirstUnseenUid is { } unseen && _view.SequenceOf(unseen) is var seq && seq > 0 && !_rev2)
        {
            _writer.Raw("* OK [UNSEEN ").Number((long)seq).Raw("] First unseen\r\n"u8);
        }

        _writer.Raw("* OK [UIDVALIDITY ").Number((long)data.UidValidity).Raw("] UIDs valid\r\n"u8);
        _writer.Raw("* OK [UIDNEXT ").Number((long)data.UidNext).Raw("] Predicted next UID\r\n"u8);
        _writer.Raw("* OK [HIGHESTMODSEQ ").Number(data.HighestModSeq).Raw("] Highest\r\n"u8);
        if (_rev2)
        {
            _writer.Raw("* LIST () \"/\" ").AString(WireName(name)).Crlf();
        }

        if (arguments.Qresync is { } qresync && qresync.UidValidity == data.UidValidity)
        {
            await ResynchronizeAsync(qresync, ct).ConfigureAwait(false);
        }

        State = SessionState.Selected;
        Tagged(c.Tag, ImapStatus.Ok, $"{c.Name} completed", readOnly ? "READ-ONLY" : "READ-WRITE");
        return true;
    }

    /// <summary>
    /// SELECT with QRESYNC and the mailbox's UIDVALIDITY (RFC 7162 §3.2.5): what the client missed
    /// since its mod-sequence, of the UIDs it knows: the expunges as VANISHED (EARLIER), then the
    /// flag changes as FETCH. With another UIDVALIDITY it is a plain SELECT. The sequence match
    /// data is not needed: every expunge is remembered.
    /// </summary>
    private async Task ResynchronizeAsync(QresyncParameters qresync, CancellationToken ct)
    {
        var known = qresync.KnownUids is { } uids ? _view!.Resolve(uids, uid: true)! : [new UidRange(1, uint.MaxValue - 1)];
        await WriteVanishedEarlierAsync(known, qresync.ModSeq, ct).ConfigureAwait(false);
        var changes = new FetchWriter(_writer, _pipe, _view!, [FetchItem.Uid, FetchItem.Flags, FetchItem.ModSeq]);
        await _backend.FetchAsync(changes, known, new FetchOptions(qresync.ModSeq, SetSeen: false), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Under QRESYNC, the tagged OK of EXPUNGE and MOVE carries the HIGHESTMODSEQ the session has
    /// reached with them, so that the client need not ask again for the expunges it was just
    /// told of (as Dovecot answers).
    /// </summary>
    private async Task<string?> HighestModSeqAfterExpungeAsync(CancellationToken ct)
    {
        if (!_qresync)
        {
            return null;
        }

        await PollAsync(true, ct).ConfigureAwait(false);
        return $"HIGHESTMODSEQ {_view!.HighestModSeq}";
    }

    /// <summary>VANISHED (EARLIER): the UIDs of <paramref name="uids"/> expunged after <paramref name="modSeq"/>.</summary>
    private async Task WriteVanishedEarlierAsync(IReadOnlyList<UidRange> uids, ulong modSeq, CancellationToken ct)
    {
        var vanished = await ((IImapQresyncSession)_backend).VanishedAsync(uids, modSeq, ct).ConfigureAwait(false);
        if (vanished.Count > 0)
        {
            _writer.Raw("* VANISHED (EARLIER) ").Raw(SequenceSet.Compress(vanished.Order())).Crlf();
        }
    }

    private async Task<bool> CloseAsync(ImapCommand c, CancellationToken ct)
    {
        if (!_view!.ReadOnly)
        {
            // CLOSE expunges silently (RFC 3501 §6.4.2).
            await _backend.ExpungeAsync(null, ct).ConfigureAwait(false);
        }

        await _backend.UnselectAsync(ct).ConfigureAwait(false);
        Tagged(c.Tag, ImapStatus.Ok, "CLOSE completed");
        return true;
    }

    private async Task<bool> UnselectAsync(ImapCommand c, CancellationToken ct)
    {
        await _backend.UnselectAsync(ct).ConfigureAwait(false);
        Tagged(c.Tag, ImapStatus.Ok, "UNSELECT completed");
        return true;
    }

    /// <summary>
    /// A CONDSTORE-enabling command (RFC 7162 §3.1): MODSEQ in every untagged FETCH from now on,
    /// and, the first time with a mailbox selected, that mailbox's HIGHESTMODSEQ, brought up to
    /// date first (this session's own changes included).
    /// </summary>
    private async Task EnableCondStoreAsync(ImapCommand c, CancellationToken ct)
    {
        _condStore = true;
        if (_view is { CondStore: false } view)
        {
            view.CondStore = true;
            await PollAsync(true, ct, allowExpunges: ExpungesAllowedDuring(c)).ConfigureAwait(false);
            _writer.Raw("* OK [HIGHESTMODSEQ ").Number(view.HighestModSeq).Raw("] Highest\r\n"u8);
        }
    }

    /// <summary>STATUS (or LIST RETURN STATUS) asking for HIGHESTMODSEQ enables CONDSTORE.</summary>
    private async Task EnableCondStoreForAsync(ImapCommand c, IReadOnlyList<string>? statusItems, CancellationToken ct)
    {
        if (statusItems?.Contains("HIGHESTMODSEQ") == true)
        {
            await EnableCondStoreAsync(c, ct).ConfigureAwait(false);
        }
    }

    private void RequireWritable()
    {
        if (_view!.ReadOnly)
        {
            throw ImapException.No("Mailbox is read-only", "READ-ONLY");
        }
    }

    private IReadOnlyList<UidRange> Resolve(SequenceSet set, bool uid) =>
        _view!.Resolve(set, uid) ?? throw new ImapException(ImapStatus.Bad, null, "Invalid message sequence number");
}
