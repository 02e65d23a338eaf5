using System.IO.Pipelines;
using Google.Protobuf;

namespace Encimap.Grpc;

/// <summary>Writes reply frames to the response pipe and remembers whether any was written,
/// which decides between a normal response and a trailers-only one.</summary>
internal sealed class ServerStreamWriter<T> : IServerStreamWriter<T>
    where T : class, IMessage<T>
{
    private readonly PipeWriter _body;
    private readonly int _maxMessageSize;
    private readonly CancellationToken _callCancelled;
    private bool _completed;

    public ServerStreamWriter(PipeWriter body, int maxMessageSize, CancellationToken callCancelled)
    {
        _body = body;
        _maxMessageSize = maxMessageSize;
        _callCancelled = callCancelled;
    }

    public bool HasWrittenMessages { get; private set; }

    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        WriteWithoutFlush(message);
        using var both = CancellationTokenSource.CreateLinkedTokenSource(_callCancelled, cancellationToken);
        var result = await _body.FlushAsync(both.Token).ConfigureAwait(false);
        if (result.IsCompleted || result.IsCanceled)
        {
            // The client went away: end the handler the same way its token would.
            throw new OperationCanceledException("The client is no longer reading the response.", _callCancelled);
        }
    }

    /// <summary>Unary replies are not flushed on their own: Kestrel sends them with the trailers.</summary>
    public void WriteWithoutFlush(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_completed)
        {
            throw new InvalidOperationException("The call has already completed; no more messages can be written.");
        }

        _callCancelled.ThrowIfCancellationRequested();
        GrpcFrameWriter.WriteMessage(_body, message, _maxMessageSize);
        HasWrittenMessages = true;
    }

    public void Complete() => _completed = true;
}
