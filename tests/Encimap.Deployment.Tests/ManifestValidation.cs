using System.Diagnostics;

namespace Encimap.Deployment.Tests;

/// <summary>Runs <c>deploy/kubernetes/validate.sh</c>, the script CI and operators run, on an overlay.</summary>
internal static class ManifestValidation
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    /// <summary>The repository's root: the directory above this assembly that holds Encimap.sln.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string KubernetesDirectory => Path.Combine(RepositoryRoot, "deploy", "kubernetes");

    public static async Task<ValidationRun> RunAsync(string? overlayDirectory = null)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot,
        };
        start.ArgumentList.Add(Path.Combine(KubernetesDirectory, "validate.sh"));
        if (overlayDirectory is not null)
        {
            start.ArgumentList.Add(overlayDirectory);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"validate.sh did not finish in {Timeout}");
        }

        return new ValidationRun(process.ExitCode, await output, await error);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Encimap.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Encimap.sln above {AppContext.BaseDirectory}");
    }
}
