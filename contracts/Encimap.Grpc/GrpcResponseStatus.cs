using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Encimap.Grpc;

/// <summary>Reads the status of a response: from its HTTP status, its headers (trailers-only) or its trailers.</summary>
internal static class GrpcResponseStatus
{
    /// <summary>
    /// A response that is not a gRPC response (a proxy's error page, another server) gets the
    /// status that grpc/doc/http-grpc-status-mapping.md assigns to its HTTP status.
    /// </summary>
    public static void ThrowIfNotGrpcResponse(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new GrpcStatusException(FromHttpStatus(response.StatusCode), $"Bad gRPC response. HTTP status code: {(int)response.StatusCode}");
        }

        var contentType = response.Content.Headers.ContentType?.ToString();
        if (!GrpcProtocol.IsGrpcContentType(contentType))
        {
            throw new GrpcStatusException(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: {contentType}");
        }
    }

    /// <summary>A trailers-only response carries grpc-status in its only HEADERS frame.</summary>
    public static bool TryReadTrailersOnly(HttpResponseMessage response, out GrpcStatusException? error)
    {
        error = null;
        if (!response.Headers.Contains(GrpcProtocol.StatusHeader))
        {
            return false;
        }

        error = ReadStatus(response.Headers);
        return true;
    }

    /// <summary>The status after the body has been read to its end; null for OK.</summary>
    public static GrpcStatusException? ReadTrailers(HttpResponseMessage response) => ReadStatus(response.TrailingHeaders);

    private static GrpcStatusException? ReadStatus(HttpHeaders headers)
    {
        var statusText = FirstValue(headers, GrpcProtocol.StatusHeader);
        if (statusText is null)
        {
            return new GrpcStatusException(StatusCode.Internal, "The response ended without a grpc-status.");
        }

        if (!int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return new GrpcStatusException(StatusCode.Unknown, $"Unparsable grpc-status '{statusText}'.");
        }

        if (code == (int)StatusCode.OK)
        {
            return null;
        }

        // Codes beyond the 17 known ones are kept numerically, as other implementations do.
        var detail = GrpcStatusMessage.Decode(FirstValue(headers, GrpcProtocol.MessageHeader));
        return new GrpcStatusException((StatusCode)code, detail, CustomMetadata(headers));
    }

    private static Dictionary<string, string> CustomMetadata(HttpHeaders headers)
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in headers.NonValidated)
        {
            if (!GrpcProtocol.IsReservedHeader(name))
            {
                metadata[name] = string.Join(",", values);
            }
        }

        return metadata;
    }

    private static string? FirstValue(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static StatusCode FromHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };
}
