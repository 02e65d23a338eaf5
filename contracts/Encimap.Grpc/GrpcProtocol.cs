namespace Encimap.Grpc;

/// <summary>Names and constants of the gRPC over HTTP/2 wire protocol (PROTOCOL-HTTP2.md).</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string ProtoContentType = "application/grpc+proto";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string IdentityEncoding = "identity";
    public const string UserAgent = "grpc-dotnet-encimap/1.0";

    /// <summary>One byte compressed flag + four bytes big-endian message length.</summary>
    public const int FrameHeaderSize = 5;

    /// <summary>The default limit on one message, each way (grpc-dotnet uses 4 MiB to receive;
    /// our contracts carry whole messages with attachments, hence more).</summary>
    public const int DefaultMaxMessageSize = 64 * 1024 * 1024;

    /// <summary>
    /// True for <c>application/grpc</c> and <c>application/grpc+proto</c>, with or without
    /// parameters. Other subtypes (<c>+json</c>…) are gRPC but not a codec we speak.
    /// </summary>
    public static bool IsProtobufGrpcContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.AsSpan();
        var parameters = mediaType.IndexOf(';');
        if (parameters >= 0)
        {
            mediaType = mediaType[..parameters];
        }

        mediaType = mediaType.Trim();
        return mediaType.Equals(ContentType, StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals(ProtoContentType, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True for any <c>application/grpc</c> family media type, whatever the codec.</summary>
    public static bool IsGrpcContentType(string? contentType) =>
        contentType is not null
        && contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';');

    public static bool IsIdentityEncoding(string? encoding) =>
        string.IsNullOrEmpty(encoding) || string.Equals(encoding.Trim(), IdentityEncoding, StringComparison.OrdinalIgnoreCase);

    /// <summary>Headers that the transport itself writes; callers' metadata may not set them.</summary>
    public static bool IsReservedHeader(string name) =>
        name.StartsWith(':')
        || name.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("te", StringComparison.OrdinalIgnoreCase)
        || name.Equals("user-agent", StringComparison.OrdinalIgnoreCase);
}
