using System.Text;

namespace Encimap.Imap.Protocol;

// The lexical level of RFC 9051 §9: atoms, strings, literals, numbers, sequence sets, flags.
public sealed partial class ImapParser
{
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
