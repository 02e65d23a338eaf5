using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Encimap.SmtpGateway.Tests;

/// <summary>
/// A real DNS server on 127.0.0.1: Debian's dnsmasq, answering only from the records it is given
/// (<c>--txt-record</c>, <c>--host-record</c>, <c>--mx-host</c>); every other name under .test
/// is NXDOMAIN (<c>--local=/test/</c>). It logs every query it receives (<c>--log-queries</c>),
/// so that a test can count what the MX asked.
/// The tests stop and start it to see what the MX does when DNS is gone.
/// </summary>
public sealed class LoopbackDnsServer(int port) : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private DnsRecords _records = new([], [], []);
    private Process? _process;

    public int Port { get; } = port;

    /// <summary>What dnsmasq printed (its start-up lines and the queries), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>How many queries of <paramref name="type"/> (TXT, A, MX...) for <paramref name="name"/> it received.</summary>
    public int QueriesFor(string type, string name)
    {
        var line = $": query[{type}] {name} from ";
        return Log.Split('\n').Count(l => l.Contains(line, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Starts serving the records (texts longer than a character-string's 255 octets are split into several).</summary>
    public async Task StartAsync(DnsRecords records)
    {
        _records = records;
        await StartAsync();
    }

    /// <summary>Starts again with the records it had.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("dnsmasq")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--keep-in-foreground", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=",
            "--log-facility=-", $"--port={Port}", "--listen-address=127.0.0.1", "--bind-interfaces", "--local=/test/", "--log-queries",
        })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, address) in _records.Hosts)
        {
            start.ArgumentList.Add($"--host-record={name},{address}");
        }

        foreach (var (domain, exchange) in _records.MailExchanges)
        {
            start.ArgumentList.Add($"--mx-host={domain},{exchange},10");
        }

        foreach (var (name, text) in _records.Texts)
        {
            // Commas separate the record's character-strings; quotes would be part of the text (no shell removes them here).
            if (text.Contains(','))
            {
                throw new ArgumentException($"a TXT record for dnsmasq's command line cannot contain a comma: {text}");
            }

            start.ArgumentList.Add($"--txt-record={name},{string.Join(',', text.Chunk(200).Select(c => new string(c)))}");
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        _process = process;
        await WaitListeningAsync();
    }

    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            if (!process.HasExited)
            {
                process.Kill();
            }

            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }

    private async Task WaitListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"dnsmasq exited ({_process.ExitCode}):\n{Log}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }
}
