using System.Diagnostics;

namespace Encimap.Testing;

/// <summary>
/// Verifies DKIM signatures with dkimpy (Debian's python3-dkim, run by Debian's python3): an
/// implementation nobody here wrote. The key lookup answers one DNS name with one TXT value, the
/// record the platform publishes; every other name is unknown.
/// </summary>
public static class DkimPy
{
    /// <summary>Debian's interpreter, which has the python3-dkim package (another python3 on PATH may not).</summary>
    public const string Python = "/usr/bin/python3";

    private const string Script = """
        import sys
        import dkim

        path, dns_name, txt = sys.argv[1], sys.argv[2].rstrip('.').lower(), sys.argv[3].encode('ascii')
        asked = []

        def dnsfunc(name, timeout=5):
            name = (name.decode('ascii') if isinstance(name, bytes) else name).rstrip('.').lower()
            asked.append(name)
            return txt if name == dns_name else None

        message = open(path, 'rb').read()
        try:
            ok = dkim.DKIM(message).verify(dnsfunc=dnsfunc)
        except dkim.DKIMException as e:
            print('fail', type(e).__name__, e, 'asked', asked)
            sys.exit(1)
        print('pass' if ok else 'fail', 'asked', asked)
        sys.exit(0 if ok else 1)
        """;

    public sealed record Result(bool Pass, string Output);

    /// <summary>Verifies the first DKIM-Signature of <paramref name="message"/> against <paramref name="txt"/> published at <paramref name="dnsName"/>.</summary>
    public static async Task<Result> VerifyAsync(byte[] message, string dnsName, string txt)
    {
        var directory = Directory.CreateTempSubdirectory("encimap-dkimpy-").FullName;
        try
        {
            var script = Path.Combine(directory, "verify.py");
            var input = Path.Combine(directory, "message.eml");
            await File.WriteAllTextAsync(script, Script);
            await File.WriteAllBytesAsync(input, message);
            var start = new ProcessStartInfo(Python)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in new[] { script, input, dnsName, txt })
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(timeout.Token);
            var text = (await output) + (await error);
            return new Result(process.ExitCode == 0 && text.StartsWith("pass", StringComparison.Ordinal), text);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
