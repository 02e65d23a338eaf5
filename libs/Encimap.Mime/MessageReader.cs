// MIME parsing is MimeKit's: headers, address lists, RFC 2047/2231, charsets, content types and
// dispositions, and the entity tree with its byte offsets. This library keeps only what IMAP needs
// and MimeKit does not provide: ENVELOPE and BODYSTRUCTURE (RFC 3501 §7.4.2 / RFC 9051 §7.5.2) as
// records with the offsets that serve BODY[section], their stored JSON, and section resolution
// (BodyStructure.FindPart, the one place part numbers are resolved). It stays a project of its own,
// not part of Encimap.Imap.Protocol, because the intake builds and stores these records at delivery
// and the submission check reads From with the same options, while the protocol library stays free
// of a MIME parser and of storage formats.

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
    /// The header fields of <paramref name="message"/> (a message, or its header section alone):
    /// MimeKit stops at the empty line that ends the header, so the body is never read. Text that
    /// does not start with a header field yields an empty list (RFC 5322 §2.1: then all of it is
    /// body); a leading mbox separator ("From sender date", RFC 4155) or stray continuation line
    /// is skipped first.
    /// </summary>
    public static HeaderList ReadHeaders(ReadOnlyMemory<byte> message)
    {
        if (TryReadHeaders(message) is { } headers)
        {
            return headers;
        }

        var span = message.Span;
        var lineEnd = span.IndexOf((byte)'\n');
        var skippable = span.StartsWith("From "u8) || (!span.IsEmpty && span[0] is (byte)' ' or (byte)'\t');
        return skippable && lineEnd >= 0 && TryReadHeaders(message[(lineEnd + 1)..]) is { } afterFirstLine
            ? afterFirstLine
            : new HeaderList();
    }

    /// <summary>
    /// The header fields of the message <paramref name="message"/> starts with, read from the
    /// stream's current position up to the end of the header only: for messages spooled rather
    /// than held in memory. Throws <see cref="FormatException"/> when it does not start with a header.
    /// </summary>
    public static HeaderList ReadHeaders(Stream message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new MimeParser(Options, message, MimeFormat.Entity, persistent: false).ParseHeaders();
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
