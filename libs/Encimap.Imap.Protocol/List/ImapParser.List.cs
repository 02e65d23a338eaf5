namespace Encimap.Imap.Protocol;

// LIST with the LIST-EXTENDED selection and return options (RFC 5258), XLIST.
public sealed partial class ImapParser
{
    private ListArguments ParseList(bool extended)
    {
        Space();
        var selection = ListSelection.None;
        if (extended && Peek() == '(')
        {
            _position++;
            while (Peek() != ')')
            {
                if (Peek() == ' ')
                {
                    _position++;
                }

                selection |= ReadAtom().ToUpperInvariant() switch
                {
                    "SUBSCRIBED" => ListSelection.Subscribed,
                    "SPECIAL-USE" => ListSelection.SpecialUse,
                    "RECURSIVEMATCH" => ListSelection.RecursiveMatch,
                    "REMOTE" => ListSelection.Remote,
                    var other => throw Error($"unknown LIST selection option {other}"),
                };
            }

            Expect(')');
            Space();
        }

        var reference = ReadMailbox();
        Space();
        var patterns = new List<string>();
        if (extended && Peek() == '(')
        {
            _position++;
            patterns.Add(ReadListMailbox());
            while (Peek() == ' ')
            {
                _position++;
                patterns.Add(ReadListMailbox());
            }

            Expect(')');
        }
        else
        {
            patterns.Add(ReadListMailbox());
        }

        var returns = ListReturn.None;
        EquatableList<string>? statusItems = null;
        if (extended && Peek() == ' ')
        {
            Space();
            if (!ReadAtom().Equals("RETURN", StringComparison.OrdinalIgnoreCase))
            {
                throw Error("expected RETURN");
            }

            Space();
            Expect('(');
            while (Peek() != ')')
            {
                if (Peek() == ' ')
                {
                    _position++;
                }

                var option = ReadAtom().ToUpperInvariant();
                switch (option)
                {
                    case "SUBSCRIBED": returns |= ListReturn.Subscribed; break;
                    case "CHILDREN": returns |= ListReturn.Children; break;
                    case "SPECIAL-USE": returns |= ListReturn.SpecialUse; break;
                    case "STATUS":
                        returns |= ListReturn.Status;
                        Space();
                        statusItems = ReadStatusItems();
                        break;
                    default: throw Error($"unknown LIST return option {option}");
                }
            }

            Expect(')');
        }

        if ((selection & ListSelection.RecursiveMatch) != 0 && selection == ListSelection.RecursiveMatch)
        {
            throw Error("RECURSIVEMATCH needs another selection option");
        }

        return new ListArguments(reference, new EquatableList<string>(patterns), selection, returns, statusItems);
    }
}
