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

    /// <summary>Sends a tagged command; returns the untagged lines (a literal's lines among them) and the tagged status text.</summary>
    public Task<(List<string> Untagged, string Status)> CommandAsync(string command) => CommandAsync(command, foldLiterals: false);

    /// <summary>
    /// Sends a tagged command; returns the untagged responses and the tagged status text, a
    /// response that carries a literal (ASCII content only) as one line, the literal folded into it.
    /// </summary>
    public Task<(List<string> Untagged, string Status)> ResponsesAsync(string command) => CommandAsync(command, foldLiterals: true);

    private async Task<(List<string> Untagged, string Status)> CommandAsync(string command, bool foldLiterals)
    {
        var tag = $"t{++_tag}";
        await SendAsync($"{tag} {command}");
        var lines = new List<string>();
        while (true)
        {
            var line = foldLiterals ? await ReadResponseAsync() : await ReadLineAsync();
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return (lines, line[(tag.Length + 1)..]);
            }

            lines.Add(line);
        }
    }

    /// <summary>APPEND of one message as a non-synchronizing literal (LITERAL+, RFC 7888).</summary>
    public Task<(List<string> Untagged, string Status)> AppendAsync(string mailbox, string message) =>
        ResponsesAsync($"APPEND {mailbox} {{{Encoding.UTF8.GetByteCount(message)}+}}\r\n{message}");

    private async Task<string> ReadResponseAsync()
    {
        var response = new StringBuilder(await ReadLineAsync());
        while (response.Length > 2 && response[^1] == '}' && LiteralLength(response) is { } length)
        {
            var literal = new char[length];
            for (var read = 0; read < length;)
            {
                using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                var n = await _reader.ReadAsync(literal.AsMemory(read), cancel.Token);
                read += n > 0 ? n : throw new EndOfStreamException();
            }

            response.Append(literal).Append(await ReadLineAsync());
        }

        return response.ToString();
    }

    private static int? LiteralLength(StringBuilder line)
    {
        var text = line.ToString();
        var open = text.LastIndexOf('{');
        return open >= 0 && int.TryParse(text.AsSpan(open + 1, text.Length - open - 2), out var length) ? length : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _ssl.DisposeAsync();
        _tcp.Dispose();
    }
}
