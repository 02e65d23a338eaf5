using Encimap.Grpc.Tests.Infrastructure;
using Encimap.Grpc.Tests.Interop;
using Encimap.ServiceDefaults;
using Encimap.ServiceDefaults.Security;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.ClientFactory;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Encimap.Grpc.Tests;

/// <summary>
/// A client registered as the services register theirs (AddInternalGrpcClient), calling a host
/// configured as the services are (MapInternalGrpcService).
/// </summary>
public sealed class InternalGrpcTests(ServiceGrpcHostFixture fixture) : IClassFixture<ServiceGrpcHostFixture>, IDisposable
{
    private readonly ServiceProvider _clients = fixture.Host.Clients();

    private Echo.EchoClient Client => _clients.GetRequiredService<Echo.EchoClient>();

    public void Dispose() => _clients.Dispose();

    [Fact]
    public async Task Calls_carry_an_internal_call_token_and_calls_without_one_are_unauthenticated()
    {
        var reply = await Client.SayAsync(new SayRequest { Text = "with a token" });
        using var anonymous = GrpcChannel.ForAddress(fixture.Host.Address);
        var error = await Assert.ThrowsAsync<RpcException>(() => new Echo.EchoClient(anonymous).SayAsync(new SayRequest { Text = "without" }).ResponseAsync);

        Assert.Equal("with a token", reply.Text);
        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task Idempotent_methods_are_retried_when_unavailable_and_the_others_never()
    {
        var safe = $"safe-{Guid.NewGuid():N}";
        var unsafeOne = $"unsafe-{Guid.NewGuid():N}";
        var notFound = $"not-found-{Guid.NewGuid():N}";

        var retried = await Assert.ThrowsAsync<RpcException>(() =>
            Client.FailSafelyAsync(new FailRequest { Code = (int)StatusCode.Unavailable, Message = safe }).ResponseAsync);
        var once = await Assert.ThrowsAsync<RpcException>(() =>
            Client.FailAsync(new FailRequest { Code = (int)StatusCode.Unavailable, Message = unsafeOne }).ResponseAsync);
        var answered = await Assert.ThrowsAsync<RpcException>(() =>
            Client.FailSafelyAsync(new FailRequest { Code = (int)StatusCode.NotFound, Message = notFound }).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, retried.StatusCode);
        Assert.Equal(4, fixture.Host.Calls.FailuresFor(safe));
        Assert.Equal(StatusCode.Unavailable, once.StatusCode);
        Assert.Equal(1, fixture.Host.Calls.FailuresFor(unsafeOne));
        Assert.Equal(StatusCode.NotFound, answered.StatusCode);
        Assert.Equal(1, fixture.Host.Calls.FailuresFor(notFound));
    }

    [Fact]
    public async Task A_handler_exception_ends_the_call_without_its_text()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.SayAsync(new SayRequest { Text = EchoService.ThrowText }).ResponseAsync);

        Assert.Equal(StatusCode.Unknown, error.StatusCode);
        Assert.DoesNotContain(EchoService.SecretInException, error.Status.Detail);
    }

    [Fact]
    public async Task A_request_of_the_limit_arrives_whole_and_a_larger_one_is_resource_exhausted()
    {
        const int limit = ServiceGrpcHostFixture.MessageLimit;
        // The message: field 2's tag (1 byte), the length (a 4-byte varint at this size), the payload.
        var atLimit = new SayRequest { Payload = ByteString.CopyFrom(new byte[limit - 5]) };
        var overLimit = new SayRequest { Payload = ByteString.CopyFrom(new byte[limit - 4]) };
        Assert.Equal(limit, atLimit.CalculateSize());

        var measured = await Client.MeasureAsync(atLimit, deadline: DateTime.UtcNow.AddMinutes(1));
        var error = await Assert.ThrowsAsync<RpcException>(() => Client.MeasureAsync(overLimit, deadline: DateTime.UtcNow.AddMinutes(1)).ResponseAsync);

        Assert.Equal(limit - 5, measured.PayloadLength);
        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task A_client_registered_for_a_service_name_reaches_it_through_the_service_defaults()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Production });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["services:echo:grpc:0"] = fixture.Host.Address.AbsoluteUri,
            ["Jwt:S2S:SigningKey"] = fixture.Host.SigningKey,
        });
        builder.AddServiceDefaults();
        var registration = builder.Services.AddInternalGrpcClient<Echo.EchoClient>(Echo.Descriptor, "echo", caller: "tests");
        using var host = builder.Build();

        var options = host.Services.GetRequiredService<IOptionsMonitor<GrpcClientFactoryOptions>>().Get(registration.Name);
        var reply = await host.Services.GetRequiredService<Echo.EchoClient>().SayAsync(new SayRequest { Text = "found" });

        Assert.Equal(new Uri("http://_grpc.echo"), options.Address);
        Assert.Equal("found", reply.Text);
    }
}
