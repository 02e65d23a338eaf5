using System.Buffers;
using System.Globalization;
using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>
/// Low-level response syntax onto a buffer: atoms, numbers, quoted strings or literals as the
/// content requires, NIL, lists and CRLF. Everything the server sends goes through it.
/// </summary>
public sealed class ImapWriter(IBufferWriter<byte> output)
{
    /// <summary>UTF8=ACCEPT enabled: quoted strings may carry UTF-8.</summary>
    public bool Utf8 { get; set; }

    public IBufferWriter<byte> Output { get; } = output;

    public ImapWriter Raw(string ascii)
    {
        var span = Output.GetSpan(Encoding.UTF8.GetMaxByteCount(ascii.Length));
        var n = Encoding.UTF8.GetBytes(ascii, span);
        Output.Advance(n);
        return this;
    }

    public ImapWriter Raw(ReadOnlySpan<byte> bytes)
    {
        Output.Write(bytes);
        return this;
    }

    public ImapWriter Byte(char c)
    {
        var span = Output.GetSpan(1);
        span[0] = (byte)c;
        Output.Advance(1);
        return this;
    }

    public ImapWriter Space() => Byte(' ');

    public ImapWriter Number(ulong n) => Raw(n.ToString(CultureInfo.InvariantCulture));

    public ImapWriter Number(long n) => Raw(n.ToString(CultureInfo.InvariantCulture));

    public ImapWriter Crlf() => Raw("\r\n"u8);

    public ImapWriter Nil() => Raw("NIL"u8);

    /// <summary>A string: quoted when it can be, a literal otherwise.</summary>
    public ImapWriter String(string value)
    {
        if (CanQuote(value))
        {
            // Escapes are rare: write runs between them in one go.
            Byte('"');
            var span = value.AsSpan();
            while (span.Length > 0)
            {
                var special = span.IndexOfAny('"', '\\');
                var run = special < 0 ? span : span[..special];
                if (run.Length > 0)
                {
                    var bytes = Output.GetSpan(Encoding.UTF8.GetMaxByteCount(run.Length));
                    Output.Advance(Encoding.UTF8.GetBytes(run, bytes));
                }

                if (special < 0)
                {
                    break;
                }

                Byte('\\').Byte(span[special]);
                span = span[(special + 1)..];
            }

            return Byte('"');
        }

        return Literal(Encoding.UTF8.GetBytes(value));
    }

    public ImapWriter NString(string? value) => value is null ? Nil() : String(value);

    /// <summary>An astring: an atom when the text allows it (mailbox names, flags), a string otherwise.</summary>
    public ImapWriter AString(string value)
    {
        if (value.Length > 0 && value.Length < 1024 && value.All(c => c > ' ' && c < 0x7f && c is not ('(' or ')' or '{' or '%' or '*' or '"' or '\\')))
        {
            return Raw(value);
        }

        return String(value);
    }

    public ImapWriter Literal(ReadOnlySpan<byte> bytes)
    {
        Byte('{').Number((long)bytes.Length).Raw("}\r\n"u8);
        return Raw(bytes);
    }

    /// <summary>A literal, or NIL for null.</summary>
    public ImapWriter NLiteral(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? Literal(b.Span) : Nil();

    public ImapWriter FlagList(IEnumerable<string> flags)
    {
        Byte('(');
        var first = true;
        foreach (var flag in flags)
        {
            if (!first)
            {
                Space();
            }

            Raw(flag);
            first = false;
        }

        return Byte(')');
    }

    private bool CanQuote(string value)
    {
        if (value.Length > 1000)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is '\r' or '\n' or '\0' || (c >= 0x80 && !Utf8))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>IMAP date-time: <c>"17-Jul-1996 02:44:25 -0700"</c>.</summary>
    public ImapWriter DateTime(DateTimeOffset value)
    {
        var offset = value.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return Raw(string.Create(CultureInfo.InvariantCulture,
            $"\"{value.Day:00}-{value.ToString("MMM", CultureInfo.InvariantCulture)}-{value.Year:0000} {value.Hour:00}:{value.Minute:00}:{value.Second:00} {sign}{offset.Hours:00}{offset.Minutes:00}\""));
    }
}
