using System.Buffers;

namespace Encimap.Smtp;

/// <summary>
/// Checks raw message bytes (BDAT chunks) for line breaks other than CRLF, across chunk
/// boundaries.
/// </summary>
public sealed class SmtpLineBreakChecker
{
    private bool _pendingCr;

    public SmtpDataStatus Status { get; private set; } = SmtpDataStatus.NeedMore;

    public SmtpDataStatus Check(ReadOnlySpan<byte> bytes)
    {
        if (Status != SmtpDataStatus.NeedMore)
        {
            return Status;
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (_pendingCr)
            {
                if (b != (byte)'\n')
                {
                    return Status = SmtpDataStatus.BareCarriageReturn;
                }

                _pendingCr = false;
                continue;
            }

            var next = bytes[i..].IndexOfAny((byte)'\r', (byte)'\n');
            if (next < 0)
            {
                break;
            }

            i += next;
            if (bytes[i] == (byte)'\n')
            {
                return Status = SmtpDataStatus.BareLineFeed;
            }

            _pendingCr = true;
        }

        return Status;
    }

    /// <summary>At the end of the message: a final lone CR is a bare CR.</summary>
    public SmtpDataStatus Finish() => Status == SmtpDataStatus.NeedMore && _pendingCr ? Status = SmtpDataStatus.BareCarriageReturn : Status;
}
