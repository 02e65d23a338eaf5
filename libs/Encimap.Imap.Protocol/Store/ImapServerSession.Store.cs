namespace Encimap.Imap.Protocol;

// EXPUNGE and STORE.
public sealed partial class ImapServerSession
{
    private async Task<bool> ExpungeAsync(ImapCommand c, CancellationToken ct)
    {
        RequireWritable();
        IReadOnlyList<UidRange>? ranges = c.Arguments is ExpungeArguments e ? Resolve(e.UidSet, uid: true) : null;
        var expunged = await _backend.ExpungeAsync(ranges, ct).ConfigureAwait(false);
        _span?.Messages(expunged.Count);
        Expunged(expunged);
        return await OkAsync(c, "EXPUNGE completed", ct, await HighestModSeqAfterExpungeAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private async Task<bool> StoreAsync(ImapCommand c, StoreArguments arguments, CancellationToken ct)
    {
        RequireWritable();
        if (arguments.UnchangedSince is not null)
        {
            await EnableCondStoreAsync(c, ct).ConfigureAwait(false);
        }

        var ranges = Resolve(arguments.Set, c.Uid);
        var flags = arguments.Flags.Where(f => f != Flags.Recent).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var result = await _backend.StoreAsync(ranges, arguments.Mode, flags, arguments.UnchangedSince, ct).ConfigureAwait(false);
        _span?.Messages(result.Updated.Count);
        var writer = new FetchWriter(_writer, null, _view!, []);
        foreach (var update in result.Updated.OrderBy(u => u.Uid))
        {
            // .SILENT still reports MODSEQ under CONDSTORE (RFC 7162 §3.2).
            if (arguments.Silent && !_view!.CondStore)
            {
                continue;
            }

            // Under CONDSTORE with UID and MODSEQ, whichever STORE it was (RFC 7162 §3.1).
            var items = new List<FetchItem>();
            if (c.Uid || _view!.CondStore)
            {
                items.Add(FetchItem.Uid);
            }

            if (!arguments.Silent)
            {
                items.Add(FetchItem.Flags);
            }

            if (_view!.CondStore)
            {
                items.Add(FetchItem.ModSeq);
            }

            writer.Write(new FetchedMessage { Uid = update.Uid, Flags = update.Flags, ModSeq = update.ModSeq }, items);
        }

        string? code = null;
        if (result.FailedUnchangedSince.Count > 0)
        {
            var numbers = result.FailedUnchangedSince.Select(u => c.Uid ? u : _view!.SequenceOf(u)).Where(n => n > 0).Order();
            code = "MODIFIED " + SequenceSet.Compress(numbers);
        }

        return await OkAsync(c, "STORE completed", ct, code).ConfigureAwait(false);
    }
}
