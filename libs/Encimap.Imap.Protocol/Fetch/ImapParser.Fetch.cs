namespace Encimap.Imap.Protocol;

// FETCH: data items, sections, partials and the CONDSTORE modifiers.
public sealed partial class ImapParser
{
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

        // fetch-modifiers (RFC 4466): CHANGEDSINCE (RFC 7162 §3.1.4) and VANISHED (§3.2.6).
        ulong? changedSince = null;
        var vanished = false;
        if (Peek() == ' ')
        {
            Space();
            ReadList(() =>
            {
                var modifier = ReadAtom().ToUpperInvariant();
                switch (modifier)
                {
                    case "CHANGEDSINCE":
                        changedSince = SpaceThen(ReadNumber64);
                        break;
                    case "VANISHED":
                        vanished = true;
                        break;
                    default:
                        throw Error($"unknown FETCH modifier {modifier}");
                }
            });
        }

        if (vanished && (!uid || changedSince is null))
        {
            throw Error("VANISHED needs UID FETCH and CHANGEDSINCE");
        }

        if (uid && !items.Contains(FetchItem.Uid))
        {
            items.Insert(0, FetchItem.Uid);
        }

        if (changedSince is not null && !items.Contains(FetchItem.ModSeq))
        {
            items.Add(FetchItem.ModSeq);
        }

        return new FetchArguments(set, new EquatableList<FetchItem>(items.Distinct()), changedSince, vanished);
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
}
