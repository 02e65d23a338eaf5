namespace Encimap.Database;

/// <summary>
/// Installs Debian's PostgreSQL 15 server package when it is missing, on machines where that is
/// possible without asking: running as root with apt-get present. Several processes (parallel
/// test projects) may ask at once; a file lock lets one install while the others wait.
/// Set <c>ENCIMAP_NO_AUTO_INSTALL=1</c> to turn it off.
/// </summary>
internal static class DebianPostgresInstaller
{
    private const string Package = "postgresql-15";
    private const string LockPath = "/tmp/encimap-postgres-install.lock";

    public static async Task<bool> TryInstallAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("ENCIMAP_NO_AUTO_INSTALL") == "1"
            || !File.Exists("/usr/bin/apt-get") || !IsRoot())
        {
            return false;
        }

        await using var installLock = await AcquireLockAsync(cancellationToken).ConfigureAwait(false);
        Console.Error.WriteLine($"PostgreSQL server programs not found: installing Debian's {Package} (apt-get)");
        var environment = new Dictionary<string, string> { ["DEBIAN_FRONTEND"] = "noninteractive" };
        var update = await ExternalCommand.RunAsync(["/usr/bin/apt-get", "update", "-q"], TimeSpan.FromMinutes(5), cancellationToken, environment)
            .ConfigureAwait(false);
        var install = await ExternalCommand.RunAsync(
                ["/usr/bin/apt-get", "install", "-y", "-q", "--no-install-recommends", Package],
                TimeSpan.FromMinutes(10),
                cancellationToken,
                environment)
            .ConfigureAwait(false);
        if (install.ExitCode != 0)
        {
            Console.Error.WriteLine($"apt-get install {Package} failed ({install.ExitCode}, update {update.ExitCode}): {install.Output}");
        }

        return install.ExitCode == 0;
    }

    private static bool IsRoot() => Environment.UserName == "root";

    private static async Task<FileStream> AcquireLockAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
