namespace Encimap.Imap.Protocol;

// SELECT/EXAMINE parameters and STATUS items.
public sealed partial class ImapParser
{
    // select = "SELECT" SP mailbox [SP "(" select-param *(SP select-param) ")"] (RFC 4466 §2.1)
    private SelectArguments ParseSelect()
    {
        var mailbox = SpaceThen(ReadMailbox);
        var condStore = false;
        QresyncParameters? qresync = null;
        if (Peek() == ' ')
        {
            Space();
            ReadList(() =>
            {
                var parameter = ReadAtom().ToUpperInvariant();
                switch (parameter)
                {
                    case "CONDSTORE":
                        condStore = true;
                        break;
                    case "QRESYNC":
                        qresync = SpaceThen(ReadQresyncParameters);
                        break;
                    default:
                        throw Error($"unknown SELECT parameter {parameter}");
                }
            });
        }

        return new SelectArguments(mailbox, condStore, qresync);
    }

    // "(" uidvalidity SP mod-sequence-value [SP known-uids] [SP seq-match-data] ")"
    // seq-match-data = "(" known-sequence-set SP known-uid-set ")" (RFC 7162 §7)
    private QresyncParameters ReadQresyncParameters()
    {
        Expect('(');
        var uidValidity = ReadNumber();
        var modSeq = SpaceThen(ReadNumber64);
        if (uidValidity == 0 || modSeq == 0)
        {
            throw Error("QRESYNC needs a UIDVALIDITY and a mod-sequence");
        }

        SequenceSet? knownUids = null;
        (SequenceSet Numbers, SequenceSet Uids)? sequenceMatch = null;
        if (Peek() == ' ')
        {
            Space();
            if (Peek() != '(')
            {
                knownUids = ReadSequenceSet();
                if (Peek() == ' ')
                {
                    Space();
                    sequenceMatch = ReadSequenceMatch();
                }
            }
            else
            {
                sequenceMatch = ReadSequenceMatch();
            }
        }

        Expect(')');
        return new QresyncParameters(uidValidity, modSeq, knownUids, sequenceMatch?.Numbers, sequenceMatch?.Uids);
    }

    private (SequenceSet Numbers, SequenceSet Uids) ReadSequenceMatch()
    {
        Expect('(');
        var numbers = ReadSequenceSet();
        var uids = SpaceThen(ReadSequenceSet);
        Expect(')');
        return (numbers, uids);
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
