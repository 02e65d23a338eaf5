using System.Diagnostics;
using System.Text;

namespace Encimap.Intake.Tests;

/// <summary>A finished external program: exit code and what it printed.</summary>
public sealed record ToolResult(int ExitCode, byte[] Output, string Error)
{
    public string Text => Encoding.UTF8.GetString(Output);
}

/// <summary>Runs programs nobody here wrote (openssl, curl, sh) and the deploy script.</summary>
public static class Tools
{
    public static async Task<ToolResult> RunAsync(string program, IEnumerable<string> arguments, byte[]? input = null, IReadOnlyDictionary<string, string>? environment = null)
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

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        using var output = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output);
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(input);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync();
        await copy;
        return new ToolResult(process.ExitCode, output.ToArray(), await error);
    }

    public static async Task<ToolResult> OpensslAsync(params string[] arguments)
    {
        var result = await RunAsync("openssl", arguments);
        Assert.True(result.ExitCode == 0, $"openssl {string.Join(' ', arguments)} failed: {result.Error}");
        return result;
    }

    /// <summary>The repository root (where Encimap.sln is), found from the test's output directory.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Encimap.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException("repository root not found");
        }
    }

    public static string PipeScript => Path.Combine(RepositoryRoot, "deploy", "postfix", "encimap-pipe");

    /// <summary>Runs deploy/postfix/encimap-pipe with the message on stdin, as Postfix's pipe(8) would.</summary>
    public static Task<ToolResult> PipeAsync(byte[] message, string url, string vaultbox, string? token = null, params string[] envelope) =>
        RunAsync("sh", [PipeScript, vaultbox, .. envelope], message, new Dictionary<string, string>
        {
            ["ENCIMAP_INTAKE_URL"] = url,
            ["ENCIMAP_INTAKE_TOKEN"] = token ?? "",
            ["ENCIMAP_PIPE_CONFIG"] = "/nonexistent",
        });

    /// <summary>POSTs a file with curl; returns the HTTP status and the body.</summary>
    public static async Task<(int Status, string Body)> CurlPostAsync(string url, byte[] message, params string[] extra)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, message);
            var result = await RunAsync("curl", ["--silent", "--show-error", "--max-time", "60", "-H", "Content-Type: message/rfc822",
                "--data-binary", "@" + file, "--write-out", "\n%{http_code}", .. extra, url]);
            Assert.True(result.ExitCode == 0, $"curl failed: {result.Error}");
            var text = result.Text;
            var cut = text.LastIndexOf('\n');
            return (int.Parse(text[(cut + 1)..]), text[..cut]);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
