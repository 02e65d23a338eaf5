using System.Globalization;
using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>
/// Parses one complete command (its lines and literals, exactly as received, CRLF included) into
/// an <see cref="ImapCommand"/> with the command's own argument record. Grammar: RFC 3501 §9 with
/// the RFC 9051, LITERAL+, SASL-IR, CONDSTORE, ESEARCH, LIST-EXTENDED and SPECIAL-USE additions.
/// </summary>
public sealed class ImapParser
{
    private readonly byte[] _input;
    private int _position;
    private string? _tag;

    private ImapParser(byte[] input)
    {
        _input = input;
    }

    public static ImapCommand Parse(byte[] input) => new ImapParser(input).ParseCommand();

    public static ImapCommand Parse(string input) => Parse(Encoding.UTF8.GetBytes(input.EndsWith("\r\n", StringComparison.Ordinal) ? input : input + "\r\n"));

    private ImapCommand ParseCommand()
    {
        _tag = ReadTag();
        Space();
        var name = ReadAtom().ToUpperInvariant();
        var uid = false;
        if (name == "UID")
        {
            uid = true;
            Space();
            name = ReadAtom().ToUpperInvariant();
            if (name is not ("FETCH" or "STORE" or "COPY" or "MOVE" or "SEARCH" or "EXPUNGE"))
            {
                throw Error($"UID {name} is not a command");
            }
        }

        CommandArguments arguments = name switch
        {
            "CAPABILITY" or "NOOP" or "LOGOUT" or "STARTTLS" or "CHECK" or "CLOSE" or "UNSELECT" or "NAMESPACE" or "IDLE" => NoArguments.Instance,
            "EXPUNGE" => uid ? new ExpungeArguments(SpaceThen(ReadSequenceSet)) : NoArguments.Instance,
            "LOGIN" => new LoginArguments(SpaceThen(ReadAString), SpaceThen(ReadAString)),
            "AUTHENTICATE" => ParseAuthenticate(),
            "ENABLE" => ParseEnable(),
            "ID" => ParseId(),
            "SELECT" or "EXAMINE" => ParseSelect(),
            "CREATE" => ParseCreate(),
            "DELETE" or "SUBSCRIBE" or "UNSUBSCRIBE" => new MailboxArguments(SpaceThen(ReadMailbox)),
            "RENAME" => new RenameArguments(SpaceThen(ReadMailbox), SpaceThen(ReadMailbox)),
            "LIST" or "XLIST" => ParseList(extended: name == "LIST"),
            "LSUB" => new ListArguments(SpaceThen(ReadMailbox), [SpaceThen(ReadListMailbox)]),
            "STATUS" => ParseStatus(),
            "APPEND" => ParseAppend(),
            "FETCH" => ParseFetch(uid),
            "STORE" => ParseStore(),
            "COPY" or "MOVE" => new CopyArguments(SpaceThen(ReadSequenceSet), SpaceThen(ReadMailbox)),
            "SEARCH" => ParseSearch(),
            _ => throw Error($"unknown command {name}"),
        };

        ExpectEnd();
        return new ImapCommand(_tag, name, uid, arguments);
    }

    // ---- commands ---------------------------------------------------------------------------

    private AuthenticateArguments ParseAuthenticate()
    {
        var mechanism = SpaceThen(ReadAtom).ToUpperInvariant();
        string? initial = null;
        if (Peek() == ' ')
        {
            _position++;
            initial = ReadAtomOrEquals();
        }

        return new AuthenticateArguments(mechanism, initial);
    }

    private EnableArguments ParseEnable()
    {
        var capabilities = new List<string>();
        do
        {
            Space();
            capabilities.Add(ReadAtom().ToUpperInvariant());
        }
        while (Peek() == ' ');
        return new EnableArguments(new EquatableList<string>(capabilities));
    }

