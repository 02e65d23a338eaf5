namespace Encimap.Imap.Protocol;

// FETCH.
public sealed partial class ImapServerSession
{
    private async Task<bool> FetchAsync(ImapCommand c, FetchArguments arguments, CancellationToken ct)
    {
        if (arguments.Vanished && !_qresync)
        {
            throw new ImapException(ImapStatus.Bad, null, "QRESYNC is not enabled");
        }

        var items = arguments.Items;
        if (arguments.ChangedSince is not null || items.Contains(FetchItem.ModSeq))
        {
            await EnableCondStoreAsync(c, ct).ConfigureAwait(false);
        }

        var ranges = Resolve(arguments.Set, c.Uid);
        if (arguments.Vanished)
        {
            // "*" reaches past the last message here, to the expunged UIDs above it (as in Dovecot).
            var asked = UidRange.Normalize(arguments.Set.Resolve(uint.MaxValue - 1).Select(r => new UidRange(Math.Max(r.Low, 1), r.High)));
            await WriteVanishedEarlierAsync(asked, arguments.ChangedSince!.Value, ct).ConfigureAwait(false);
        }

        var setSeen = !_view!.ReadOnly && items.Any(i => i.SetsSeen);
        if (setSeen)
        {
            // The \Seen it sets is reported; under CONDSTORE with UID and MODSEQ (RFC 7162 §3.1).
            FetchItem[] reported = _view.CondStore ? [FetchItem.Uid, FetchItem.Flags, FetchItem.ModSeq] : [FetchItem.Flags];
            items = new EquatableList<FetchItem>(items.Concat(reported.Except(items)));
        }

        var writer = new FetchWriter(_writer, _pipe, _view, items);
        await _backend.FetchAsync(writer, ranges, new FetchOptions(arguments.ChangedSince, setSeen), ct).ConfigureAwait(false);
        _span?.Messages(writer.Written);
        return await OkAsync(c, "FETCH completed", ct).ConfigureAwait(false);
    }
}
