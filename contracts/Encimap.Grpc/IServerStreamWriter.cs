namespace Encimap.Grpc;

/// <summary>Sends the replies of a server-streaming call, one message per write, in order.</summary>
/// <remarks>Not thread-safe: await each write before the next, as with grpc-dotnet.</remarks>
public interface IServerStreamWriter<in T>
{
    Task WriteAsync(T message, CancellationToken cancellationToken = default);
}