    private IdArguments ParseId()
    {
        Space();
        if (TryNil())
        {
            return new IdArguments(null);
        }

        Expect('(');
        var pairs = new List<KeyValuePair<string, string?>>();
        while (Peek() != ')')
        {
            if (pairs.Count > 0)
            {
                Space();
            }

            var key = ReadString();
            Space();
            var value = ReadNString();
            pairs.Add(new(key, value));
            if (pairs.Count > 30)
            {
                throw Error("too many ID fields");
            }
        }

        Expect(')');
        return new IdArguments(new EquatableList<KeyValuePair<string, string?>>(pairs));
    }

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

    private MailboxArguments ParseCreate()
    {
        var mailbox = SpaceThen(ReadMailbox);
        if (Peek() == ' ')
        {
            // CREATE parameters (RFC 4466), e.g. (USE (\Archive)): accepted and ignored.
            Space();
            SkipParenthesized();
        }

        return new MailboxArguments(mailbox);
    }

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

    private AppendArguments ParseAppend()
    {
        var mailbox = SpaceThen(ReadMailbox);
        Space();
        var flags = EquatableList<string>.Empty;
        if (Peek() == '(')
        {
            flags = ReadFlagList();
            Space();
        }

        DateTimeOffset? date = null;
        if (Peek() == '"')
        {
            date = ParseDateTime(ReadQuoted());
            Space();
        }

        if (Peek() == '~')
        {
            // literal8 (BINARY): the same bytes for us.
            _position++;
        }

        if (Peek() != '{')
        {
            throw Error("APPEND needs a literal message");
        }

        var message = ReadLiteral();
        if (message.Length == 0)
        {
            throw Error("empty message");
        }

        return new AppendArguments(mailbox, flags, date, message);
    }

    private FetchArguments ParseFetch(bool uid)
    {
        var set = SpaceThen(ReadSequenceSet);
        Space();
        var items = new List<FetchItem>();
        if (Peek() == '(')
        {
            _position++;
            items.Add(ReadFetchItem());
            while (Peek() == ' ')
            {
                _position++;
                items.Add(ReadFetchItem());
            }

            Expect(')');
        }
        else
        {
            var save = _position;
            var word = ReadAtomUntilBracket().ToUpperInvariant();
            switch (word)
            {
                case "ALL":
                    items.AddRange([FetchItem.Flags, FetchItem.InternalDate, FetchItem.Rfc822Size, FetchItem.Envelope]);
                    break;
                case "FAST":
                    items.AddRange([FetchItem.Flags, FetchItem.InternalDate, FetchItem.Rfc822Size]);
                    break;
                case "FULL":
                    items.AddRange([FetchItem.Flags, FetchItem.InternalDate, FetchItem.Rfc822Size, FetchItem.Envelope, FetchItem.Body]);
                    break;
                default:
                    _position = save;
                    items.Add(ReadFetchItem());
                    break;
            }
        }

        ulong? changedSince = null;
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

                var modifier = ReadAtom().ToUpperInvariant();
                switch (modifier)
                {
                    case "CHANGEDSINCE":
                        Space();
                        changedSince = ReadNumber64();
                        break;
                    case "VANISHED":
                        break;
                    default:
                        throw Error($"unknown FETCH modifier {modifier}");
                }
            }

