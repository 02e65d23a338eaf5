using System.Diagnostics;
using System.Text;

namespace Encimap.SmtpGateway.Tests;

/// <summary>Runs a program nobody here wrote (python3, swaks, curl, openssl) and collects what it printed.</summary>
public static class Tool
{
    public sealed record Result(int ExitCode, byte[] Output, string Error)
    {
        public string Text => Encoding.UTF8.GetString(Output);

        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Text}\nstderr:\n{Error}";
    }

    public static async Task<Result> RunAsync(string program, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} did not finish in time");
        }

        await copy;
        return new Result(process.ExitCode, output.ToArray(), await error);
    }

    /// <summary>Runs a Python 3 script (its text) with arguments.</summary>
    public static async Task<Result> PythonAsync(string script, params string[] arguments)
    {
        var path = Path.Combine(Path.GetTempPath(), $"encimap-smtp-{Guid.NewGuid():N}.py");
        await File.WriteAllTextAsync(path, script);
        try
        {
            return await RunAsync("python3", [path, .. arguments]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
