using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Encimap.Imap.Tests;

/// <summary>A line-level IMAP client over TLS for the tests that need exact control (IDLE, two sessions).</summary>
public sealed class RawImapClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _ssl;
    private readonly StreamReader _reader;
    private int _tag;

    private RawImapClient(TcpClient tcp, SslStream ssl)
    {
        _tcp = tcp;
        _ssl = ssl;
        _reader = new StreamReader(ssl, Encoding.UTF8);
    }

    public static async Task<RawImapClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("localhost");
        var client = new RawImapClient(tcp, ssl);
        Assert.StartsWith("* OK", await client.ReadLineAsync());
        return client;
    }

    public static async Task<RawImapClient> LoginAsync(int port, ImapAccount account)
    {
        var client = await ConnectAsync(port);
        var answer = await client.CommandAsync($"LOGIN {account.Username} \"{account.Password}\"");
        Assert.StartsWith("OK", answer.Status);
        return client;
    }

    public async Task SendAsync(string line)
    {
        await _ssl.WriteAsync(Encoding.UTF8.GetBytes(line + "\r\n"));
        await _ssl.FlushAsync();
    }

    public async Task<string> ReadLineAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        return await _reader.ReadLineAsync(cancel.Token) ?? throw new EndOfStreamException();
    }

    /// <summary>Sends a tagged command; returns the untagged lines and the tagged status text.</summary>
    public async Task<(List<string> Untagged, string Status)> CommandAsync(string command)
    {
        var tag = $"t{++_tag}";
        await SendAsync($"{tag} {command}");
        var lines = new List<string>();
        while (true)
        {
            var line = await ReadLineAsync();
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return (lines, line[(tag.Length + 1)..]);
            }

            lines.Add(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _ssl.DisposeAsync();
        _tcp.Dispose();
    }
}
