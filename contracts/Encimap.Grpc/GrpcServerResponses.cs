using Microsoft.AspNetCore.Http;

namespace Encimap.Grpc;

/// <summary>The HTTP side of a server call: admission checks, response headers and the status.</summary>
internal static class GrpcServerResponses
{
    /// <summary>
    /// Refuses what is not a gRPC call we can serve with a plain HTTP status (and a grpc-status for
    /// gRPC clients that look only at that): 415 for another media type, 426 below HTTP/2.
    /// </summary>
    public static bool TryAcceptRequest(HttpContext http)
    {
        var request = http.Request;
        if (!GrpcProtocol.IsProtobufGrpcContentType(request.ContentType))
        {
            Refuse(http, StatusCodes.Status415UnsupportedMediaType, $"Content-Type '{request.ContentType}' is not supported.");
            return false;
        }

        if (!HttpProtocol.IsHttp2(request.Protocol) && !HttpProtocol.IsHttp3(request.Protocol))
        {
            Refuse(http, StatusCodes.Status426UpgradeRequired, $"Request protocol '{request.Protocol}' is not supported.");
            return false;
        }

        return true;
    }

    public static void StartGrpcResponse(HttpContext http)
    {
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = GrpcProtocol.ContentType;
        // We only ever speak identity; saying so lets peers skip compressing for us.
        response.Headers[GrpcProtocol.AcceptEncodingHeader] = GrpcProtocol.IdentityEncoding;
    }

    /// <summary>
    /// A client that compresses with an encoding we don't have gets UNIMPLEMENTED (our
    /// grpc-accept-encoding response header tells it what we accept), per PROTOCOL-HTTP2.md.
    /// </summary>
    public static void ThrowIfRequestCompressed(HttpContext http)
    {
        var encoding = http.Request.Headers[GrpcProtocol.EncodingHeader].ToString();
        if (!GrpcProtocol.IsIdentityEncoding(encoding))
        {
            throw new GrpcStatusException(StatusCode.Unimplemented, $"Unsupported grpc-encoding value '{encoding}'. Supported encodings: identity");
        }
    }

    /// <summary>
    /// Ends the call: in trailers after messages, or as a trailers-only response (the status in
    /// the only HEADERS frame, with END_STREAM) when no message was sent.
    /// </summary>
    public static void WriteStatus(
        HttpContext http,
        bool messagesWritten,
        GrpcServerStatus status,
        IDictionary<string, string> handlerTrailers)
    {
        if (http.RequestAborted.IsCancellationRequested)
        {
            return;
        }

        var trailers = CollectTrailers(status, handlerTrailers);
        if (messagesWritten)
        {
            foreach (var (name, value) in trailers)
            {
                http.Response.AppendTrailer(name, value);
            }
        }
        else
        {
            foreach (var (name, value) in trailers)
            {
                http.Response.Headers[name] = value;
            }
        }
    }

    /// <summary>Answers a call to a method nobody mapped.</summary>
    public static void WriteUnimplemented(HttpContext http)
    {
        StartGrpcResponse(http);
        var status = new GrpcServerStatus(StatusCode.Unimplemented, $"Method {http.Request.Path} is unimplemented.");
        WriteStatus(http, messagesWritten: false, status, new Dictionary<string, string>());
    }

    private static void Refuse(HttpContext http, int httpStatus, string detail)
    {
        http.Response.StatusCode = httpStatus;
        http.Response.Headers[GrpcProtocol.StatusHeader] = ((int)StatusCode.Internal).ToString(System.Globalization.CultureInfo.InvariantCulture);
        http.Response.Headers[GrpcProtocol.MessageHeader] = GrpcStatusMessage.Encode(detail);
    }

    private static List<KeyValuePair<string, string>> CollectTrailers(GrpcServerStatus status, IDictionary<string, string> handlerTrailers)
    {
        var trailers = new List<KeyValuePair<string, string>>();
        AddCustom(trailers, handlerTrailers);
        if (status.Trailers is not null)
        {
            AddCustom(trailers, status.Trailers);
        }

        trailers.Add(new(GrpcProtocol.StatusHeader, ((int)status.Code).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (!string.IsNullOrEmpty(status.Detail))
        {
            trailers.Add(new(GrpcProtocol.MessageHeader, GrpcStatusMessage.Encode(status.Detail)));
        }

        return trailers;
    }

    private static void AddCustom(List<KeyValuePair<string, string>> trailers, IEnumerable<KeyValuePair<string, string>> custom)
    {
        foreach (var (name, value) in custom)
        {
            if (!GrpcProtocol.IsReservedHeader(name))
            {
                trailers.Add(new(name.ToLowerInvariant(), value));
            }
        }
    }
}
