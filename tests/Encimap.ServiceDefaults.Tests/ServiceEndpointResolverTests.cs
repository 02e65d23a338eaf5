using Encimap.ServiceDefaults;
using Microsoft.Extensions.Configuration;

namespace Encimap.ServiceDefaults.Tests;

public sealed class ServiceEndpointResolverTests
{
    private static readonly ServiceEndpointResolver Resolver = new(new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:certificates:http:0"] = "http://127.0.0.1:4400",
            ["services:certificates:grpc:0"] = "http://127.0.0.1:4401",
            ["services:api:grpc:0"] = "http://127.0.0.1:4311",
        })
        .Build());

    [Theory]
    [InlineData("certificates", "http://127.0.0.1:4400/")]
    [InlineData("_grpc.certificates", "http://127.0.0.1:4401/")]
    [InlineData("_http.certificates", "http://127.0.0.1:4400/")]
    [InlineData("api", "http://127.0.0.1:4311/")]
    [InlineData("_grpc.api", "http://127.0.0.1:4311/")]
    public void Resolves_services_and_named_endpoints(string host, string expected) =>
        Assert.Equal(expected, Resolver.Resolve(host)?.AbsoluteUri);

    [Theory]
    [InlineData("intake")]
    [InlineData("_smtp.certificates")]
    [InlineData("example.org")]
    public void Unknown_services_and_endpoints_resolve_to_nothing(string host) =>
        Assert.Null(Resolver.Resolve(host));

    [Fact]
    public void A_remembered_answer_gives_way_when_the_configuration_reloads()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["services:intake:grpc:0"] = "http://127.0.0.1:4331" })
            .Build();
        var resolver = new ServiceEndpointResolver(configuration);
        Assert.Equal("http://127.0.0.1:4331/", resolver.Resolve("_grpc.intake")?.AbsoluteUri);
        Assert.Null(resolver.Resolve("api"));

        configuration["services:intake:grpc:0"] = "http://127.0.0.1:5331";
        configuration["services:api:http:0"] = "http://127.0.0.1:4301";
        Assert.Equal("http://127.0.0.1:4331/", resolver.Resolve("_grpc.intake")?.AbsoluteUri);
        configuration.Reload();
        Assert.Equal("http://127.0.0.1:5331/", resolver.Resolve("_grpc.intake")?.AbsoluteUri);
        Assert.Equal("http://127.0.0.1:4301/", resolver.Resolve("api")?.AbsoluteUri);
    }

    [Fact]
    public void Environment_variable_form_is_the_same_key()
    {
        Environment.SetEnvironmentVariable("services__mx__smtp__0", "smtp://127.0.0.1:2525");
        try
        {
            var resolver = new ServiceEndpointResolver(new ConfigurationBuilder().AddEnvironmentVariables().Build());
            Assert.Equal("smtp://127.0.0.1:2525", resolver.Resolve("_smtp.mx")?.OriginalString.TrimEnd('/'));
        }
        finally
        {
            Environment.SetEnvironmentVariable("services__mx__smtp__0", null);
        }
    }
}
