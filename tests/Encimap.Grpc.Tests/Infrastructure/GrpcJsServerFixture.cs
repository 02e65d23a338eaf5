using System.Diagnostics;
using System.Text.Json;

namespace Encimap.Grpc.Tests.Infrastructure;

/// <summary>The grpc-js server (interop/server.js) on a free loopback port, for one test class.</summary>
public sealed class GrpcJsServerFixture : IAsyncLifetime
{
    private Process? _process;

    public Uri Address { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await NodeInterop.EnsureInstalledAsync();
        _process = Process.Start(NodeInterop.StartInfo("node", ["server.js"]))!;
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();

        var firstLine = await _process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30))
            ?? throw new InvalidOperationException("server.js exited before printing its port.");
        using var announcement = JsonDocument.Parse(firstLine);
        Address = new Uri($"http://127.0.0.1:{announcement.RootElement.GetProperty("port").GetInt32()}");
    }

    public async Task DisposeAsync()
    {
        if (_process is null)
        {
            return;
        }

        // Closing stdin asks server.js to shut down; kill it if it does not.
        _process.StandardInput.Close();
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
