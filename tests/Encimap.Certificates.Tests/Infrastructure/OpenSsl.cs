using System.Diagnostics;

namespace Encimap.Certificates.Tests.Infrastructure;

/// <summary>The system's <c>openssl</c> command (OpenSSL 3), run in a scratch directory.</summary>
public sealed class OpenSsl : IDisposable
{
    public OpenSsl()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("encimap-openssl-").FullName;
    }

    public string Directory { get; }

    public string PathOf(string name) => Path.Combine(Directory, name);

    public string Write(string name, byte[] content)
    {
        var path = PathOf(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    public async Task<OpenSslResult> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        // No configuration of the machine changes what the default provider reads.
        start.Environment["OPENSSL_CONF"] = "/dev/null";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new OpenSslResult(process.ExitCode, await stdout, await stderr, string.Join(' ', arguments));
    }

    /// <summary>Runs and asserts success.</summary>
    public async Task<OpenSslResult> RunOkAsync(params string[] arguments)
    {
        var result = await RunAsync(arguments);
        Assert.True(result.ExitCode == 0, $"openssl {result.Command} failed ({result.ExitCode}):\n{result.StandardError}\n{result.StandardOutput}");
        return result;
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

public sealed record OpenSslResult(int ExitCode, string StandardOutput, string StandardError, string Command)
{
    public string Output => StandardOutput + "\n" + StandardError;
}
