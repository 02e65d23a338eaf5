namespace Encimap.Imap.Protocol;

// SEARCH and its ESEARCH answers (RFC 4731).
public sealed partial class ImapServerSession
{
    private async Task<bool> SearchAsync(ImapCommand c, SearchArguments arguments, CancellationToken ct)
    {
        if (arguments.Charset is { } charset && charset is not ("UTF-8" or "US-ASCII"))
        {
            Tagged(c.Tag, ImapStatus.No, "Unsupported charset", "BADCHARSET (UTF-8 US-ASCII)");
            return false;
        }

        var criteria = ResolveSearch(arguments.Criteria);
        var usesModSeq = SearchEvaluator.UsesModSeq(criteria);
        if (usesModSeq)
        {
            await EnableCondStoreAsync(c, ct).ConfigureAwait(false);
        }

        var matches = await _backend.SearchAsync(criteria, ct).ConfigureAwait(false);
        var known = matches.Where(m => _view!.SequenceOf(m.Uid) > 0).OrderBy(m => m.Uid).ToList();
        var numbers = known.Select(m => c.Uid ? m.Uid : _view!.SequenceOf(m.Uid)).ToList();
        _span?.Messages(numbers.Count);
        var highest = known.Count > 0 ? known.Max(m => m.ModSeq) : 0UL;
        var returns = arguments.Return ?? (_rev2 ? SearchReturn.All : (SearchReturn?)null);
        if (returns is null)
        {
            _writer.Raw("* SEARCH"u8);
            foreach (var n in numbers)
            {
                _writer.Space().Number((long)n);
            }

            if (usesModSeq && numbers.Count > 0)
            {
                _writer.Raw(" (MODSEQ ").Number(highest).Byte(')');
            }

            _writer.Crlf();
        }
        else
        {
            var value = returns.Value == SearchReturn.Save ? SearchReturn.Save : returns.Value;
            _writer.Raw("* ESEARCH (TAG ").String(c.Tag).Byte(')');
            if (c.Uid)
            {
                _writer.Raw(" UID"u8);
            }

            if (numbers.Count > 0)
            {
                if ((value & SearchReturn.Min) != 0)
                {
                    _writer.Raw(" MIN ").Number((long)numbers.Min());
                }

                if ((value & SearchReturn.Max) != 0)
                {
                    _writer.Raw(" MAX ").Number((long)numbers.Max());
                }

                if ((value & SearchReturn.All) != 0)
                {
                    _writer.Raw(" ALL ").Raw(SequenceSet.Compress(numbers));
                }
            }

            if ((value & SearchReturn.Count) != 0)
            {
                _writer.Raw(" COUNT ").Number((long)numbers.Count);
            }

            if (usesModSeq && numbers.Count > 0)
            {
                _writer.Raw(" MODSEQ ").Number(highest);
            }

            _writer.Crlf();
        }

        return await OkAsync(c, "SEARCH completed", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces message-number sets by the UID ranges they designate for this session. Numbers
    /// beyond the mailbox (and "*" of an empty one) match nothing: SEARCH asks, it does not act
    /// on those messages, and answers as Dovecot does rather than BAD.
    /// </summary>
    private SearchKey ResolveSearch(SearchKey key) => key switch
    {
        SearchSet s => UidSet(_view!.Resolve(s.Set, s.Uid, clipToMailbox: true)!),
        // \Recent belongs to this session, not to the store: RECENT, NEW and OLD become UID sets.
        SearchFlag { Flag: Flags.Recent } f when f.Set => UidSet(_view!.RecentUids.Select(u => new UidRange(u, u))),
        SearchFlag { Flag: Flags.Recent } => new SearchNot(UidSet(_view!.RecentUids.Select(u => new UidRange(u, u)))),
        SearchNot n => new SearchNot(ResolveSearch(n.Key)),
        SearchOr o => new SearchOr(ResolveSearch(o.Left), ResolveSearch(o.Right)),
        SearchAnd a => new SearchAnd(new EquatableList<SearchKey>(a.Keys.Select(ResolveSearch))),
        _ => key,
    };

    private static SearchSet UidSet(IEnumerable<UidRange> ranges) =>
        new(new SequenceSet(ranges.Select(r => new SequenceRange(r.First, r.Last)).ToArray()), Uid: true);
}
