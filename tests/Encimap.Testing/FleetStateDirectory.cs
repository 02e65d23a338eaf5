namespace Encimap.Testing;

/// <summary>A fleet's state directory for a test: a new temporary directory that the cluster's user can enter.</summary>
public static class FleetStateDirectory
{
    /// <summary>
    /// Creates it. A temporary directory is private to root; the embedded cluster (run as the
    /// postgres user) would then move to a directory under /var/tmp that nothing deletes after
    /// the test. Entering is all it needs: the files in it keep their own modes.
    /// </summary>
    public static string Create(string prefix)
    {
        var path = Directory.CreateTempSubdirectory(prefix).FullName;
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        return path;
    }
}
