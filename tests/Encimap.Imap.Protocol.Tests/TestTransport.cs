using Encimap.Imap.Protocol;

namespace Encimap.Imap.Protocol.Tests;

/// <summary>An in-memory connection: the test plays the client, line by line.</summary>
public sealed class TestTransport : IImapTransport
{
    public TestTransport(Stream stream, bool secure)
    {
        Stream = stream;
        IsSecure = secure;
    }

    public Stream Stream { get; }
    public bool IsSecure { get; private set; }
    public bool CanStartTls => true;
    public string RemoteAddress => "127.0.0.1";

    public Task StartTlsAsync(CancellationToken cancellationToken)
    {
        IsSecure = true;
        return Task.CompletedTask;
    }
}
