using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Encimap.Grpc;

/// <summary>Maps gRPC methods onto ASP.NET Core endpoint routing, one call per method.</summary>
public static class GrpcEndpointRouteBuilderExtensions
{
    private const string LoggerCategory = "Encimap.Grpc.Server";

    /// <summary>Serves a unary method: the handler returns the reply or throws <see cref="GrpcStatusException"/>.</summary>
    public static IEndpointConventionBuilder MapGrpcUnary<TRequest, TResponse>(
        this IEndpointRouteBuilder endpoints,
        GrpcMethod<TRequest, TResponse> method,
        Func<TRequest, ServerCallContext, Task<TResponse>> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        RequireType(method, GrpcMethodType.Unary);
        ArgumentNullException.ThrowIfNull(handler);
        return MapMethod(endpoints, method, async (request, context, writer) =>
        {
            var reply = await handler(request, context).ConfigureAwait(false);
            writer.WriteWithoutFlush(reply);
        });
    }

    /// <summary>Serves a server-streaming method: the handler writes each reply to the writer.</summary>
    public static IEndpointConventionBuilder MapGrpcServerStreaming<TRequest, TResponse>(
        this IEndpointRouteBuilder endpoints,
        GrpcMethod<TRequest, TResponse> method,
        Func<TRequest, IServerStreamWriter<TResponse>, ServerCallContext, Task> handler)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        RequireType(method, GrpcMethodType.ServerStreaming);
        ArgumentNullException.ThrowIfNull(handler);
        return MapMethod(endpoints, method, (request, context, writer) => handler(request, writer, context));
    }

    /// <summary>
    /// Answers UNIMPLEMENTED to gRPC calls (POST, <c>application/grpc</c>) on any
    /// <c>/{service}/{method}</c> that no method was mapped to. Other requests on such paths get a
    /// plain 404, so the fallback does not hide an application's other endpoints. It runs last
    /// (highest order), after every mapped route.
    /// </summary>
    public static IEndpointConventionBuilder MapGrpcFallback(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPost("/{service}/{method}", context =>
            {
                if (GrpcProtocol.IsGrpcContentType(context.Request.ContentType))
                {
                    GrpcServerResponses.WriteUnimplemented(context);
                }
                else
                {
                    context.Response.StatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status404NotFound;
                }

                return Task.CompletedTask;
            })
            .WithOrder(int.MaxValue)
            .WithDisplayName("gRPC unimplemented method");
    }

    private static IEndpointConventionBuilder MapMethod<TRequest, TResponse>(
        IEndpointRouteBuilder endpoints,
        GrpcMethod<TRequest, TResponse> method,
        Func<TRequest, ServerCallContext, ServerStreamWriter<TResponse>, Task> invoke)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var options = services.GetService<IOptions<GrpcServerOptions>>()?.Value ?? new GrpcServerOptions();
        var logger = services.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;
        var callHandler = new GrpcServerCallHandler<TRequest, TResponse>(method, invoke, options, logger);
        return endpoints.MapPost(method.Path, callHandler.HandleAsync)
            .WithDisplayName($"gRPC {method.FullName}");
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
