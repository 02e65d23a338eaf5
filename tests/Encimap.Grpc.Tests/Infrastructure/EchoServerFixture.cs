namespace Encimap.Grpc.Tests.Infrastructure;

/// <summary>One Echo server for a test class, with default limits.</summary>
public sealed class EchoServerFixture : IAsyncLifetime
{
    public EchoService Service { get; } = new();

    public KestrelGrpcServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await KestrelGrpcServer.StartAsync(Service.Map);

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
