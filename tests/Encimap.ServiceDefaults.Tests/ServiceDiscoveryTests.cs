using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.ServiceDiscovery;

namespace Encimap.ServiceDefaults.Tests;

/// <summary>
/// Logical addresses resolve from configuration in Aspire's format, <c>services:{service}:{endpoint}:{index}</c>
/// (environment: <c>services__intake__grpc__0</c>), as the services' clients use them.
/// </summary>
public sealed class ServiceDiscoveryTests
{
    private static readonly Dictionary<string, string?> Fleet = new()
    {
        ["services:intake:grpc:0"] = "http://127.0.0.1:4331",
        ["services:intake:http:0"] = "http://127.0.0.1:4321",
        ["services:api:http:0"] = "http://127.0.0.1:4301",
        ["services:api:grpc:0"] = "http://127.0.0.1:4311",
    };

    [Theory]
    [InlineData("http://_grpc.intake", "http://127.0.0.1:4331/")]
    [InlineData("http://intake", "http://127.0.0.1:4321/")]
    [InlineData("http://api", "http://127.0.0.1:4301/")]
    [InlineData("http://_grpc.api", "http://127.0.0.1:4311/")]
    public async Task Resolves_services_and_named_endpoints(string address, string expected)
    {
        using var host = BuildHost(Fleet);
        var resolver = host.Services.GetRequiredService<ServiceEndpointResolver>();

        var source = await resolver.GetEndpointsAsync(address, CancellationToken.None);

        Assert.Equal([expected], source.Endpoints.Select(e => e.EndPoint.ToString()));
    }

    [Fact]
    public async Task The_environment_variable_form_is_the_same_key()
    {
        var name = "services__mx" + Guid.NewGuid().ToString("N") + "__smtp__0";
        Environment.SetEnvironmentVariable(name, "smtp://127.0.0.1:2525");
        try
        {
            using var host = BuildHost([]);
            var resolver = host.Services.GetRequiredService<ServiceEndpointResolver>();
            var service = name.Split("__")[1];

            var source = await resolver.GetEndpointsAsync($"smtp://_smtp.{service}", CancellationToken.None);

            Assert.Equal(["smtp://127.0.0.1:2525/"], source.Endpoints.Select(e => e.EndPoint.ToString()));
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public async Task An_http_client_reaches_a_service_by_its_name_and_other_hosts_pass_through()
    {
        await using var backend = await LoopbackApp.StartAsync(a => a.MapGet("/who", () => Results.Text("api")), withDefaults: false);
        await using var caller = await LoopbackApp.StartAsync(_ => { }, settings: new() { ["services:api:http:0"] = backend.Address.AbsoluteUri });
        var http = caller.Services.GetRequiredService<IHttpClientFactory>().CreateClient();

        Assert.Equal("api", await http.GetStringAsync("http://api/who"));
        Assert.Equal("api", await http.GetStringAsync(new Uri(backend.Address, "/who")));
    }

    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "Encimap.ServiceDefaults.Tests" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        return builder.Build();
    }
}
