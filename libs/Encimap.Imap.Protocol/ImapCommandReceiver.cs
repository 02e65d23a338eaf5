using System.Buffers;
using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>
/// The byte-level receiver of client commands. It frames commands (lines and the literals they
/// announce), enforces the line and literal limits, and hands each complete command to
/// <see cref="ImapParser"/>. It never blocks and never writes: the caller owns the transport.
/// </summary>
public sealed class ImapCommandReceiver
{
    private readonly ImapLimits _limits;
    private readonly ArrayBufferWriter<byte> _command = new(256);
    private long _literalRemaining;
    private bool _discarding;

    public ImapCommandReceiver(ImapLimits? limits = null)
    {
        _limits = limits ?? new ImapLimits();
    }

    /// <summary>Whether LITERAL+ / LITERAL- non-synchronizing literals are accepted.</summary>
    public bool AllowNonSynchronizingLiterals { get; set; } = true;

    /// <summary>Consumes bytes from <paramref name="buffer"/> (advancing it) and reports what it found.</summary>
    public ReceiveResult Receive(ref ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            if (_literalRemaining > 0)
            {
                if (buffer.IsEmpty)
                {
                    return new ReceiveResult(ReceiveStatus.NeedMoreData);
                }

                var take = (int)Math.Min(_literalRemaining, Math.Min(buffer.Length, int.MaxValue));
                var slice = buffer.Slice(0, take);
                if (!_discarding)
                {
                    foreach (var segment in slice)
                    {
                        _command.Write(segment.Span);
                    }
                }

                buffer = buffer.Slice(take);
                _literalRemaining -= take;
                continue;
            }

            var newline = buffer.PositionOf((byte)'\n');
            if (newline is null)
            {
                if (CurrentLineLength() + buffer.Length > _limits.MaxLineLength)
                {
                    var tag = TagOf();
                    Reset();
                    buffer = buffer.Slice(buffer.End);
                    return new ReceiveResult(ReceiveStatus.Error, Tag: tag, Error: "line too long", Fatal: true);
                }

                if (!_discarding)
                {
                    foreach (var segment in buffer)
                    {
                        _command.Write(segment.Span);
                    }
                }

                _lineStart ??= _command.WrittenCount - (int)buffer.Length;
                buffer = buffer.Slice(buffer.End);
                return new ReceiveResult(ReceiveStatus.NeedMoreData);
            }

            var line = buffer.Slice(0, buffer.GetPosition(1, newline.Value));
            if (CurrentLineLength() + line.Length > _limits.MaxLineLength + 2)
            {
                var tag = TagOf();
                Reset();
                buffer = buffer.Slice(line.End);
                return new ReceiveResult(ReceiveStatus.Error, Tag: tag, Error: "line too long");
            }

            var start = _lineStart ?? _command.WrittenCount;
            foreach (var segment in line)
            {
                _command.Write(segment.Span);
            }

            buffer = buffer.Slice(line.End);
            _lineStart = null;
            var written = _command.WrittenSpan;
            var lineBytes = written[start..];
            var lineEnd = lineBytes.Length - 1;
            if (lineEnd > 0 && lineBytes[lineEnd - 1] == '\r')
            {
                lineEnd--;
            }

            if (TryLiteralAnnouncement(lineBytes[..lineEnd], out var size, out var nonSync))
            {
                if (size > _limits.MaxLiteralSize)
                {
                    var tag = TagOf();
                    Reset();
                    if (nonSync)
                    {
                        // The client sends the bytes whatever we answer: the connection cannot be resynchronized.
                        return new ReceiveResult(ReceiveStatus.Error, Tag: tag, Error: "literal too large", ResponseCode: "TOOBIG", Fatal: true);
                    }

                    return new ReceiveResult(ReceiveStatus.Error, Tag: tag, Error: "literal too large", ResponseCode: "TOOBIG");
                }

                if (nonSync && !AllowNonSynchronizingLiterals)
                {
                    var tag = TagOf();
                    Reset();
                    return new ReceiveResult(ReceiveStatus.Error, Tag: tag, Error: "non-synchronizing literals are not allowed", Fatal: true);
                }

                _literalRemaining = size;
                return new ReceiveResult(ReceiveStatus.NeedLiteral, LiteralSize: size, LiteralNonSynchronizing: nonSync, Tag: TagOf());
            }

            // A complete command.
            var bytes = _command.WrittenMemory.ToArray();
            Reset();
            try
            {
                return new ReceiveResult(ReceiveStatus.Command, ImapParser.Parse(bytes));
            }
            catch (ImapParseException e)
            {
                return new ReceiveResult(ReceiveStatus.Error, Tag: e.Tag, Error: e.Message);
            }
        }
    }

    /// <summary>
    /// Reads one raw line (an AUTHENTICATE response, IDLE's DONE) without parsing; false when no
    /// complete line is buffered yet. Lines longer than the limit are cut.
    /// </summary>
    public bool TryReadLine(ref ReadOnlySequence<byte> buffer, out string line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = "";
            if (buffer.Length > _limits.MaxLineLength)
            {
                buffer = buffer.Slice(buffer.End);
                line = "";
                return true;
            }

            return false;
        }

        var slice = buffer.Slice(0, newline.Value);
        line = Encoding.UTF8.GetString(slice.Length > _limits.MaxLineLength ? slice.Slice(0, _limits.MaxLineLength) : slice).TrimEnd('\r');
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private int? _lineStart;

    private long CurrentLineLength() => _lineStart is { } start ? _command.WrittenCount - start : 0;

    private void Reset()
    {
        _command.Clear();
        _literalRemaining = 0;
        _lineStart = null;
        _discarding = false;
    }

    private string? TagOf()
    {
        var span = _command.WrittenSpan;
        var end = span.IndexOfAny((byte)' ', (byte)'\r', (byte)'\n');
        var tag = end < 0 ? span : span[..end];
        return tag.Length is > 0 and < 64 ? Encoding.ASCII.GetString(tag) : null;
    }

    /// <summary>Whether the line ends with <c>{N}</c>, <c>{N+}</c> (or literal8 <c>~{N}</c>).</summary>
    internal static bool TryLiteralAnnouncement(ReadOnlySpan<byte> line, out long size, out bool nonSync)
    {
        size = 0;
        nonSync = false;
        if (line.Length < 3 || line[^1] != '}')
        {
            return false;
        }

        var open = line.LastIndexOf((byte)'{');
        if (open < 0)
        {
            return false;
        }

        var digits = line[(open + 1)..^1];
        if (digits.Length > 0 && digits[^1] == (byte)'+')
        {
            nonSync = true;
            digits = digits[..^1];
        }

        if (digits.Length is 0 or > 18)
        {
            return false;
        }

        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            size = size * 10 + (b - '0');
        }

        return true;
    }
}
