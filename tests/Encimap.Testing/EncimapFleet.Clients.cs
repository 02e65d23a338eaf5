using System.Net.Http.Headers;
using Encimap.ServiceDefaults.Security;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using ProtoServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Encimap.Testing;

/// <summary>The fleet's services as their callers reach them: tokens, REST and gRPC clients.</summary>
public partial class EncimapFleet
{
    /// <summary>The S2S trust (<c>Jwt:S2S</c>) as the gateway mints and the API checks it.</summary>
    public JwtOptions S2sJwt => new() { SigningKey = S2sSigningKey };

    /// <summary>A fresh S2S token for <paramref name="userId"/>, as the gateway mints it.</summary>
    public string S2sToken(Guid userId, TimeSpan? lifetime = null) => new JwtTokenIssuer(S2sJwt).Mint(userId.ToString(), lifetime);

    /// <summary>A client of the API's REST endpoint acting for <paramref name="userId"/>.</summary>
    public HttpClient ApiClientFor(Guid userId, TimeSpan? tokenLifetime = null)
    {
        var client = new HttpClient { BaseAddress = Http("api") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", S2sToken(userId, tokenLifetime));
        return client;
    }

    /// <summary>
    /// The generated gRPC client of <paramref name="service"/> (its <c>grpc</c> endpoint) as
    /// another service of the fleet calls it: registered as the services register it, every call
    /// with an internal-call token.
    /// </summary>
    public TClient InternalGrpcClient<TClient>(ProtoServiceDescriptor contract, string service)
        where TClient : class
    {
        lock (_grpcClients)
        {
            if (!_grpcClients.TryGetValue((typeof(TClient), service), out var clients))
            {
                var services = new ServiceCollection();
                services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
                    .AddInMemoryCollection(new Dictionary<string, string?> { ["Jwt:S2S:SigningKey"] = S2sSigningKey })
                    .Build());
                services.AddInternalGrpcClient<TClient>(contract, service, caller: "tests", address: Grpc(service));
                _grpcClients[(typeof(TClient), service)] = clients = services.BuildServiceProvider();
            }

            return clients.GetRequiredService<TClient>();
        }
    }

    /// <summary>A channel to <paramref name="service"/>'s gRPC endpoint without any token: anyone who can reach the port.</summary>
    public GrpcChannel GrpcChannelWithoutToken(string service)
    {
        lock (_channelsWithoutToken)
        {
            if (!_channelsWithoutToken.TryGetValue(service, out var channel))
            {
                _channelsWithoutToken[service] = channel = GrpcChannel.ForAddress(Grpc(service));
            }

            return channel;
        }
    }
}