            Expect(')');
        }

        if (uid && !items.Contains(FetchItem.Uid))
        {
            items.Insert(0, FetchItem.Uid);
        }

        if (changedSince is not null && !items.Contains(FetchItem.ModSeq))
        {
            items.Add(FetchItem.ModSeq);
        }

        return new FetchArguments(set, new EquatableList<FetchItem>(items.Distinct()), changedSince);
    }

    private FetchItem ReadFetchItem()
    {
        var name = ReadAtomUntilBracket().ToUpperInvariant();
        switch (name)
        {
            case "UID": return FetchItem.Uid;
            case "FLAGS": return FetchItem.Flags;
            case "INTERNALDATE": return FetchItem.InternalDate;
            case "RFC822.SIZE": return FetchItem.Rfc822Size;
            case "ENVELOPE": return FetchItem.Envelope;
            case "BODYSTRUCTURE": return FetchItem.BodyStructure;
            case "MODSEQ": return FetchItem.ModSeq;
            case "RFC822": return new FetchItem(FetchAttribute.Rfc822);
            case "RFC822.HEADER": return new FetchItem(FetchAttribute.Rfc822Header, Peek: true);
            case "RFC822.TEXT": return new FetchItem(FetchAttribute.Rfc822Text);
            case "BODY" when Peek() != '[': return FetchItem.Body;
            case "BODY":
            case "BODY.PEEK":
            {
                var section = ReadSection(binary: false);
                return new FetchItem(FetchAttribute.BodySection, section, name == "BODY.PEEK", ReadPartial());
            }

            case "BINARY":
            case "BINARY.PEEK":
            {
                var section = ReadSection(binary: true);
                return new FetchItem(FetchAttribute.Binary, section, name == "BINARY.PEEK", ReadPartial());
            }

            case "BINARY.SIZE":
                return new FetchItem(FetchAttribute.BinarySize, ReadSection(binary: true));
            default:
                throw Error($"unknown FETCH item {name}");
        }
    }

    private BodySection ReadSection(bool binary)
    {
        Expect('[');
        var parts = new List<int>();
        var specifier = SectionSpecifier.None;
        List<string>? fields = null;
        while (Peek() != ']')
        {
            if (char.IsAsciiDigit((char)Peek()))
            {
                var n = ReadNumber();
                if (n == 0)
                {
                    throw Error("section part 0");
                }

                parts.Add((int)n);
                if (Peek() == '.')
                {
                    _position++;
                    continue;
                }

                break;
            }

            if (binary)
            {
                throw Error("BINARY takes a part number only");
            }

            var word = ReadAtomUntilBracket().ToUpperInvariant();
            switch (word)
            {
                case "HEADER": specifier = SectionSpecifier.Header; break;
                case "TEXT": specifier = SectionSpecifier.Text; break;
                case "MIME" when parts.Count > 0: specifier = SectionSpecifier.Mime; break;
                case "HEADER.FIELDS":
                case "HEADER.FIELDS.NOT":
                    specifier = word == "HEADER.FIELDS" ? SectionSpecifier.HeaderFields : SectionSpecifier.HeaderFieldsNot;
                    Space();
                    Expect('(');
                    fields = [];
                    while (Peek() != ')')
                    {
                        if (fields.Count > 0)
                        {
                            Space();
                        }

                        fields.Add(ReadAString().ToUpperInvariant());
                    }

                    Expect(')');
                    if (fields.Count == 0)
                    {
                        throw Error("empty header field list");
                    }

                    break;
                default:
                    throw Error($"unknown section {word}");
            }

            break;
        }

        Expect(']');
        return new BodySection(new EquatableList<int>(parts), specifier, fields is null ? null : new EquatableList<string>(fields));
    }

    private Partial? ReadPartial()
    {
        if (Peek() != '<')
        {
            return null;
        }

        _position++;
        var offset = ReadNumber64();
        Expect('.');
        var count = ReadNumber64();
        Expect('>');
        if (count == 0)
        {
            throw Error("partial count must be non-zero");
        }

        return new Partial((long)offset, (long)count);
    }

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

    private SearchArguments ParseSearch()
    {
        Space();
        SearchReturn? returns = null;
        string? charset = null;
        var save = _position;
        var first = Peek() == '(' ? "" : ReadAtom().ToUpperInvariant();
        if (first == "RETURN")
        {
            Space();
            Expect('(');
            var value = SearchReturn.None;
            while (Peek() != ')')
            {
                if (Peek() == ' ')
                {
                    _position++;
                }

                value |= ReadAtom().ToUpperInvariant() switch
                {
                    "MIN" => SearchReturn.Min,
                    "MAX" => SearchReturn.Max,
                    "ALL" => SearchReturn.All,
                    "COUNT" => SearchReturn.Count,
                    "SAVE" => SearchReturn.Save,
                    var other => throw Error($"unknown SEARCH return option {other}"),
                };
            }

            Expect(')');
            returns = value == SearchReturn.None ? SearchReturn.All : value;
            Space();
            save = _position;
            first = Peek() == '(' ? "" : ReadAtom().ToUpperInvariant();
        }

        if (first == "CHARSET")
        {
            Space();
            charset = ReadAString().ToUpperInvariant();
            Space();
        }
        else
        {
            _position = save;
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

    private DateTimeOffset ParseDateTime(string text)
    {
        // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
        var trimmed = text.TrimStart();
        if (DateTimeOffset.TryParseExact(trimmed, ["d-MMM-yyyy HH:mm:ss zzz", "dd-MMM-yyyy HH:mm:ss zzz"], CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            // zzz expects +hh:mm; IMAP's is +hhmm: handled below.
        }

        var space = trimmed.LastIndexOf(' ');
        if (space > 0 && trimmed.Length - space == 6)
        {
            var zone = trimmed[(space + 1)..];
            if (zone[0] is '+' or '-' && zone[1..].All(char.IsAsciiDigit))
            {
                var local = trimmed[..space];
                if (DateTime.TryParseExact(local, ["d-MMM-yyyy HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var dateTime))
                {
                    var offset = new TimeSpan(int.Parse(zone[1..3], CultureInfo.InvariantCulture), int.Parse(zone[3..5], CultureInfo.InvariantCulture), 0);
                    return new DateTimeOffset(dateTime, zone[0] == '-' ? -offset : offset);
                }
            }
        }

        throw Error($"bad date-time {text}");
    }

    // ---- lexical ----------------------------------------------------------------------------

    private int Peek() => _position < _input.Length ? _input[_position] : -1;

    private bool AtLineEnd() => Peek() is '\r' or '\n' or -1;

    private void ExpectEnd()
    {
        if (Peek() == '\r')
        {
            _position++;
        }

        if (Peek() != '\n' || _position + 1 != _input.Length)
        {
            throw Error("unexpected characters at the end of the command");
        }
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw Error($"expected '{c}'");
        }

        _position++;
    }

    private void Space() => Expect(' ');

    private T SpaceThen<T>(Func<T> read)
    {
        Space();
        return read();
    }

    private ImapParseException Error(string message) => new(_tag, message);

    private string ReadTag()
    {
        var start = _position;
        while (Peek() is var b && b > ' ' && b < 0x7f && b != '+' && !IsAtomSpecial(b))
        {
            _position++;
        }

        if (_position == start)
        {
            throw new ImapParseException(null, "missing tag");
        }

        return Encoding.ASCII.GetString(_input, start, _position - start);
    }

    private static bool IsAtomSpecial(int b) => b is '(' or ')' or '{' or ' ' or '%' or '*' or '"' or '\\' or ']' || b < 0x20 || b == 0x7f;

    private string ReadAtom()
    {
        var start = _position;
        while (Peek() is var b && b >= 0 && !IsAtomSpecial(b))
        {
            _position++;
        }

        if (_position == start)
        {
            throw Error("expected an atom");
        }

        return Encoding.UTF8.GetString(_input, start, _position - start);
    }

    // FETCH items: an atom that stops at '[' and '<' too.
    private string ReadAtomUntilBracket()
    {
        var start = _position;
        while (Peek() is var b && b >= 0 && !IsAtomSpecial(b) && b != '[' && b != '<')
        {
            _position++;
        }

        if (_position == start)
        {
            throw Error("expected a data item");
        }

        return Encoding.ASCII.GetString(_input, start, _position - start);
    }

    private string ReadAtomOrEquals()
    {
        var start = _position;
        while (Peek() is var b && b > ' ' && b < 0x7f)
        {
            _position++;
        }

        return Encoding.ASCII.GetString(_input, start, _position - start);
    }

    private bool TryNil()
    {
        if (_position + 3 <= _input.Length && Encoding.ASCII.GetString(_input, _position, 3).Equals("NIL", StringComparison.OrdinalIgnoreCase) &&
            (_position + 3 == _input.Length || IsAtomSpecial(_input[_position + 3])))
        {
            _position += 3;
            return true;
        }

        return false;
    }

    private string ReadAString()
    {
        if (Peek() is '"' or '{' or '~')
        {
            return ReadString();
        }

        var start = _position;
        while (Peek() is var b && b >= 0 && (!IsAtomSpecial(b) || b == ']'))
        {
            _position++;
        }

        if (_position == start)
        {
            throw Error("expected a string");
        }

        return Encoding.UTF8.GetString(_input, start, _position - start);
    }

    private string? ReadNString() => TryNil() ? null : ReadString();

    private string ReadString()
    {
        if (Peek() == '"')
        {
            return ReadQuoted();
        }

        if (Peek() == '~')
        {
            _position++;
        }

        if (Peek() == '{')
        {
            return Encoding.UTF8.GetString(ReadLiteral().Span);
        }

        throw Error("expected a string");
    }

    private string ReadQuoted()
    {
        Expect('"');
        var bytes = new List<byte>();
        while (true)
        {
            var b = Peek();
            switch (b)
            {
                case -1 or '\r' or '\n':
                    throw Error("unterminated quoted string");
                case '"':
                    _position++;
                    return Encoding.UTF8.GetString(bytes.ToArray());
                case '\\':
                    _position++;
                    if (Peek() is not ('\\' or '"'))
                    {
                        throw Error("bad escape in quoted string");
                    }

                    bytes.Add((byte)Peek());
                    _position++;
                    break;
                default:
                    bytes.Add((byte)b);
                    _position++;
                    break;
            }
        }
    }

    private ReadOnlyMemory<byte> ReadLiteral()
    {
        Expect('{');
        var size = ReadNumber64();
        if (Peek() is '+' or '-')
        {
            _position++;
        }

        Expect('}');
        if (Peek() == '\r')
        {
            _position++;
        }

        Expect('\n');
        if ((ulong)(_input.Length - _position) < size)
        {
            throw Error("literal shorter than announced");
        }

        var literal = new ReadOnlyMemory<byte>(_input, _position, (int)size);
        _position += (int)size;
        return literal;
    }

    private string ReadMailbox()
    {
        var name = ReadAString();
        return name.Equals("INBOX", StringComparison.OrdinalIgnoreCase) ? "INBOX" : name;
    }

    private string ReadListMailbox()
    {
        if (Peek() is '"' or '{')
        {
            return ReadString();
        }

        var start = _position;
        while (Peek() is var b && b >= 0 && (!IsAtomSpecial(b) || b is '%' or '*' or ']'))
        {
            _position++;
        }

        if (_position == start)
        {
            throw Error("expected a mailbox pattern");
        }

        return Encoding.UTF8.GetString(_input, start, _position - start);
    }

    private EquatableList<string> ReadFlagList()
    {
        Expect('(');
        var flags = new List<string>();
        while (Peek() != ')')
        {
            if (flags.Count > 0)
            {
                Space();
            }

            flags.Add(ReadFlag());
        }

        Expect(')');
        return new EquatableList<string>(flags);
    }

    private string ReadFlag()
    {
        if (Peek() == '\\')
        {
            _position++;
            var name = ReadAtom();
            return Flags.Canonical("\\" + name);
        }

        return ReadAtom();
    }

    private uint ReadNumber()
    {
        var n = ReadNumber64();
        return n <= uint.MaxValue ? (uint)n : throw Error("number too large");
    }

    private ulong ReadNumber64()
    {
        var start = _position;
        ulong n = 0;
        while (Peek() is var b && b >= '0' && b <= '9')
        {
            if (_position - start >= 19)
            {
                throw Error("number too large");
            }

            n = n * 10 + (ulong)(b - '0');
            _position++;
        }

        if (_position == start)
        {
            throw Error("expected a number");
        }

        return n;
    }

    private SequenceSet ReadSequenceSet()
    {
        var start = _position;
        while (Peek() is var b && (b is >= '0' and <= '9' || b is ':' or ',' or '*' or '$'))
        {
            _position++;
        }

        return SequenceSet.TryParse(Encoding.ASCII.GetString(_input, start, _position - start)) ?? throw Error("bad sequence set");
    }

    private void SkipParenthesized()
    {
        var depth = 0;
        do
        {
            var b = Peek();
            if (b is -1 or '\r' or '\n')
            {
                throw Error("unbalanced parentheses");
            }

            if (b == '(')
            {
                depth++;
            }
            else if (b == ')')
            {
                depth--;
            }

            _position++;
        }
        while (depth > 0);
    }
}
