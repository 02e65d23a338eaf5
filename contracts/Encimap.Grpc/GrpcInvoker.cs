using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace Encimap.Grpc;

/// <summary>
/// Makes gRPC calls over an <see cref="HttpClient"/> whose BaseAddress is the service
/// (<c>http://host:port</c>, cleartext HTTP/2 with prior knowledge). Typed clients wrap one.
/// Calls end with a reply or a <see cref="GrpcStatusException"/>, never another exception.
/// </summary>
public sealed class GrpcInvoker
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new(GrpcProtocol.ContentType);

    private readonly HttpClient _httpClient;
    private readonly GrpcClientPolicy _policy;

    public GrpcInvoker(HttpClient httpClient, GrpcClientOptions? options = null)
        : this(httpClient, new GrpcClientPolicy(options ?? new GrpcClientOptions()))
    {
    }

    /// <summary>Shares <paramref name="policy"/> (its circuit breaker) with other invokers of the same service.</summary>
    public GrpcInvoker(HttpClient httpClient, GrpcClientPolicy policy)
    {
        _httpClient = httpClient ?? throw new ArgumentNullException(nameof(httpClient));
        _policy = policy ?? throw new ArgumentNullException(nameof(policy));
    }

    private GrpcClientOptions Options => _policy.Options;

    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        TRequest request,
        GrpcCallOptions? options = null)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        RequireType(method, GrpcMethodType.Unary);
        options ??= GrpcCallOptions.Default;
        using var activity = GrpcTelemetry.StartClientActivity(method.ServiceName, method.MethodName, method.FullName);
        using var scope = new ClientCallScope(options.Deadline, options.CancellationToken);
        try
        {
            var frame = GrpcFrameWriter.ToFrame(request, Options.MaxSendMessageSize);
            var reply = await _policy.ExecuteAsync(
                method.Idempotent,
                ct => UnaryAttemptAsync(method, frame, options, scope, ct),
                scope.Token).ConfigureAwait(false);
            GrpcTelemetry.SetStatus(activity, StatusCode.OK);
            return reply;
        }
        catch (Exception e)
        {
            var status = scope.Translate(e);
            GrpcTelemetry.SetStatus(activity, status.StatusCode, status.Detail);
            throw status;
        }
    }

    /// <summary>
    /// Streams the replies of a server-streaming call. Nothing is sent until enumeration starts;
    /// stopping early cancels the call on the server.
    /// </summary>
    public IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        TRequest request,
        GrpcCallOptions? options = null)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        RequireType(method, GrpcMethodType.ServerStreaming);
        return StreamAsync(method, request, options ?? GrpcCallOptions.Default);
    }

    private async IAsyncEnumerable<TResponse> StreamAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        TRequest request,
        GrpcCallOptions options,
        [EnumeratorCancellation] CancellationToken enumeratorToken = default)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        using var activity = GrpcTelemetry.StartClientActivity(method.ServiceName, method.MethodName, method.FullName);
        using var scope = new ClientCallScope(options.Deadline, options.CancellationToken, enumeratorToken);
        var reader = await StartStreamAsync(method, request, options, scope, activity).ConfigureAwait(false);
        await using (reader.ConfigureAwait(false))
        {
            while (await ReadStreamAsync(reader, scope, activity).ConfigureAwait(false) is { } message)
            {
                yield return message;
            }
        }

        GrpcTelemetry.SetStatus(activity, StatusCode.OK);
    }

    private async Task<GrpcResponseReader<TResponse>> StartStreamAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        TRequest request,
        GrpcCallOptions options,
        ClientCallScope scope,
        System.Diagnostics.Activity? activity)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        try
        {
            var frame = GrpcFrameWriter.ToFrame(request, Options.MaxSendMessageSize);
            // Only establishing the call is retried: once replies flowed, repeating would duplicate them.
            return await _policy.ExecuteAsync(
                method.Idempotent,
                ct => new ValueTask<GrpcResponseReader<TResponse>>(StartAttemptAsync(method, frame, options, scope, ct)),
                scope.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Fail(scope, activity, e);
        }
    }

    private static async ValueTask<TResponse?> ReadStreamAsync<TResponse>(
        GrpcResponseReader<TResponse> reader,
        ClientCallScope scope,
        System.Diagnostics.Activity? activity)
        where TResponse : class, IMessage<TResponse>
    {
        try
        {
            return await reader.ReadNextAsync(scope.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Fail(scope, activity, e);
        }
    }

    private async ValueTask<TResponse> UnaryAttemptAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        byte[] frame,
        GrpcCallOptions options,
        ClientCallScope scope,
        CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        try
        {
            var reader = await StartAttemptAsync(method, frame, options, scope, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var reply = await reader.ReadNextAsync(cancellationToken).ConfigureAwait(false)
                    ?? throw new GrpcStatusException(StatusCode.Internal, "The response ended without a message.");
                if (await reader.ReadNextAsync(cancellationToken).ConfigureAwait(false) is not null)
                {
                    throw new GrpcStatusException(StatusCode.Internal, "More than one response message received for a unary call.");
                }

                return reply;
            }
        }
        catch (Exception e)
        {
            // Translated here, inside the retry, so that the policy sees UNAVAILABLE.
            throw scope.Translate(e);
        }
    }

    /// <summary>Sends the request and waits for the response headers.</summary>
    private async Task<GrpcResponseReader<TResponse>> StartAttemptAsync<TRequest, TResponse>(
        GrpcMethod<TRequest, TResponse> method,
        byte[] frame,
        GrpcCallOptions options,
        ClientCallScope scope,
        CancellationToken cancellationToken)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        try
        {
            // Not disposed: the request body may still be going out while the reply streams in.
            var httpRequest = BuildRequest(method.Path, frame, options, scope.RemainingTime());
            var response = await _httpClient.SendAsync(httpRequest, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
                .ConfigureAwait(false);
            return await GrpcResponseReader<TResponse>.OpenAsync(response, method.ResponseParser, Options.MaxReceiveMessageSize, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw scope.Translate(e);
        }
    }

    private HttpRequestMessage BuildRequest(string path, byte[] frame, GrpcCallOptions options, TimeSpan? timeout)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, BuildUri(path))
        {
            // Cleartext HTTP/2 with prior knowledge: no upgrade dance, no fallback to HTTP/1.1.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(frame),
        };
        request.Content.Headers.ContentType = GrpcContentType;
        // TE: trailers tells intermediaries we understand trailers, where gRPC keeps its status.
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        request.Headers.TryAddWithoutValidation("user-agent", GrpcProtocol.UserAgent);
        if (timeout is { } remaining)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(remaining));
        }

        AddMetadata(request, options.Headers);
        return request;
    }

    private Uri BuildUri(string path)
    {
        var baseAddress = _httpClient.BaseAddress
            ?? throw new GrpcStatusException(StatusCode.Internal, "The HttpClient has no BaseAddress: the service address is unknown.");
        return new Uri(baseAddress, path);
    }

    private static void AddMetadata(HttpRequestMessage request, IEnumerable<KeyValuePair<string, string>>? headers)
    {
        if (headers is null)
        {
            return;
        }

        foreach (var (name, value) in headers)
        {
            if (!GrpcProtocol.IsReservedHeader(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }
    }

    private static GrpcStatusException Fail(ClientCallScope scope, System.Diagnostics.Activity? activity, Exception exception)
    {
        var status = scope.Translate(exception);
        GrpcTelemetry.SetStatus(activity, status.StatusCode, status.Detail);
        return status;
    }

    private static void RequireType<TRequest, TResponse>(GrpcMethod<TRequest, TResponse> method, GrpcMethodType expected)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected)
        {
            throw new ArgumentException($"{method.FullName} is a {method.Type} method, not {expected}.", nameof(method));
        }
    }
}
