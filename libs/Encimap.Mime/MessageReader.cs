using System.Runtime.InteropServices;
using System.Text;
using MimeKit;

namespace Encimap.Mime;

/// <summary>
/// MimeKit's parser with the options every Encimap reader of mail uses: undeclared 8-bit header
/// text that is not UTF-8 reads as windows-1252 (what such mail almost always is), address lists
/// are parsed leniently (addresses without a domain, unquoted commas in names), and nesting is
/// bounded so that hostile input stays cheap. Messages are read from bytes already in memory
/// without copying them (the parser is persistent: bodies stay slices of the given bytes).
/// </summary>
public static class MessageReader
{
    /// <summary>Deepest nesting of multiparts and encapsulated messages that is parsed into a tree.</summary>
    public const int MaxDepth = 32;

    /// <summary>The parser options (shared, do not change).</summary>
    public static ParserOptions Options { get; } = CreateOptions();

    /// <summary>
    /// The header fields of <paramref name="header"/> (a header section, with or without its
    /// ending empty line). Text that is not a header at all yields an empty list.
    /// </summary>
    public static HeaderList ReadHeaders(ReadOnlyMemory<byte> header)
    {
        if (TryReadHeaders(header) is { } headers)
        {
            return headers;
        }

        // A leading mbox separator ("From sender date", RFC 4155) is not a header field.
        var span = header.Span;
        if (span.StartsWith("From "u8) && span.IndexOf((byte)'\n') is var end and >= 0 && TryReadHeaders(header[(end + 1)..]) is { } afterSeparator)
        {
            return afterSeparator;
        }

        return new HeaderList();
    }

    private static HeaderList? TryReadHeaders(ReadOnlyMemory<byte> header)
    {
        using var stream = OpenRead(header);
        var parser = new MimeParser(Options, stream, MimeFormat.Entity, persistent: true);
        try
        {
            return parser.ParseHeaders();
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// Parses a whole message held in memory. Throws <see cref="FormatException"/> when the
    /// bytes do not start with a header (see <see cref="BodyStructure.Parse"/> for a reader that
    /// never throws).
    /// </summary>
    public static MimeMessage ReadMessage(ReadOnlyMemory<byte> message)
    {
        var parser = new MimeParser(Options, OpenRead(message), MimeFormat.Entity, persistent: true);
        return parser.ParseMessage();
    }

    /// <summary>A read-only stream over the bytes, without copying them when they are an array's.</summary>
    internal static MemoryStream OpenRead(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false, publiclyVisible: true)
            : new MemoryStream(bytes.ToArray(), writable: false);

    private static ParserOptions CreateOptions()
    {
        var options = ParserOptions.Default.Clone();
        options.CharsetEncoding = RawHeader.Windows1252;
        options.AddressParserComplianceMode = RfcComplianceMode.Looser;
        options.AllowAddressesWithoutDomain = true;
        options.AllowUnquotedCommasInAddresses = true;
        options.MaxMimeDepth = MaxDepth;
        return options;
    }
}
