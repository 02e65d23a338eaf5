using Microsoft.Extensions.DependencyInjection;

namespace Encimap.Grpc;

/// <summary>Registers typed gRPC clients: classes whose constructor takes a <see cref="GrpcInvoker"/>.</summary>
public static class GrpcClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TClient"/> for the service named <paramref name="serviceName"/>,
    /// addressed as <c>http://_grpc.{serviceName}</c>: Aspire's form for the service's endpoint
    /// named "grpc". Resolving that name (configuration <c>services:{name}:grpc:0</c>) is the job of
    /// an HttpClient handler installed by the service defaults, so the transport knows nothing of
    /// discovery.
    /// </summary>
    public static IHttpClientBuilder AddGrpcClient<TClient>(
        this IServiceCollection services,
        string serviceName,
        Action<GrpcClientOptions>? configure = null)
        where TClient : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        return services.AddGrpcClient<TClient>(serviceName, new Uri($"http://_grpc.{serviceName}"), configure);
    }

    /// <summary>Registers <typeparamref name="TClient"/> calling the service at a fixed address.</summary>
    public static IHttpClientBuilder AddGrpcClient<TClient>(
        this IServiceCollection services,
        string serviceName,
        Uri address,
        Action<GrpcClientOptions>? configure = null)
        where TClient : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        ArgumentNullException.ThrowIfNull(address);

        var clientName = $"grpc:{serviceName}:{typeof(TClient).FullName}";
        var options = new GrpcClientOptions();
        configure?.Invoke(options);

        // One policy (one circuit breaker) per client, however many times the client is resolved.
        services.AddKeyedSingleton(clientName, (_, _) => new GrpcClientPolicy(options));
        services.AddTransient(provider => CreateClient<TClient>(provider, clientName));

        return services.AddHttpClient(clientName, client =>
            {
                client.BaseAddress = address;
                // Deadlines are per call (grpc-timeout); HttpClient's own 100 s limit would cut
                // long streams and long deadlines short.
                client.Timeout = Timeout.InfiniteTimeSpan;
            })
            .UseSocketsHttpHandler((handler, _) =>
            {
                // Past 100 concurrent streams, open another connection instead of queueing.
                handler.EnableMultipleHttp2Connections = true;
            });
    }

    private static TClient CreateClient<TClient>(IServiceProvider provider, string clientName)
        where TClient : class
    {
        var httpClient = provider.GetRequiredService<IHttpClientFactory>().CreateClient(clientName);
        var policy = provider.GetRequiredKeyedService<GrpcClientPolicy>(clientName);
        return ActivatorUtilities.CreateInstance<TClient>(provider, new GrpcInvoker(httpClient, policy));
    }
}
