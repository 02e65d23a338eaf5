using System.Text;

namespace Encimap.Mime;

/// <summary>
/// Builds the entity tree of one message over its raw bytes (RFC 2045 §3, RFC 2046 §5). One
/// instance parses one message; it counts entities against <see cref="MimeParserOptions.MaxParts"/>.
/// </summary>
internal sealed class EntityParser(ReadOnlyMemory<byte> raw, MimeParserOptions options)
{
    // Recursion is bounded by the depth limit; this caps the limit itself so that no option value
    // can exhaust the stack.
    private const int HardDepthLimit = 256;

    private readonly int _maxDepth = Math.Clamp(options.MaxDepth, 0, HardDepthLimit);
    private int _parts;

    public MimeMessage ParseMessage() =>
        new(raw, 0, ParseEntity(0, raw.Length, 0, ContentType.Default, skipMboxFromLine: true));

    private MimeEntity ParseEntity(int start, int end, int depth, ContentType defaultType, bool skipMboxFromLine = false)
    {
        _parts++;
        var block = HeaderBlockParser.Parse(raw, start, end, options, skipMboxFromLine);
        var headers = new HeaderList(block.Fields);
        var contentType = headers.First("Content-Type") is { } field
            ? ContentType.Parse(field.RawValue) ?? ContentType.Default
            : defaultType;
        var entity = new MimeEntity(raw, headers, contentType, start, block.HeaderLength, block.BodyStart, end - block.BodyStart)
        {
            Depth = depth,
        };

        if (contentType.IsMultipart)
        {
            ParseMultipart(entity);
        }
        else if (contentType.IsEncapsulatedMessage)
        {
            ParseEncapsulatedMessage(entity);
        }
        return entity;
    }

    private bool CanNest(MimeEntity entity) => entity.Depth < _maxDepth && _parts < options.MaxParts;

    private void ParseEncapsulatedMessage(MimeEntity entity)
    {
        if (!CanNest(entity))
        {
            entity.ContentType = ContentType.Default;
            return;
        }
        var root = ParseEntity(entity.BodyStart, entity.BodyStart + entity.BodyLength, entity.Depth + 1, ContentType.Default);
        entity.EncapsulatedMessage = new MimeMessage(entity.RawBody, entity.BodyStart, root);
    }

    /// <summary>
    /// Splits a multipart body at its boundary delimiters (RFC 2046 §5.1.1). Without a usable
    /// boundary, or beyond the limits, the entity becomes a single text/plain part.
    /// </summary>
    private void ParseMultipart(MimeEntity entity)
    {
        var boundary = entity.ContentType.Boundary;
        if (!CanNest(entity) || string.IsNullOrEmpty(boundary))
        {
            entity.ContentType = ContentType.Default;
            return;
        }

        var bodyStart = entity.BodyStart;
        var bodyEnd = bodyStart + entity.BodyLength;
        var delimiters = FindDelimiters(bodyStart, bodyEnd, Encoding.UTF8.GetBytes("--" + boundary), options.MaxParts - _parts);
        if (delimiters.Count == 0)
        {
            entity.ContentType = ContentType.Default;
            return;
        }

        entity.Preamble = (bodyStart, BreakBefore(delimiters[0].Start, bodyStart) - bodyStart);
        var childDefault = entity.ContentType.MediaSubtype == "digest" ? ContentType.MessageRfc822 : ContentType.Default;
        var children = new List<MimeEntity>(delimiters.Count);
        for (var i = 0; i < delimiters.Count; i++)
        {
            var delimiter = delimiters[i];
            if (delimiter.IsClose)
            {
                entity.Epilogue = (delimiter.NextLine, bodyEnd - delimiter.NextLine);
                break;
            }
            var partStart = delimiter.NextLine;
            var partEnd = i + 1 < delimiters.Count ? Math.Max(partStart, BreakBefore(delimiters[i + 1].Start, partStart)) : bodyEnd;
            children.Add(ParseEntity(partStart, partEnd, entity.Depth + 1, childDefault));
        }

        if (children.Count == 0)
        {
            // Only a close delimiter: nothing to show as parts.
            entity.ContentType = ContentType.Default;
            entity.Preamble = default;
            entity.Epilogue = default;
            return;
        }
        entity.Children = children;
    }

    private readonly record struct Delimiter(int Start, int NextLine, bool IsClose);

    /// <summary>
    /// Delimiter lines in [start, end): "--boundary" at the start of a line, then "--" for the
    /// close delimiter, then optional transport padding (whitespace) up to the line break.
    /// Stops after the close delimiter or after <paramref name="maxParts"/> part delimiters.
    /// </summary>
    private List<Delimiter> FindDelimiters(int start, int end, byte[] pattern, int maxParts)
    {
        var span = raw.Span;
        var found = new List<Delimiter>();
        var pos = start;
        while (pos < end && found.Count < maxParts)
        {
            var index = span[pos..end].IndexOf(pattern);
            if (index < 0) break;
            var at = pos + index;
            pos = at + 1;
            if (at != start && span[at - 1] != (byte)'\n') continue;
            if (!IsDelimiterLine(span, at + pattern.Length, end, out var isClose)) continue;

            var nextLine = HeaderBlockParser.NextLineStart(span, at, end);
            found.Add(new Delimiter(at, nextLine, isClose));
            if (isClose) break;
            pos = nextLine;
        }
        return found;
    }

    private static bool IsDelimiterLine(ReadOnlySpan<byte> span, int pos, int end, out bool isClose)
    {
        isClose = pos + 1 < end && span[pos] == (byte)'-' && span[pos + 1] == (byte)'-';
        // Whatever follows a close delimiter on its line is epilogue.
        if (isClose) return true;
        while (pos < end && span[pos] is (byte)' ' or (byte)'\t') pos++;
        return pos == end || span[pos] == (byte)'\n' || (span[pos] == (byte)'\r' && (pos + 1 == end || span[pos + 1] == (byte)'\n'));
    }

    /// <summary>
    /// Where the line break before a delimiter starts: the CRLF (or LF) preceding a delimiter
    /// belongs to the delimiter, not to the part before it (RFC 2046 §5.1.1).
    /// </summary>
    private int BreakBefore(int delimiterStart, int lowerBound)
    {
        var span = raw.Span;
        var pos = delimiterStart;
        if (pos > lowerBound && span[pos - 1] == (byte)'\n') pos--;
        if (pos > lowerBound && span[pos - 1] == (byte)'\r') pos--;
        return pos;
    }
}
