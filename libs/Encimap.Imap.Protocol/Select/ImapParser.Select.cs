namespace Encimap.Imap.Protocol;

// SELECT/EXAMINE parameters and STATUS items.
public sealed partial class ImapParser
{
    private SelectArguments ParseSelect()
    {
        var mailbox = SpaceThen(ReadMailbox);
        var condStore = false;
        if (Peek() == ' ')
        {
            Space();
            Expect('(');
            while (Peek() != ')')
            {
                if (Peek() == ' ')
                {
                    _position++;
                }

                var parameter = ReadAtom().ToUpperInvariant();
                if (parameter == "CONDSTORE")
                {
                    condStore = true;
                }
                else
                {
                    throw Error($"unknown SELECT parameter {parameter}");
                }
            }

            Expect(')');
        }

        return new SelectArguments(mailbox, condStore);
    }

    private StatusArguments ParseStatus()
    {
        var mailbox = SpaceThen(ReadMailbox);
        Space();
        return new StatusArguments(mailbox, ReadStatusItems());
    }

    private EquatableList<string> ReadStatusItems()
    {
        Expect('(');
        var items = new List<string>();
        while (Peek() != ')')
        {
            if (items.Count > 0)
            {
                Space();
            }

            var item = ReadAtom().ToUpperInvariant();
            if (item is not ("MESSAGES" or "RECENT" or "UIDNEXT" or "UIDVALIDITY" or "UNSEEN" or "HIGHESTMODSEQ" or "SIZE" or "DELETED"))
            {
                throw Error($"unknown STATUS item {item}");
            }

            items.Add(item);
        }

        Expect(')');
        if (items.Count == 0)
        {
            throw Error("STATUS needs at least one item");
        }

        return new EquatableList<string>(items);
    }
}
