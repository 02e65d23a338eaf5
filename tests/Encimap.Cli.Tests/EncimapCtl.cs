using System.Diagnostics;

namespace Encimap.Cli.Tests;

/// <summary>What one run of <c>encimapctl</c> did.</summary>
public sealed record CliResult(int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StdOut}\nstderr:\n{StdErr}";
}

/// <summary>Runs the built <c>encimapctl</c> as a separate process with a controlled environment.</summary>
public static class EncimapCtl
{
    private static readonly Lazy<string> Executable = new(FindExecutable);

    /// <summary>
    /// Runs <c>encimapctl args</c>. The inherited environment's connection strings and JWT settings
    /// are removed and the development state points at an empty directory, so that only what a
    /// test passes reaches the process; <paramref name="environment"/> adds variables (null removes).
    /// </summary>
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(Executable.Value)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = EmptyDirectory.Value,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("Jwt__", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("Encimap__", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }
        start.Environment["Encimap__StateDirectory"] = EmptyDirectory.Value;
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("encimapctl did not start.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"encimapctl {string.Join(' ', args)} did not finish in 60 s.");
        }
        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync((IEnumerable<string>)args);

    private static readonly Lazy<string> EmptyDirectory = new(() =>
        Directory.CreateTempSubdirectory("encimapctl-tests-").FullName);

    // artifacts/bin/Encimap.Cli.Tests/<config>/ → artifacts/bin/Encimap.Cli/<config>/encimapctl
    private static string FindExecutable()
    {
        var testDirectory = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testDirectory.Name;
        var artifactsBin = testDirectory.Parent!.Parent!.FullName;
        var path = Path.Combine(artifactsBin, "Encimap.Cli", configuration, OperatingSystem.IsWindows() ? "encimapctl.exe" : "encimapctl");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"encimapctl was not built where expected: {path}", path);
        }
        return path;
    }
}
