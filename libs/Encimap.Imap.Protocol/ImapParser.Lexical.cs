using System.Text;

namespace Encimap.Imap.Protocol;

// The lexical level of RFC 9051 §9: atoms, strings, literals, numbers, sequence sets, flags.
public sealed partial class ImapParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private int Peek() => _position < _input.Length ? _input[_position] : -1;

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

    /// <summary>A parenthesized list: "(" [item *(SP item)] ")".</summary>
    private void ReadList(Action readItem)
    {
        Expect('(');
        if (Peek() == ')')
        {
            _position++;
            return;
        }

        readItem();
        while (Peek() == ' ')
        {
            _position++;
            readItem();
        }

        Expect(')');
    }

    /// <summary>Consumes <paramref name="keyword"/> when it is the next atom (any case).</summary>
    private bool TryKeyword(string keyword)
    {
        var end = _position;
        while (IsAtomChar(end < _input.Length ? _input[end] : -1))
        {
            end++;
        }

        if (end - _position != keyword.Length || !Encoding.ASCII.GetString(_input, _position, end - _position).Equals(keyword, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        _position = end;
        return true;
    }

    private string ReadTag()
    {
        var start = _position;
        while (IsTagChar(Peek()))
        {
            _position++;
        }

        if (_position == start)
        {
            throw new ImapParseException(null, "missing tag");
        }

        return Encoding.ASCII.GetString(_input, start, _position - start);
    }

    // RFC 9051 §9: ATOM-CHAR is any CHAR (%x01-7F) but the atom-specials: "(" ")" "{" SP CTL,
    // the list-wildcards "%" "*", the quoted-specials DQUOTE "\" and the resp-special "]". So "~",
    // "[" and "+" are atom characters; 8-bit bytes are not (they come in quoted strings or literals).
    private static bool IsAtomChar(int b) => b is > 0x20 and < 0x7f && b is not ('(' or ')' or '{' or '%' or '*' or '"' or '\\' or ']');

    // ASTRING-CHAR = ATOM-CHAR / resp-specials.
    private static bool IsAStringChar(int b) => IsAtomChar(b) || b == ']';

    // tag = 1*<any ASTRING-CHAR except "+">
    private static bool IsTagChar(int b) => IsAStringChar(b) && b != '+';

    // list-char = ATOM-CHAR / list-wildcards / resp-specials
    private static bool IsListChar(int b) => IsAStringChar(b) || b is '%' or '*';

    private string ReadAtom()
    {
        var start = _position;
        while (IsAtomChar(Peek()))
        {
            _position++;
        }

        if (_position == start)
        {
            throw Error("expected an atom");
        }

        return Encoding.ASCII.GetString(_input, start, _position - start);
    }

    // FETCH items: an atom that stops at '[' and '<' too.
    private string ReadAtomUntilBracket()
    {
        var start = _position;
        while (Peek() is var b && IsAtomChar(b) && b != '[' && b != '<')
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
            (_position + 3 == _input.Length || !IsAStringChar(_input[_position + 3])))
        {
            _position += 3;
            return true;
        }

        return false;
    }

    private string ReadAString()
    {
        if (Peek() is '"' or '{')
        {
            return ReadString();
        }

        var start = _position;
        while (IsAStringChar(Peek()))
        {
            _position++;
        }

        if (_position == start)
        {
            throw Error("expected a string");
        }

        return Encoding.ASCII.GetString(_input, start, _position - start);
    }

    private string? ReadNString() => TryNil() ? null : ReadString();

    // string = quoted / literal (literal8, "~{", only where the grammar names it: APPEND).
    private string ReadString()
    {
        if (Peek() == '"')
        {
            return ReadQuoted();
        }

        if (Peek() == '{')
        {
            return Encoding.UTF8.GetString(ReadLiteral().Span);
        }

        throw Error("expected a string");
    }

    // quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR is a TEXT-CHAR (CHAR but CR and LF, so no
    // NUL) other than DQUOTE and "\", an escaped DQUOTE or "\", or UTF-8 (RFC 9051 §9).
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
                case 0:
                    throw Error("NUL in a quoted string");
                case '"':
                    _position++;
                    try
                    {
                        return StrictUtf8.GetString(bytes.ToArray());
                    }
                    catch (DecoderFallbackException)
                    {
                        throw Error("a quoted string that is not UTF-8");
                    }
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

    // literal = "{" number64 ["+"] "}" CRLF *CHAR8 (the "+" of LITERAL+/LITERAL-, RFC 7888).
    private ReadOnlyMemory<byte> ReadLiteral()
    {
        Expect('{');
        var size = ReadNumber64();
        if (Peek() == '+')
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
        while (IsListChar(Peek()))
        {
            _position++;
        }

        if (_position == start)
        {
            throw Error("expected a mailbox pattern");
        }

        return Encoding.ASCII.GetString(_input, start, _position - start);
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

        // number64: at most 2^63 - 1 (RFC 9051 §9).
        return n <= long.MaxValue ? n : throw Error("number too large");
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
