using System.Diagnostics;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Encimap.Grpc;

/// <summary>
/// Runs one method's calls on ASP.NET Core: checks the request, reads the single request message,
/// invokes the handler under the call's deadline, and ends the response with the gRPC status
/// (in trailers, or trailers-only when no message was sent).
/// </summary>
internal sealed class GrpcServerCallHandler<TRequest, TResponse>
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly GrpcMethod<TRequest, TResponse> _method;
    private readonly Func<TRequest, ServerCallContext, ServerStreamWriter<TResponse>, Task> _invoke;
    private readonly GrpcServerOptions _options;
    private readonly ILogger _logger;

    public GrpcServerCallHandler(
        GrpcMethod<TRequest, TResponse> method,
        Func<TRequest, ServerCallContext, ServerStreamWriter<TResponse>, Task> invoke,
        GrpcServerOptions options,
        ILogger logger)
    {
        _method = method;
        _invoke = invoke;
        _options = options;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext http)
    {
        if (!GrpcServerResponses.TryAcceptRequest(http))
        {
            return;
        }

        GrpcServerResponses.StartGrpcResponse(http);
        var activity = GrpcTelemetry.EnrichServerActivity(_method.ServiceName, _method.MethodName, _method.FullName);
        using var deadline = ServerDeadline.FromHeaders(http);
        using var callCancelled = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, deadline.Token);
        var context = new ServerCallContext(http, _method.Path, deadline.Deadline, callCancelled.Token);
        var writer = new ServerStreamWriter<TResponse>(http.Response.BodyWriter, _options.MaxSendMessageSize, callCancelled.Token);

        var status = await RunAsync(http, context, writer, deadline).ConfigureAwait(false);
        writer.Complete();
        GrpcTelemetry.SetStatus(activity, status.Code, status.Detail);
        GrpcServerResponses.WriteStatus(http, writer.HasWrittenMessages, status, context.ResponseTrailers);
    }

    private async Task<GrpcServerStatus> RunAsync(
        HttpContext http,
        ServerCallContext context,
        ServerStreamWriter<TResponse> writer,
        ServerDeadline deadline)
    {
        try
        {
            GrpcServerResponses.ThrowIfRequestCompressed(http);
            var request = await ReadSingleRequestAsync(http, context.CancellationToken).ConfigureAwait(false);
            await _invoke(request, context, writer).ConfigureAwait(false);
            return deadline.HasExpired && !writer.HasWrittenMessages
                ? GrpcServerStatus.DeadlineExceeded
                : GrpcServerStatus.Ok;
        }
        catch (GrpcStatusException e)
        {
            return new GrpcServerStatus(e.StatusCode, e.Detail, e.Trailers);
        }
        catch (Exception) when (deadline.HasExpired)
        {
            return GrpcServerStatus.DeadlineExceeded;
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            // Nobody is listening any more; the status only serves telemetry.
            return GrpcServerStatus.Cancelled;
        }
        catch (Exception e)
        {
            // Exception text can carry secrets or internals: it goes to the log, never on the wire.
            _logger.LogError(e, "gRPC handler for {Method} failed (trace {TraceId})", _method.Path, Activity.Current?.TraceId);
            return GrpcServerStatus.HandlerFailed;
        }
    }

    /// <summary>Unary and server-streaming calls carry exactly one request message.</summary>
    private async Task<TRequest> ReadSingleRequestAsync(HttpContext http, CancellationToken cancellationToken)
    {
        // Our own limit applies per message; Kestrel's default body limit (30 MB) would cut
        // legitimate messages short with a less useful error.
        var bodySize = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (bodySize is { IsReadOnly: false })
        {
            bodySize.MaxRequestBodySize = null;
        }

        var reader = http.Request.BodyReader;
        var request = await GrpcFrameReader.ReadMessageAsync(reader, _method.RequestParser, _options.MaxReceiveMessageSize, cancellationToken)
            .ConfigureAwait(false)
            ?? throw new GrpcStatusException(StatusCode.Internal, "Request did not include a message.");
        var extra = await GrpcFrameReader.ReadMessageAsync(reader, _method.RequestParser, _options.MaxReceiveMessageSize, cancellationToken)
            .ConfigureAwait(false);
        if (extra is not null)
        {
            throw new GrpcStatusException(StatusCode.Internal, "Additional message received after the request message.");
        }

        return request;
    }
}
