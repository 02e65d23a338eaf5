using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace Encimap.Grpc.Tests.Infrastructure;

/// <summary>Hand-built gRPC requests, to check the server's wire format without our client.</summary>
public static class RawGrpc
{
    public static byte[] Frame(IMessage message, byte compressedFlag = 0)
    {
        var body = message.ToByteArray();
        var frame = new byte[5 + body.Length];
        frame[0] = compressedFlag;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }

    public static Task<HttpResponseMessage> PostAsync(
        HttpClient http,
        string path,
        byte[] body,
        string contentType = "application/grpc",
        params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TE.ParseAdd("trailers");
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return http.SendAsync(request);
    }

    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;

    public static string? Trailer(HttpResponseMessage response, string name) =>
        response.TrailingHeaders.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null;
}
