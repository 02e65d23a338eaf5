using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace Encimap.Grpc;

/// <summary>Writes gRPC messages as uncompressed length-prefixed frames.</summary>
internal static class GrpcFrameWriter
{
    /// <summary>Serializes straight into the writer (the response pipe), no intermediate copy.</summary>
    public static void WriteMessage(IBufferWriter<byte> writer, IMessage message, int maxMessageSize)
    {
        var length = MeasureWithinLimit(message, maxMessageSize);
        var header = writer.GetSpan(GrpcProtocol.FrameHeaderSize);
        WriteHeader(header, length);
        writer.Advance(GrpcProtocol.FrameHeaderSize);
        if (length > 0)
        {
            message.WriteTo(writer);
        }
    }

    /// <summary>One array holding the whole frame: the client's request body, re-sendable on retries.</summary>
    public static byte[] ToFrame(IMessage message, int maxMessageSize)
    {
        var length = MeasureWithinLimit(message, maxMessageSize);
        var frame = new byte[GrpcProtocol.FrameHeaderSize + length];
        WriteHeader(frame, length);
        message.WriteTo(frame.AsSpan(GrpcProtocol.FrameHeaderSize));
        return frame;
    }

    private static int MeasureWithinLimit(IMessage message, int maxMessageSize)
    {
        var length = message.CalculateSize();
        if (length > maxMessageSize)
        {
            throw new GrpcStatusException(
                StatusCode.ResourceExhausted,
                $"Sent message larger than max ({length} vs. {maxMessageSize})");
        }

        return length;
    }

    private static void WriteHeader(Span<byte> header, int length)
    {
        header[0] = 0; // not compressed
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)length);
    }
}
