namespace Encimap.Imap.Protocol;

// LIST with the LIST-EXTENDED selection and return options (RFC 5258), XLIST.
public sealed partial class ImapParser
{
    // list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
    private ListArguments ParseList(bool extended)
    {
        Space();
        var selection = ListSelection.None;
        var extendedSyntax = false;
        if (extended && Peek() == '(')
        {
            extendedSyntax = true;
            ReadList(() => selection |= ReadAtom().ToUpperInvariant() switch
            {
                "SUBSCRIBED" => ListSelection.Subscribed,
                "SPECIAL-USE" => ListSelection.SpecialUse,
                "RECURSIVEMATCH" => ListSelection.RecursiveMatch,
                "REMOTE" => ListSelection.Remote,
                var other => throw Error($"unknown LIST selection option {other}"),
            });
            Space();
        }

        // RFC 5258 §3: RECURSIVEMATCH alone (or only with REMOTE) is BAD.
        if ((selection & ListSelection.RecursiveMatch) != 0 && (selection & ~ListSelection.Remote) == ListSelection.RecursiveMatch)
        {
            throw Error("RECURSIVEMATCH needs another selection option");
        }

        var reference = ReadMailbox();
        Space();
        var patterns = new List<string>();
        if (extended && Peek() == '(')
        {
            extendedSyntax = true;
            ReadList(() => patterns.Add(ReadListMailbox()));
            if (patterns.Count == 0)
            {
                throw Error("expected a mailbox pattern");
            }
        }
        else
        {
            patterns.Add(ReadListMailbox());
        }

        var returns = ListReturn.None;
        EquatableList<string>? statusItems = null;
        if (extended && Peek() == ' ')
        {
            extendedSyntax = true;
            Space();
            if (!TryKeyword("RETURN"))
            {
                throw Error("expected RETURN");
            }

            Space();
            ReadList(() =>
            {
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
            });
        }

        return new ListArguments(reference, new EquatableList<string>(patterns), selection, returns, statusItems, extendedSyntax);
    }
}
