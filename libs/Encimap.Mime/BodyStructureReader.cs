using MimeKit;

namespace Encimap.Mime;

/// <summary>
/// Builds <see cref="BodyStructure"/> from MimeKit's parse of a message: MimeKit gives the tree,
/// the content types and dispositions, and (through the parser's entity events) each entity's
/// byte offsets; what IMAP reports as written (ids, descriptions, RFC 2047 parameter values,
/// the transfer encoding token) and the line counts come from the bytes themselves.
/// </summary>
internal sealed class BodyStructureReader
{
    /// <summary>Most entities reported; parts beyond it are left out (their bytes stay in their parent's range).</summary>
    internal const int MaxParts = 10_000;

    private static readonly IReadOnlyDictionary<string, string> NoParameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    private readonly ReadOnlyMemory<byte> _source;
    private readonly Dictionary<MimeEntity, Offsets> _offsets = new(ReferenceEqualityComparer.Instance);
    private int _parts;

    private BodyStructureReader(ReadOnlyMemory<byte> source) => _source = source;

    private readonly record struct Offsets(int Begin, int HeadersEnd, int End);

    public static BodyStructure Read(ReadOnlyMemory<byte> message) => ReadWithEnvelope(message).BodyStructure;

    /// <summary>The body structure and the envelope of the message's own header, from one parse.</summary>
    public static ImapMetadata ReadWithEnvelope(ReadOnlyMemory<byte> message)
    {
        var reader = new BodyStructureReader(message);
        var begins = new Dictionary<MimeEntity, long>(ReferenceEqualityComparer.Instance);
        using var stream = MessageReader.OpenRead(message);
        var parser = new MimeParser(MessageReader.Options, stream, MimeFormat.Entity, persistent: true);
        parser.MimeEntityBegin += (_, e) => begins[e.Entity] = e.BeginOffset;
        parser.MimeEntityEnd += (_, e) => reader._offsets[e.Entity] = new Offsets(
            (int)begins[e.Entity], (int)e.HeadersEndOffset, (int)e.EndOffset);
        MimeMessage parsed;
        try
        {
            parsed = parser.ParseMessage();
        }
        catch (FormatException)
        {
            return new ImapMetadata(Envelope.Empty, Unparsed(message));
        }

        using (parsed)
        {
            var structure = parsed.Body is { } body && reader._offsets.ContainsKey(body) ? reader.FromEntity(body) : Unparsed(message);
            return new ImapMetadata(Envelope.FromHeaders(parsed.Headers), structure);
        }
    }

    /// <summary>Not even a header (RFC 5322 §2.1): all of it is the body of a text/plain message.</summary>
    private static BodyStructure Unparsed(ReadOnlyMemory<byte> message) =>
        Leaf(ContentType(TextPlain), NoParameters, null, "7bit", null, null, null, null, null,
            new Offsets(0, 0, message.Length), BodyStructure.CountLines(message.Span));

    private BodyStructure FromEntity(MimeEntity entity)
    {
        _parts++;
        var offsets = _offsets.GetValueOrDefault(entity);
        var headers = entity.Headers;
        var type = EffectiveType(entity);
        var encoding = TransferEncoding(headers);
        var id = RawHeader.Value(headers, "Content-ID");
        var description = RawHeader.Value(headers, "Content-Description");
        var md5 = RawHeader.Value(headers, "Content-MD5");
        var disposition = Disposition(entity);
        var language = RawHeader.Value(headers, "Content-Language") is { } tags ? Languages(tags) : null;
        var location = RawHeader.Value(headers, "Content-Location");

        if (entity is Multipart multipart && Children(multipart) is { Count: > 0 } children)
        {
            var (headerStart, headerLength, bodyStart, bodyLength) = Ranges(offsets);
            return new BodyStructure("multipart", Lower(type.MediaSubtype), Parameters(entity), id, description, encoding,
                bodyLength, null, md5, disposition, language, location, children, null, null,
                headerStart, headerLength, bodyStart, bodyLength);
        }

        if (entity is MessagePart { Message: { Body: { } innerBody } message } && IsEncapsulatedMessage(type) && _offsets.ContainsKey(innerBody))
        {
            var inner = FromEntity(innerBody);
            var (headerStart, headerLength, bodyStart, bodyLength) = Ranges(offsets);
            return new BodyStructure(Lower(type.MediaType), Lower(type.MediaSubtype), Parameters(entity), id, description, encoding,
                bodyLength, BodyStructure.CountLines(_source.Span.Slice(bodyStart, bodyLength)), md5, disposition, language, location, [],
                Envelope.FromHeaders(message.Headers), inner, headerStart, headerLength, bodyStart, bodyLength);
        }

        // A multipart without parts (no usable boundary) or beyond the nesting bound, and an
        // encapsulated message that could not be read, are reported as text/plain (RFC 2045 §5.2).
        var leafType = type.IsMimeType("multipart", "*") || IsEncapsulatedMessage(type) ? ContentType(TextPlain) : type;
        var parameters = ReferenceEquals(leafType, entity.ContentType) ? Parameters(entity) : NoParameters;
        var isText = leafType.IsMimeType("text", "*");
        var (start, length) = (offsets.HeadersEnd, offsets.End - offsets.HeadersEnd);
        return Leaf(leafType, parameters, id, encoding, description, md5, disposition, language, location, offsets,
            isText ? BodyStructure.CountLines(_source.Span.Slice(start, length)) : null);
    }

