using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Encimap.ServiceDefaults.Security;

/// <summary>Maps grpc-dotnet services that only the fleet's other services may call.</summary>
public static class InternalGrpcEndpoints
{
    /// <summary>The compressed flag and the length in front of each gRPC message.</summary>
    private const int MessageFrameHeaderSize = 5;

    /// <summary>
    /// Maps <typeparamref name="TService"/> behind <see cref="InternalCallAuthentication.Policy"/>:
    /// reaching the port is not enough. Its methods' request body limit follows grpc-dotnet's
    /// <c>MaxReceiveMessageSize</c> for the service: Kestrel's own limit (30 MB by default) is not
    /// lifted by grpc-dotnet for unary calls, and a larger message would be cut short and end as
    /// UNKNOWN instead of RESOURCE_EXHAUSTED.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapInternalGrpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var limit = endpoints.ServiceProvider.GetRequiredService<IOptions<GrpcServiceOptions<TService>>>().Value.MaxReceiveMessageSize;
        var service = endpoints.MapGrpcService<TService>();
        service.RequireAuthorization(InternalCallAuthentication.Policy);
        service.WithMetadata(new RequestBodyLimit(limit is { } messageSize ? (long)messageSize + MessageFrameHeaderSize : null));
        return service;
    }

    /// <summary>Applied by endpoint routing to the request before the gRPC handler reads it.</summary>
    private sealed class RequestBodyLimit(long? maxRequestBodySize) : IRequestSizeLimitMetadata
    {
        public long? MaxRequestBodySize { get; } = maxRequestBodySize;
    }
}
