using System.Net;
using System.Net.Sockets;
using Encimap.Testing;

namespace Encimap.SmtpGateway.Tests;

/// <summary>
/// The smarthost the gateway relays submitted mail to: a TCP forwarder the tests open and close,
/// passing each connection through, bytes unchanged (STARTTLS included), to the fleet's own MX.
/// Relayed mail so arrives in the vaultboxes of the fleet and a refusal is the MX's own. Closed, its
/// port refuses connections and those it forwarded are cut, as when a smarthost goes down.
/// </summary>
public sealed class Smarthost(Func<IPEndPoint> mx) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<(TcpClient Client, Task Forwarding)> _connections = [];
    private TcpListener? _listener;
    private Task _accepting = Task.CompletedTask;

    public int Port { get; } = LoopbackPort.Free();

    public void Start()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }

            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Start();
            var listener = _listener;
            _accepting = Task.Run(() => AcceptAsync(listener));
        }
    }

    public async Task StopAsync()
    {
        List<(TcpClient Client, Task Forwarding)> connections;
        lock (_gate)
        {
            if (_listener is null)
            {
                return;
            }

            _listener.Stop();
            _listener = null;
            connections = [.. _connections];
            _connections.Clear();
        }

        foreach (var (client, _) in connections)
        {
            client.Dispose();
        }

        await _accepting;
        await Task.WhenAll(connections.Select(c => c.Forwarding));
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return; // stopped
            }

            lock (_gate)
            {
                _connections.Add((client, Task.Run(() => ForwardAsync(client))));
            }
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        try
        {
            using var server = new TcpClient();
            await server.ConnectAsync(mx());
            await using var downstream = client.GetStream();
            await using var upstream = server.GetStream();
            // Whichever side closes first ends the connection.
            await Task.WhenAny(downstream.CopyToAsync(upstream), upstream.CopyToAsync(downstream));
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // cut by a stop, or by one of the peers
        }
        finally
        {
            client.Dispose();
        }
    }
}
