using System.Security.Cryptography;
using Encimap.Grpc.Tests.Interop;
using Encimap.ServiceDefaults;
using Encimap.ServiceDefaults.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Encimap.Grpc.Tests.Infrastructure;

/// <summary>
/// A real Kestrel serving the Echo service as the Encimap services serve theirs: the service
/// defaults, the <c>grpc</c> endpoint from configuration (cleartext HTTP/2), grpc-dotnet with a
/// receive limit, internal-call authentication, and <c>MapInternalGrpcService</c>.
/// </summary>
public sealed class ServiceGrpcHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServiceGrpcHost(WebApplication app, Uri address, string signingKey)
    {
        _app = app;
        Address = address;
        SigningKey = signingKey;
    }

    /// <summary>The <c>grpc</c> endpoint, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public Uri Address { get; }

    /// <summary>The fleet's key, which internal-call tokens are signed with.</summary>
    public string SigningKey { get; }

    public EchoCalls Calls => _app.Services.GetRequiredService<EchoCalls>();

    public static async Task<ServiceGrpcHost> StartAsync(int maxReceiveMessageSize)
    {
        var signingKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:grpc:Url"] = "http://127.0.0.1:0",
            ["Kestrel:Endpoints:grpc:Protocols"] = "Http2",
            ["Jwt:S2S:SigningKey"] = signingKey,
        });
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults();
        builder.AddInternalCallAuthentication();
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = maxReceiveMessageSize);
        builder.Services.AddSingleton<EchoCalls>();

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapInternalGrpcService<EchoService>();
        await app.StartAsync();

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ServiceGrpcHost(app, new Uri(bound), signingKey);
    }

    /// <summary>A client of this host registered as the services register theirs, with a token naming "tests".</summary>
    public ServiceProvider Clients() => Clients(Address, SigningKey);

    /// <summary>The Echo client of <paramref name="address"/> as the services register theirs.</summary>
    public static ServiceProvider Clients(Uri address, string signingKey)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Jwt:S2S:SigningKey"] = signingKey })
            .Build());
        services.AddInternalGrpcClient<Echo.EchoClient>(Echo.Descriptor, "echo", caller: "tests", address: address);
        return services.BuildServiceProvider();
    }

    /// <summary>A token as another service of the fleet sends it.</summary>
    public string MintToken() =>
        new JwtTokenIssuer(InternalCallAuthentication.Options(_app.Configuration)).Mint("tests", TimeSpan.FromMinutes(5));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
