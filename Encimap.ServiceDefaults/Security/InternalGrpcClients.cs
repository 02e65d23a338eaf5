using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Encimap.ServiceDefaults.Security;

/// <summary>Registers the generated grpc-dotnet clients of the fleet's services, one line each.</summary>
public static class InternalGrpcClients
{
    private const string GrpcLoadBalancingDisabled = "__GrpcLoadBalancingDisabled";

    private static readonly TimeSpan ConnectionLifetime = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Registers <typeparamref name="TClient"/>, the client generated from <paramref name="contract"/>,
    /// for the endpoint named <c>grpc</c> of the service <paramref name="service"/>:
    /// <c>http://_grpc.{service}</c>, Aspire's service-discovery form, which the service defaults'
    /// HttpClient pipeline resolves (configuration <c>services:{service}:grpc:0</c>), unless
    /// <paramref name="address"/> names the endpoint. Every call carries an internal-call token
    /// naming <paramref name="caller"/>. Methods that the contract marks idempotent
    /// (<c>idempotency_level</c>) are retried when the service is UNAVAILABLE; the others never
    /// are. Deadlines are the call site's.
    /// </summary>
    public static IHttpClientBuilder AddInternalGrpcClient<TClient>(
        this IServiceCollection services,
        ProtoServiceDescriptor contract,
        string service,
        string caller,
        Uri? address = null)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentException.ThrowIfNullOrWhiteSpace(service);
        ArgumentException.ThrowIfNullOrWhiteSpace(caller);
        var target = address ?? new Uri($"http://_grpc.{service}");
        var retries = RetryIdempotentMethods(contract);
        return services.AddGrpcClient<TClient>(client => client.Address = target)
            .AddInterceptor(provider => new InternalCallTokenInterceptor(new InternalCallToken(
                new JwtTokenIssuer(InternalCallAuthentication.Options(provider.GetRequiredService<IConfiguration>())), caller)))
            .ConfigureChannel(channel => channel.ServiceConfig = retries)
            .UseSocketsHttpHandler((handler, _) =>
            {
                // Past 100 concurrent streams on one connection, open another instead of queueing.
                handler.EnableMultipleHttp2Connections = true;
                // A service with replicas sits behind a TCP proxy that picks a replica per
                // connection, and an HTTP/2 connection carries every call: recycled connections
                // spread the calls over all replicas and find a replica that started later.
                handler.PooledConnectionLifetime = ConnectionLifetime;
                // The request's address is resolved by the HttpClient pipeline. grpc-dotnet's own
                // load balancer would connect to the channel's address itself, asking DNS for
                // _grpc.{service}; this property (which Microsoft.Extensions.ServiceDiscovery sets
                // too) leaves connecting to the handler.
                handler.Properties[GrpcLoadBalancingDisabled] = true;
            });
    }

    /// <summary>
    /// Up to three retries with exponential backoff and jitter (grpc-dotnet's own), for UNAVAILABLE
    /// only: any other status is the service's answer, and asking again would not change it.
    /// </summary>
    public static ServiceConfig RetryIdempotentMethods(ProtoServiceDescriptor contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var retried = new MethodConfig
        {
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = 4,
                InitialBackoff = TimeSpan.FromMilliseconds(100),
                MaxBackoff = TimeSpan.FromSeconds(1),
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        foreach (var method in contract.Methods.Where(IsIdempotent))
        {
            retried.Names.Add(new MethodName { Service = contract.FullName, Method = method.Name });
        }

        var config = new ServiceConfig();
        // A method config without names would apply to every method, Deliver included.
        if (retried.Names.Count > 0)
        {
            config.MethodConfigs.Add(retried);
        }

        return config;
    }

    private static bool IsIdempotent(MethodDescriptor method) =>
        method.GetOptions()?.IdempotencyLevel is MethodOptions.Types.IdempotencyLevel.Idempotent
            or MethodOptions.Types.IdempotencyLevel.NoSideEffects;
}
