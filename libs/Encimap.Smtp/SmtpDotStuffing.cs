using System.Buffers;

namespace Encimap.Smtp;

/// <summary>Dot-stuffing for sending (RFC 5321 §4.5.2), and the end-of-data line.</summary>
public static class SmtpDotStuffing
{
    /// <summary>
    /// Writes <paramref name="message"/> (CRLF line endings) with every line that starts with "."
    /// given another one, ending with CRLF "." CRLF.
    /// </summary>
    public static void Encode(ReadOnlySpan<byte> message, IBufferWriter<byte> output)
    {
        var atLineStart = true;
        while (!message.IsEmpty)
        {
            if (atLineStart && message[0] == (byte)'.')
            {
                output.Write("."u8);
            }

            var lf = message.IndexOf((byte)'\n');
            var line = lf < 0 ? message : message[..(lf + 1)];
            output.Write(line);
            atLineStart = lf >= 0;
            message = message[line.Length..];
        }

        output.Write(atLineStart ? ".\r\n"u8 : "\r\n.\r\n"u8);
    }
}
