namespace Encimap.Imap.Protocol;

// FETCH.
public sealed partial class ImapServerSession
{
    private async Task<bool> FetchAsync(ImapCommand c, FetchArguments arguments, CancellationToken ct)
    {
        var items = arguments.Items;
        if (arguments.ChangedSince is not null || items.Contains(FetchItem.ModSeq))
        {
            _condStore = true;
            _view!.CondStore = true;
        }

        var ranges = Resolve(arguments.Set, c.Uid);
        var setSeen = !_view!.ReadOnly && items.Any(i => i.SetsSeen);
        if (setSeen && !items.Contains(FetchItem.Flags))
        {
            items = new EquatableList<FetchItem>(items.Append(FetchItem.Flags));
        }

        var writer = new FetchWriter(_writer, _pipe, _view, items);
        await _backend.FetchAsync(writer, ranges, new FetchOptions(arguments.ChangedSince, setSeen), ct).ConfigureAwait(false);
        return await OkAsync(c, "FETCH completed", ct).ConfigureAwait(false);
    }
}
