namespace Encimap.Dashboard.Tests;

/// <summary>Where the build put the programs the tests start, and where tests leave screenshots.</summary>
internal static class Artifacts
{
    /// <summary><c>artifacts/bin/{project}/{configuration}/{file}</c>, built with this test project.</summary>
    public static string Binary(string project, string file)
    {
        var testDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var configuration = testDir.Name;
        var artifactsBin = testDir.Parent!.Parent!.FullName;
        return Path.Combine(artifactsBin, project, configuration, file);
    }

    /// <summary><c>artifacts/screenshots/</c> at the repository root.</summary>
    public static string Screenshots
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Encimap.sln")))
            {
                directory = directory.Parent;
            }

            var path = Path.Combine(directory?.FullName ?? Path.GetTempPath(), "artifacts", "screenshots");
            Directory.CreateDirectory(path);
            return path;
        }
    }
}
