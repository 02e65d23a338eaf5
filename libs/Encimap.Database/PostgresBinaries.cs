namespace Encimap.Database;

/// <summary>Where the PostgreSQL server programs (initdb, pg_ctl, postgres) are.</summary>
public static class PostgresBinaries
{
    /// <summary>
    /// The directory holding initdb, pg_ctl and postgres: <c>pg_config --bindir</c> when it holds
    /// them (on Debian it often points at the client-only /usr/bin), otherwise the highest
    /// version under /usr/lib/postgresql/*/bin.
    /// </summary>
    public static async Task<string> FindServerBinDirectoryAsync(CancellationToken cancellationToken = default)
    {
        if (await TryFindAsync(cancellationToken).ConfigureAwait(false) is { } found)
        {
            return found;
        }

        // A fresh development machine or CI runner: install Debian's server package, as a
        // container-based test setup would pull its image, rather than fail the first run.
        if (await DebianPostgresInstaller.TryInstallAsync(cancellationToken).ConfigureAwait(false)
            && await TryFindAsync(cancellationToken).ConfigureAwait(false) is { } installed)
        {
            return installed;
        }

        throw new FileNotFoundException(
            "PostgreSQL server programs (initdb, pg_ctl, postgres) were not found: neither in `pg_config --bindir` " +
            "nor under /usr/lib/postgresql/*/bin. Install the PostgreSQL server package (Debian: postgresql-15).");
    }

    private static async Task<string?> TryFindAsync(CancellationToken cancellationToken)
    {
        try
        {
            var pgConfig = ExternalCommand.FindSystemTool("pg_config");
            var result = await ExternalCommand.RunAsync([pgConfig, "--bindir"], TimeSpan.FromSeconds(30), cancellationToken)
                .ConfigureAwait(false);
            var dir = result.StandardOutput.Trim();
            if (result.ExitCode == 0 && HasServerPrograms(dir))
            {
                return dir;
            }
        }
        catch (FileNotFoundException)
        {
            // No pg_config: look in the Debian layout.
        }

        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var best = Directory.GetDirectories(root)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: ParseVersion(Path.GetFileName(d))))
                .Where(x => x.Version is not null && HasServerPrograms(x.Dir))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (best.Dir is not null)
            {
                return best.Dir;
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="dir"/> holds initdb, pg_ctl and postgres.</summary>
    public static bool HasServerPrograms(string dir) =>
        !string.IsNullOrEmpty(dir)
        && File.Exists(Path.Combine(dir, "initdb"))
        && File.Exists(Path.Combine(dir, "pg_ctl"))
        && File.Exists(Path.Combine(dir, "postgres"));

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.') ? name : name + ".0", out var v) ? v : null;
}
