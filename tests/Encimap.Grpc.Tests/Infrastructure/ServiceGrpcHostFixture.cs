namespace Encimap.Grpc.Tests.Infrastructure;

/// <summary>One <see cref="ServiceGrpcHost"/> for a test class, its receive limit above Kestrel's 30 MB default.</summary>
public sealed class ServiceGrpcHostFixture : IAsyncLifetime
{
    public const int MessageLimit = 32 * 1024 * 1024;

    public ServiceGrpcHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await ServiceGrpcHost.StartAsync(MessageLimit);

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
