using System.Diagnostics;

namespace Encimap.Dashboard.Tests;

/// <summary>Runs a Python script (a client of Python's standard library) and returns what it printed.</summary>
internal static class PythonScript
{
    public static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-c", script, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"python3 exited with {process.ExitCode}: {await output} {await error}");
        return (await output).Trim();
    }
}
