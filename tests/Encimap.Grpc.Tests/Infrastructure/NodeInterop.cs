using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace Encimap.Grpc.Tests.Infrastructure;

/// <summary>
/// Runs the grpc-js peers in interop/: installs their npm packages on first use (a fresh clone
/// has no node_modules) and starts the scripts with node.
/// </summary>
public static class NodeInterop
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    public static string Directory { get; } = typeof(NodeInterop).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "InteropDirectory").Value!;

    public static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "@grpc", "grpc-js")))
            {
                return;
            }

            var install = await RunToEndAsync("npm", ["install", "--no-audit", "--no-fund"], TimeSpan.FromMinutes(5));
            if (install.ExitCode != 0)
            {
                throw new InvalidOperationException($"npm install failed in {Directory}:\n{install.Stderr}");
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    /// <summary>
    /// Runs client.js against <paramref name="address"/> with <paramref name="environment"/> (its
    /// token and the server's message limit) and parses the JSON it prints.
    /// </summary>
    public static async Task<JsonElement> RunClientAsync(Uri address, IReadOnlyDictionary<string, string> environment)
    {
        await EnsureInstalledAsync();
        var run = await RunToEndAsync("node", ["client.js", $"{address.Host}:{address.Port}"], TimeSpan.FromMinutes(2), environment);
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"client.js exited with {run.ExitCode}:\n{run.Stderr}");
        }

        using var document = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]);
        return document.RootElement.Clone();
    }

    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToEndAsync(
        string fileName, string[] arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = Process.Start(StartInfo(fileName, arguments, environment))!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