    private List<BodyStructure> Children(Multipart multipart)
    {
        var children = new List<BodyStructure>(multipart.Count);
        foreach (var child in multipart)
        {
            if (_parts >= MaxParts) break;
            if (_offsets.ContainsKey(child)) children.Add(FromEntity(child));
        }
        return children;
    }

    private static BodyStructure Leaf(ContentType type, IReadOnlyDictionary<string, string> parameters, string? id, string encoding,
        string? description, string? md5, ContentDisposition? disposition, IReadOnlyList<string>? language, string? location,
        Offsets offsets, int? lines)
    {
        if (type.IsMimeType("text", "*") && parameters.Count == 0)
        {
            parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["charset"] = "us-ascii" };
        }

        var (headerStart, headerLength, bodyStart, bodyLength) = Ranges(offsets);
        return new BodyStructure(Lower(type.MediaType), Lower(type.MediaSubtype), parameters, id, description, encoding,
            bodyLength, lines, md5, disposition, language, location, [], null, null, headerStart, headerLength, bodyStart, bodyLength);
    }

    private static (int HeaderStart, int HeaderLength, int BodyStart, int BodyLength) Ranges(Offsets offsets) =>
        (offsets.Begin, offsets.HeadersEnd - offsets.Begin, offsets.HeadersEnd, offsets.End - offsets.HeadersEnd);

    private const string TextPlain = "text/plain";

    /// <summary>
    /// The entity's content type; text/plain when its Content-Type field cannot be read, as
    /// RFC 2045 §5.2 recommends (MimeKit would say application/octet-stream).
    /// </summary>
    private static ContentType EffectiveType(MimeEntity entity) =>
        RawHeader.Value(entity.Headers, "Content-Type") is { } raw && !MimeKit.ContentType.TryParse(MessageReader.Options, raw, out _)
            ? ContentType(TextPlain)
            : entity.ContentType;

    private static ContentType ContentType(string mimeType) => MimeKit.ContentType.Parse(mimeType);

    /// <summary>message/rfc822 and message/global (RFC 6532 §3.7) carry a message IMAP describes.</summary>
    private static bool IsEncapsulatedMessage(ContentType type) =>
        type.IsMimeType("message", "rfc822") || type.IsMimeType("message", "global");

    private static string Lower(string value) => value.ToLowerInvariant();

    /// <summary>
    /// Content-Type parameters in order, names lower case, first of a repeated name kept: RFC 2231
    /// values joined and decoded, RFC 2047 words kept as written (as IMAP servers report them).
    /// </summary>
    private static IReadOnlyDictionary<string, string> Parameters(MimeEntity entity)
    {
        if (RawHeader.Value(entity.Headers, "Content-Type") is { } raw && EncodedWordShield.Hide(raw) is { } hidden
            && MimeKit.ContentType.TryParse(MessageReader.Options, hidden.Text, out var shielded))
        {
            return ParameterDictionary(shielded.Parameters, hidden.Shield);
        }

        return ParameterDictionary(entity.ContentType.Parameters, null);
    }

    private static ContentDisposition? Disposition(MimeEntity entity)
    {
        if (RawHeader.Value(entity.Headers, "Content-Disposition") is not { } raw)
        {
            return null;
        }

        var hidden = EncodedWordShield.Hide(raw);
        // MimeKit reads a field without a kind ("; filename=x") as an attachment; IMAP reports none.
        if (!MimeKit.ContentDisposition.TryParse(MessageReader.Options, hidden?.Text ?? raw, out var parsed)
            || string.IsNullOrEmpty(parsed.Disposition)
            || !raw.StartsWith(parsed.Disposition, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return new ContentDisposition(Lower(parsed.Disposition), ParameterDictionary(parsed.Parameters, hidden?.Shield));
    }

    private static Dictionary<string, string> ParameterDictionary(ParameterList parameters, EncodedWordShield? shield)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in parameters)
        {
            result.TryAdd(Lower(parameter.Name), shield?.Restore(parameter.Value) ?? parameter.Value);
        }
        return result;
    }

    /// <summary>The Content-Transfer-Encoding token in lower case, "7bit" when absent (RFC 2045 §6.1).</summary>
    private static string TransferEncoding(HeaderList headers)
    {
        var token = RawHeader.Value(headers, "Content-Transfer-Encoding") ?? "";
        var end = token.AsSpan().IndexOfAny(" \t(;");
        if (end >= 0) token = token[..end];
        return token.Length == 0 ? "7bit" : Lower(token);
    }

    private static string[]? Languages(string value)
    {
        var tags = value.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        return tags.Length == 0 ? null : tags;
    }
}
