using System.Buffers;
using System.Text;

namespace Encimap.Imap.Protocol;

/// <summary>
/// The byte-level receiver of client commands. It frames commands (lines and the literals they
/// announce), enforces the line and literal limits, and hands each complete command to
/// <see cref="ImapParser"/>. It never blocks and never writes: the caller owns the transport.
/// A command that breaks a limit is answered BAD and the connection goes on: what the client
/// still sends of it (the rest of an overlong line, a non-synchronizing literal it announced) is
/// read and dropped, so the next command is framed where it starts.
/// </summary>
public sealed class ImapCommandReceiver
{
    // Long enough for the end of a line that announces a literal: "{" 19 digits "+}" CR.
    private const int TailLength = 32;

    private readonly ImapLimits _limits;
    private readonly ArrayBufferWriter<byte> _command = new(256);
    private long _literalRemaining;
    private int? _lineStart;

    // Dropping the rest of a refused command: the answer it gets, and the end of the line being dropped.
    private ReceiveResult? _refusal;
    private readonly List<byte> _droppedTail = new(TailLength);

    public ImapCommandReceiver(ImapLimits? limits = null)
    {
        _limits = limits ?? new ImapLimits();
    }

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
                if (_refusal is null)
                {
                    foreach (var segment in buffer.Slice(0, take))
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
                if (_refusal is null && CurrentLineLength() + buffer.Length > _limits.MaxLineLength)
                {
                    Refuse(new ReceiveResult(ReceiveStatus.Error, Tag: TagOf(buffer), Error: "line too long"));
                }

                if (_refusal is not null)
                {
                    KeepTail(buffer);
                }
                else
                {
                    _lineStart ??= _command.WrittenCount;
                    foreach (var segment in buffer)
                    {
                        _command.Write(segment.Span);
                    }
                }

                buffer = buffer.Slice(buffer.End);
                return new ReceiveResult(ReceiveStatus.NeedMoreData);
            }

            var line = buffer.Slice(0, buffer.GetPosition(1, newline.Value));
            buffer = buffer.Slice(line.End);
            if (_refusal is null && CurrentLineLength() + line.Length > _limits.MaxLineLength + 2)
            {
                Refuse(new ReceiveResult(ReceiveStatus.Error, Tag: TagOf(line), Error: "line too long"));
            }

            if (_refusal is { } refusal)
            {
                // The refused command goes on while its lines announce non-synchronizing literals
                // (the client sends those without waiting); it ends with any other line.
                KeepTail(line);
                if (TryLiteralAnnouncement(WithoutLineEnd(_droppedTail.ToArray()), out var dropped, out var droppedNonSync) && droppedNonSync)
                {
                    _droppedTail.Clear();
                    _literalRemaining = dropped;
                    continue;
                }

                Reset();
                return refusal;
            }

            var start = _lineStart ?? _command.WrittenCount;
            foreach (var segment in line)
            {
                _command.Write(segment.Span);
            }

            _lineStart = null;
            var lineBytes = _command.WrittenSpan[start..];
            if (TryLiteralAnnouncement(WithoutLineEnd(lineBytes), out var size, out var nonSync))
            {
                // MULTIAPPEND puts several messages in one command: the whole command is bounded too.
                if (size > _limits.MaxLiteralSize || _command.WrittenCount + size > _limits.MaxCommandSize)
                {
                    var tooBig = new ReceiveResult(ReceiveStatus.Error, Tag: TagOf(), Error: "literal too large", ResponseCode: "TOOBIG");
                    if (!nonSync)
                    {
                        // No "+": the client does not send it (RFC 9051 §7.5).
                        Reset();
                        return tooBig;
                    }

                    // The client sends a non-synchronizing literal whatever we answer (RFC 7888 §4).
                    Refuse(tooBig);
                    _literalRemaining = size;
                    continue;
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

    private long CurrentLineLength() => _lineStart is { } start ? _command.WrittenCount - start : 0;

    /// <summary>From now on the command's bytes are dropped; it is answered with <paramref name="refusal"/> when it ends.</summary>
    private void Refuse(ReceiveResult refusal)
    {
        _refusal = refusal;
        _droppedTail.Clear();
        if (_lineStart is { } start)
        {
            KeepTail(new ReadOnlySequence<byte>(_command.WrittenMemory[start..]));
        }

        _command.Clear();
        _lineStart = null;
    }

    private void KeepTail(ReadOnlySequence<byte> bytes)
    {
        var tail = bytes.Length > TailLength ? bytes.Slice(bytes.Length - TailLength) : bytes;
        foreach (var segment in tail)
        {
            _droppedTail.AddRange(segment.Span);
        }

        if (_droppedTail.Count > TailLength)
        {
            _droppedTail.RemoveRange(0, _droppedTail.Count - TailLength);
        }
    }

    private static ReadOnlySpan<byte> WithoutLineEnd(ReadOnlySpan<byte> line)
    {
        var end = line.Length;
        if (end > 0 && line[end - 1] == '\n')
        {
            end--;
        }

        if (end > 0 && line[end - 1] == '\r')
        {
            end--;
        }

        return line[..end];
    }

    private void Reset()
    {
        _command.Clear();
        _literalRemaining = 0;
        _lineStart = null;
        _refusal = null;
        _droppedTail.Clear();
    }

    /// <summary>The tag of the command being received: at the start of what is buffered, or of <paramref name="pending"/>.</summary>
    private string? TagOf(ReadOnlySequence<byte> pending = default)
    {
        var span = _command.WrittenCount > 0 ? _command.WrittenSpan : pending.Slice(0, Math.Min(pending.Length, 64)).ToArray();
        var end = span.IndexOfAny((byte)' ', (byte)'\r', (byte)'\n');
        var tag = end < 0 ? span : span[..end];
        return tag.Length is > 0 and < 64 ? Encoding.ASCII.GetString(tag) : null;
    }

    /// <summary>Whether the line ends with <c>{N}</c> or <c>{N+}</c> (or literal8 <c>~{N}</c>).</summary>
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
