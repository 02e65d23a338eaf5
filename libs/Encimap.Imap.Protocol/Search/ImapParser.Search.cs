using System.Globalization;

namespace Encimap.Imap.Protocol;

// SEARCH: the RETURN options (RFC 4731), CHARSET and the search keys.
public sealed partial class ImapParser
{
    // search = "SEARCH" [search-return-opts] SP search-program
    // search-program = ["CHARSET" SP charset SP] search-key *(SP search-key)
    private SearchArguments ParseSearch()
    {
        Space();
        SearchReturn? returns = null;
        if (TryKeyword("RETURN"))
        {
            // RFC 4731: "RETURN ()" asks for ALL.
            Space();
            var value = SearchReturn.None;
            ReadList(() => value |= ReadAtom().ToUpperInvariant() switch
            {
                "MIN" => SearchReturn.Min,
                "MAX" => SearchReturn.Max,
                "ALL" => SearchReturn.All,
                "COUNT" => SearchReturn.Count,
                "SAVE" => SearchReturn.Save,
                var other => throw Error($"unknown SEARCH return option {other}"),
            });
            returns = value == SearchReturn.None ? SearchReturn.All : value;
            Space();
        }

        string? charset = null;
        if (TryKeyword("CHARSET"))
        {
            charset = SpaceThen(ReadAString).ToUpperInvariant();
            Space();
        }

        var keys = new List<SearchKey> { ReadSearchKey() };
        while (Peek() == ' ')
        {
            _position++;
            keys.Add(ReadSearchKey());
        }

        return new SearchArguments(charset, keys.Count == 1 ? keys[0] : new SearchAnd(new EquatableList<SearchKey>(keys)), returns);
    }

    private SearchKey ReadSearchKey()
    {
        if (Peek() == '(')
        {
            _position++;
            var keys = new List<SearchKey> { ReadSearchKey() };
            while (Peek() == ' ')
            {
                _position++;
                keys.Add(ReadSearchKey());
            }

            Expect(')');
            return keys.Count == 1 ? keys[0] : new SearchAnd(new EquatableList<SearchKey>(keys));
        }

        if (char.IsAsciiDigit((char)Peek()) || Peek() is (byte)'*' or (byte)'$')
        {
            return new SearchSet(ReadSequenceSet(), Uid: false);
        }

        var name = ReadAtom().ToUpperInvariant();
        switch (name)
        {
            case "ALL": return SearchAll.Instance;
            case "ANSWERED": return new SearchFlag(@"\Answered", true);
            case "DELETED": return new SearchFlag(@"\Deleted", true);
            case "DRAFT": return new SearchFlag(@"\Draft", true);
            case "FLAGGED": return new SearchFlag(@"\Flagged", true);
            case "SEEN": return new SearchFlag(@"\Seen", true);
            case "RECENT": return new SearchFlag(@"\Recent", true);
            case "OLD": return new SearchFlag(@"\Recent", false);
            case "NEW": return new SearchAnd([new SearchFlag(@"\Recent", true), new SearchFlag(@"\Seen", false)]);
            case "UNANSWERED": return new SearchFlag(@"\Answered", false);
            case "UNDELETED": return new SearchFlag(@"\Deleted", false);
            case "UNDRAFT": return new SearchFlag(@"\Draft", false);
            case "UNFLAGGED": return new SearchFlag(@"\Flagged", false);
            case "UNSEEN": return new SearchFlag(@"\Seen", false);
            case "KEYWORD": return new SearchFlag(SpaceThen(ReadFlag), true);
            case "UNKEYWORD": return new SearchFlag(SpaceThen(ReadFlag), false);
            case "FROM" or "TO" or "CC" or "BCC" or "SUBJECT":
                return new SearchHeader(name == "SUBJECT" ? "Subject" : name == "FROM" ? "From" : name == "TO" ? "To" : name == "CC" ? "Cc" : "Bcc", SpaceThen(ReadAString));
            case "HEADER":
                return new SearchHeader(SpaceThen(ReadAString), SpaceThen(ReadAString));
            case "BODY": return new SearchText(true, SpaceThen(ReadAString));
            case "TEXT": return new SearchText(false, SpaceThen(ReadAString));
            case "BEFORE": return new SearchDate(SearchDateField.Internal, SearchDateComparison.Before, SpaceThen(ReadSearchDate));
            case "ON": return new SearchDate(SearchDateField.Internal, SearchDateComparison.On, SpaceThen(ReadSearchDate));
            case "SINCE": return new SearchDate(SearchDateField.Internal, SearchDateComparison.Since, SpaceThen(ReadSearchDate));
            case "SENTBEFORE": return new SearchDate(SearchDateField.Sent, SearchDateComparison.Before, SpaceThen(ReadSearchDate));
            case "SENTON": return new SearchDate(SearchDateField.Sent, SearchDateComparison.On, SpaceThen(ReadSearchDate));
            case "SENTSINCE": return new SearchDate(SearchDateField.Sent, SearchDateComparison.Since, SpaceThen(ReadSearchDate));
            case "LARGER": return new SearchSize(true, (long)SpaceThen(ReadNumber64));
            case "SMALLER": return new SearchSize(false, (long)SpaceThen(ReadNumber64));
            case "UID": return new SearchSet(SpaceThen(ReadSequenceSet), Uid: true);
            case "NOT": return new SearchNot(SpaceThen(ReadSearchKey));
            case "OR": return new SearchOr(SpaceThen(ReadSearchKey), SpaceThen(ReadSearchKey));
            case "MODSEQ":
            {
                Space();
                if (Peek() == '"')
                {
                    // entry-name entry-type-req: "/flags/\\Seen" all
                    ReadQuoted();
                    Space();
                    ReadAtom();
                    Space();
                }

                return new SearchModSeq(ReadNumber64());
            }

            default:
                throw Error($"unknown SEARCH key {name}");
        }
    }

    private DateOnly ReadSearchDate()
    {
        var quoted = Peek() == '"';
        var text = quoted ? ReadQuoted() : ReadAtom();
        if (DateOnly.TryParseExact(text, ["d-MMM-yyyy", "dd-MMM-yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }

        throw Error($"bad date {text}");
    }
}
