using System.Text;
using System.Text.Unicode;
using MimeKit;

namespace Encimap.Mime;

/// <summary>
/// Header fields as written. IMAP reports most header text undecoded (RFC 3501 §7.4.2: ENVELOPE
/// strings and BODYSTRUCTURE's id, description, md5 and location keep their RFC 2047 words), so
/// these read MimeKit's raw bytes rather than its decoded values.
/// </summary>
public static class RawHeader
{
    /// <summary>windows-1252: what undeclared 8-bit text in mail almost always is.</summary>
    internal static Encoding Windows1252 { get; } = LoadWindows1252();

    /// <summary>The first field named <paramref name="name"/> (case-insensitive), or null.</summary>
    public static Header? First(HeaderList headers, string name)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var index = headers.IndexOf(name);
        return index < 0 ? null : headers[index];
    }

    /// <summary>The unfolded and trimmed value of the first field named <paramref name="name"/>, or null.</summary>
    public static string? Value(HeaderList headers, string name) => First(headers, name) is { } header ? Value(header) : null;

    /// <summary>
    /// The field body unfolded (RFC 5322 §2.2.3: line breaks removed, the whitespace after them
    /// kept) and trimmed, RFC 2047 words not decoded. Bytes read as UTF-8 (RFC 6532), or as
    /// windows-1252 when they are not valid UTF-8.
    /// </summary>
    public static string Value(Header header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var raw = header.RawValue;
        var unfolded = raw.AsSpan().IndexOfAny((byte)'\r', (byte)'\n') < 0 ? raw : Unfold(raw);
        return Text(Trim(unfolded));
    }

    /// <summary>"Name: value" exactly as in the message, folding included, without the final line break.</summary>
    public static byte[] Field(Header header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var value = header.RawValue.AsSpan();
        var end = value.Length;
        if (end > 0 && value[end - 1] == '\n') end--;
        if (end > 0 && value[end - 1] == '\r') end--;
        var field = new byte[header.RawField.Length + 1 + end];
        header.RawField.CopyTo(field, 0);
        field[header.RawField.Length] = (byte)':';
        value[..end].CopyTo(field.AsSpan(header.RawField.Length + 1));
        return field;
    }

    /// <summary>Bytes of undeclared charset as text: UTF-8 when valid, windows-1252 otherwise.</summary>
    internal static string Text(ReadOnlySpan<byte> bytes) =>
        Utf8.IsValid(bytes) ? Encoding.UTF8.GetString(bytes) : Windows1252.GetString(bytes);

    private static Encoding LoadWindows1252()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding(1252);
    }

    private static byte[] Unfold(byte[] raw)
    {
        var buffer = new byte[raw.Length];
        var length = 0;
        foreach (var b in raw)
        {
            if (b is not ((byte)'\r' or (byte)'\n')) buffer[length++] = b;
        }
        return buffer[..length];
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> bytes) => bytes.Trim(" \t\r\n"u8);
}
