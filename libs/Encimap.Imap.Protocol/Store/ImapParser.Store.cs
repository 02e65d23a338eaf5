namespace Encimap.Imap.Protocol;

// STORE and its UNCHANGEDSINCE modifier (RFC 7162).
public sealed partial class ImapParser
{
    private StoreArguments ParseStore()
    {
        var set = SpaceThen(ReadSequenceSet);
        Space();
        ulong? unchangedSince = null;
        if (Peek() == '(')
        {
            _position++;
            var modifier = ReadAtom().ToUpperInvariant();
            if (modifier != "UNCHANGEDSINCE")
            {
                throw Error($"unknown STORE modifier {modifier}");
            }

            Space();
            unchangedSince = ReadNumber64();
            Expect(')');
            Space();
        }

        var item = ReadAtom().ToUpperInvariant();
        var silent = item.EndsWith(".SILENT", StringComparison.Ordinal);
        if (silent)
        {
            item = item[..^".SILENT".Length];
        }

        var mode = item switch
        {
            "FLAGS" => StoreMode.Replace,
            "+FLAGS" => StoreMode.Add,
            "-FLAGS" => StoreMode.Remove,
            _ => throw Error($"unknown STORE item {item}"),
        };
        Space();
        EquatableList<string> flags;
        if (Peek() == '(')
        {
            flags = ReadFlagList();
        }
        else
        {
            var list = new List<string> { ReadFlag() };
            while (Peek() == ' ')
            {
                _position++;
                list.Add(ReadFlag());
            }

            flags = new EquatableList<string>(list);
        }

        return new StoreArguments(set, mode, silent, flags, unchangedSince);
    }
}
