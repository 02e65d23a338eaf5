using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Google.Protobuf;

namespace Encimap.Grpc;

/// <summary>
/// Reads length-prefixed gRPC messages from a pipe: the server's request body and the client's
/// response body alike.
/// </summary>
internal static class GrpcFrameReader
{
    /// <summary>
    /// Reads the next message, or returns null when the body ended cleanly between messages.
    /// Oversized messages are refused from their header, before their payload is buffered.
    /// </summary>
    public static async ValueTask<T?> ReadMessageAsync<T>(
        PipeReader reader,
        MessageParser<T> parser,
        int maxMessageSize,
        CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (TryReadFrame(buffer, maxMessageSize, out var payload))
            {
                var message = Parse(parser, payload);
                reader.AdvanceTo(payload.End);
                return message;
            }

            if (result.IsCompleted)
            {
                var leftover = buffer.Length;
                reader.AdvanceTo(buffer.End);
                if (leftover == 0)
                {
                    return null;
                }

                throw new GrpcStatusException(StatusCode.Internal, "Incomplete message: the stream ended inside a frame.");
            }

            // Nothing consumed, everything examined: wait for more bytes.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryReadFrame(ReadOnlySequence<byte> buffer, int maxMessageSize, out ReadOnlySequence<byte> payload)
    {
        payload = default;
        if (buffer.Length < GrpcProtocol.FrameHeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[GrpcProtocol.FrameHeaderSize];
        buffer.Slice(0, GrpcProtocol.FrameHeaderSize).CopyTo(header);
        ThrowIfCompressed(header[0]);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxMessageSize)
        {
            throw new GrpcStatusException(
                StatusCode.ResourceExhausted,
                $"Received message larger than max ({length} vs. {maxMessageSize})");
        }

        if (buffer.Length - GrpcProtocol.FrameHeaderSize < length)
        {
            return false;
        }

        payload = buffer.Slice(GrpcProtocol.FrameHeaderSize, length);
        return true;
    }

    /// <summary>
    /// We never negotiate compression (no grpc-accept-encoding but identity), so a compressed
    /// frame is a protocol violation by the peer: INTERNAL, as PROTOCOL-HTTP2.md prescribes.
    /// </summary>
    private static void ThrowIfCompressed(byte flag)
    {
        if (flag == 1)
        {
            throw new GrpcStatusException(StatusCode.Internal, "Compressed message received, but no compression was negotiated.");
        }

        if (flag != 0)
        {
            throw new GrpcStatusException(StatusCode.Internal, $"Invalid compressed flag {flag} in message header.");
        }
    }

    private static T Parse<T>(MessageParser<T> parser, ReadOnlySequence<byte> payload)
        where T : class, IMessage<T>
    {
        try
        {
            return parser.ParseFrom(payload);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new GrpcStatusException(StatusCode.Internal, "Failed to deserialize the message.");
        }
    }
}
