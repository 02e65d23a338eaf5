using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Encimap.Smtp;

/// <summary>
/// One SMTP listener: accepts TCP connections on <see cref="SmtpServerOptions.EndPoint"/> and runs
/// a session on each (<see cref="SmtpConnection"/>), within the connection limits.
/// </summary>
public sealed class SmtpServer : IAsyncDisposable
{
    private readonly SmtpServerOptions _options;
    private readonly SmtpBackends _backends;
    private readonly ILogger _logger;
    private readonly ConnectionLimiter _limiter;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentSet _connections = new();
    private Socket? _listener;
    private Task? _acceptLoop;

    public SmtpServer(SmtpServerOptions options, SmtpBackends backends, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(backends);
        if (options.EnableAuth && backends.Authenticator is null)
        {
            throw new ArgumentException("AUTH is enabled but no authenticator is given.", nameof(backends));
        }

        _options = options;
        _backends = backends;
        _logger = logger ?? NullLogger.Instance;
        _limiter = new ConnectionLimiter(options);
    }

    /// <summary>The bound address (the real port when 0 was configured).</summary>
    public IPEndPoint EndPoint => (IPEndPoint?)_listener?.LocalEndPoint ?? _options.EndPoint;

    public SmtpServerOptions Options => _options;

    public int ActiveConnections => _limiter.ActiveConnections;

    public void Start()
    {
        if (_listener is not null)
        {
            throw new InvalidOperationException("The server is already started.");
        }

        var listener = new Socket(_options.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(_options.EndPoint);
        listener.Listen(512);
        _listener = listener;
        _logger.LogInformation("SMTP listener {Listener} on {EndPoint}", _options.Name, EndPoint);
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Stops accepting, tells open sessions 421 and waits for them (up to <paramref name="timeout"/>).</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _listener?.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        await _connections.WaitAllAsync(timeout).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException || _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning(e, "Accepting an SMTP connection failed");
                continue;
            }

            socket.NoDelay = true;
            var task = RunConnectionAsync(socket);
            _connections.Add(task);
        }
    }

    private async Task RunConnectionAsync(Socket socket)
    {
        await Task.Yield();
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        if (!_limiter.TryAcquire(remote.Address, out var refusal))
        {
            SmtpTelemetry.ConnectionsRefused.Add(1, new("smtp.listener", _options.Name), new("reason", refusal));
            await SmtpConnection.RefuseAsync(socket, new SmtpReply(421, "4.7.0", $"{_options.HostName} Error: too many connections from {remote.Address}")).ConfigureAwait(false);
            return;
        }

        try
        {
            await using var connection = new SmtpConnection(socket, _options, _backends, _logger);
            await connection.RunAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "SMTP session from {Remote} failed", remote);
        }
        finally
        {
            _limiter.Release(remote.Address);
        }
    }

    /// <summary>The running sessions' tasks, so that stopping can wait for them.</summary>
    private sealed class ConcurrentSet
    {
        private readonly HashSet<Task> _tasks = [];

        public void Add(Task task)
        {
            lock (_tasks)
            {
                _tasks.Add(task);
            }

            task.ContinueWith(t => { lock (_tasks) { _tasks.Remove(t); } }, TaskScheduler.Default);
        }

        public async Task WaitAllAsync(TimeSpan timeout)
        {
            Task[] tasks;
            lock (_tasks)
            {
                tasks = [.. _tasks];
            }

            await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(timeout)).ConfigureAwait(false);
        }
    }
}
