using System.Buffers;

namespace Encimap.Smtp;

/// <summary>
/// Decodes DATA content (RFC 5321 §4.5.2): removes dot-stuffing, finds the end-of-data line, and
/// refuses any line break other than CRLF, so that "\n.\n" or "\r\n.\n" can never end a message
/// here while a downstream MTA sees a second one. Writes the message to <see cref="Output"/> up to
/// a size limit and keeps counting past it, so that the server can answer 552 after the data.
/// </summary>
public sealed class SmtpDataDecoder
{
    private enum State { LineStart, InLine, AfterCr, Dot, DotCr }

    private static readonly SearchValues<byte> LineBreaks = SearchValues.Create("\r\n"u8);

    private readonly IBufferWriter<byte> _output;
    private readonly long _maxSize;
    private State _state = State.LineStart;

    public SmtpDataDecoder(IBufferWriter<byte> output, long maxSize)
    {
        _output = output;
        _maxSize = maxSize;
    }

    public IBufferWriter<byte> Output => _output;

    /// <summary>Size of the decoded message so far, including what was dropped past the limit.</summary>
    public long Size { get; private set; }

    public bool TooLarge => Size > _maxSize;

    public SmtpDataStatus Status { get; private set; } = SmtpDataStatus.NeedMore;

    /// <summary>Decodes as much of <paramref name="input"/> as belongs to the message; <paramref name="consumed"/> says how much that was.</summary>
    public SmtpDataStatus Decode(ReadOnlySpan<byte> input, out int consumed)
    {
        var i = 0;
        while (i < input.Length && Status == SmtpDataStatus.NeedMore)
        {
            var b = input[i];
            switch (_state)
            {
                case State.InLine:
                {
                    var run = input[i..].IndexOfAny(LineBreaks);
                    if (run < 0)
                    {
                        Write(input[i..]);
                        i = input.Length;
                        continue;
                    }

                    Write(input.Slice(i, run));
                    i += run;
                    Status = input[i] == (byte)'\n' ? SmtpDataStatus.BareLineFeed : SmtpDataStatus.NeedMore;
                    _state = State.AfterCr;
                    break;
                }

                case State.LineStart:
                    if (b == (byte)'.')
                    {
                        _state = State.Dot;
                    }
                    else if (b == (byte)'\r')
                    {
                        _state = State.AfterCr;
                    }
                    else if (b == (byte)'\n')
                    {
                        Status = SmtpDataStatus.BareLineFeed;
                    }
                    else
                    {
                        _state = State.InLine;
                        continue;
                    }

                    break;

                case State.AfterCr:
                    if (b == (byte)'\n')
                    {
                        Write("\r\n"u8);
                        _state = State.LineStart;
                    }
                    else
                    {
                        Status = SmtpDataStatus.BareCarriageReturn;
                    }

                    break;

                case State.Dot:
                    if (b == (byte)'\r')
                    {
                        _state = State.DotCr;
                    }
                    else if (b == (byte)'\n')
                    {
                        Status = SmtpDataStatus.BareLineFeed;
                    }
                    else
                    {
                        // A stuffed dot: the first dot of the line is removed (§4.5.2).
                        _state = State.InLine;
                        continue;
                    }

                    break;

                case State.DotCr:
                    Status = b == (byte)'\n' ? SmtpDataStatus.Complete : SmtpDataStatus.BareCarriageReturn;
                    break;
            }

            i++;
        }

        consumed = i;
        return Status;
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        var before = Size;
        Size += bytes.Length;
        if (before >= _maxSize)
        {
            return;
        }

        var room = (int)Math.Min(bytes.Length, _maxSize - before);
        _output.Write(bytes[..room]);
    }
}
