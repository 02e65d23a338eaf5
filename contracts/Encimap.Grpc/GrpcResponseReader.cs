using System.IO.Pipelines;
using Google.Protobuf;

namespace Encimap.Grpc;

/// <summary>
/// The reply side of one client call: reads messages until the body ends, then the status from
/// the trailers (or, for a trailers-only response, from the headers, with no body at all).
/// </summary>
internal sealed class GrpcResponseReader<T> : IAsyncDisposable
    where T : class, IMessage<T>
{
    private readonly HttpResponseMessage _response;
    private readonly PipeReader? _body;
    private readonly MessageParser<T> _parser;
    private readonly int _maxMessageSize;
    private bool _ended;

    private GrpcResponseReader(HttpResponseMessage response, PipeReader? body, MessageParser<T> parser, int maxMessageSize)
    {
        _response = response;
        _body = body;
        _parser = parser;
        _maxMessageSize = maxMessageSize;
        _ended = body is null;
    }

    /// <summary>Validates the response headers; takes ownership of the response.</summary>
    public static async Task<GrpcResponseReader<T>> OpenAsync(
        HttpResponseMessage response,
        MessageParser<T> parser,
        int maxMessageSize,
        CancellationToken cancellationToken)
    {
        try
        {
            GrpcResponseStatus.ThrowIfNotGrpcResponse(response);
            if (GrpcResponseStatus.TryReadTrailersOnly(response, out var error))
            {
                if (error is not null)
                {
                    throw error;
                }

                return new GrpcResponseReader<T>(response, body: null, parser, maxMessageSize);
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var body = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: false));
            return new GrpcResponseReader<T>(response, body, parser, maxMessageSize);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The next message, or null once the call ended with OK; a non-OK status is thrown.</summary>
    public async ValueTask<T?> ReadNextAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return null;
        }

        var message = await GrpcFrameReader.ReadMessageAsync(_body!, _parser, _maxMessageSize, cancellationToken).ConfigureAwait(false);
        if (message is not null)
        {
            return message;
        }

        // HttpClient fills TrailingHeaders once the body has been read to its end.
        _ended = true;
        var error = GrpcResponseStatus.ReadTrailers(_response);
        return error is null ? null : throw error;
    }

    public async ValueTask DisposeAsync()
    {
        // Disposing before the end resets the HTTP/2 stream (RST_STREAM CANCEL): the server's
        // token fires and it stops producing.
        if (_body is not null)
        {
            await _body.CompleteAsync().ConfigureAwait(false);
        }

        _response.Dispose();
    }
}
