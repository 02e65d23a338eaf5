using System.Diagnostics;

namespace Encimap.Dashboard.Tests;

/// <summary>The operator's CLI, run as a process against a test fleet's state directory.</summary>
internal static class Encimapctl
{
    public static async Task<string> RunAsync(string stateDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Artifacts.Binary("Encimap.Cli", "encimapctl.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["Encimap__StateDirectory"] = stateDirectory;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"encimapctl {arguments[0]} exited with {process.ExitCode}: {await error}");
        }

        return (await output).Trim();
    }
}
