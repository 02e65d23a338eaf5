using System.Net.Sockets;
using System.Text;

namespace Encimap.SmtpGateway.Tests;

/// <summary>A plain socket to an SMTP port, for what no client library will send (bare LF, SIZE lies).</summary>
public sealed class RawSmtp : IAsyncDisposable
{
    private readonly TcpClient _tcp = new();
    private NetworkStream _stream = null!;
    private readonly StringBuilder _pending = new();

    public static async Task<RawSmtp> ConnectAsync(int port)
    {
        var raw = new RawSmtp();
        await raw._tcp.ConnectAsync("127.0.0.1", port);
        raw._stream = raw._tcp.GetStream();
        await raw.ExpectAsync("220");
        return raw;
    }

    public async Task SendAsync(string text)
    {
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Reads one reply (all its lines) and asserts how its last line starts.</summary>
    public async Task<string> ExpectAsync(string prefix)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var buffer = new byte[8192];
        while (true)
        {
            var text = _pending.ToString();
            var lines = text.Split("\r\n");
            for (var i = 0; i < lines.Length - 1; i++)
            {
                if (lines[i].Length >= 4 && lines[i][3] == ' ')
                {
                    _pending.Remove(0, string.Join("\r\n", lines[..(i + 1)]).Length + 2);
                    Assert.True(lines[i].StartsWith(prefix, StringComparison.Ordinal), $"expected {prefix}, got {lines[i]}");
                    return lines[i];
                }
            }

            var read = await _stream.ReadAsync(buffer, cancel.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"closed while waiting for {prefix}; got {text}");
            }

            _pending.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }
    }

    public async Task<string> CommandAsync(string line, string expected)
    {
        await SendAsync(line + "\r\n");
        return await ExpectAsync(expected);
    }

    public async Task<bool> IsClosedAsync()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[1024];
        try
        {
            while (await _stream.ReadAsync(buffer, cancel.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
