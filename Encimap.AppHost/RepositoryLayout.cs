namespace Encimap.AppHost;

/// <summary>Where things are: the repository root, the state directory, the services' binaries.</summary>
public sealed class RepositoryLayout
{
    private RepositoryLayout(string root, string stateDirectory, string configuration)
    {
        Root = root;
        StateDirectory = stateDirectory;
        Configuration = configuration;
    }

    public string Root { get; }

    public string StateDirectory { get; }

    /// <summary>Lower-case build configuration (the artifacts layout's pivot): <c>debug</c> or <c>release</c>.</summary>
    public string Configuration { get; }

    public static RepositoryLayout Discover(AppHostSettings settings)
    {
        var root = FindRoot(AppContext.BaseDirectory)
            ?? FindRoot(Directory.GetCurrentDirectory())
            ?? throw new InvalidOperationException("Encimap.sln not found above the AppHost or the current directory.");
        var state = Path.GetFullPath(settings.StateDirectory ?? Path.Combine(root, ".encimap"));
        return new RepositoryLayout(root, state, (settings.Configuration ?? OwnConfiguration()).ToLowerInvariant());
    }

    /// <summary>
    /// The built program of a service project: artifacts/bin/{project}/{configuration}/{project}
    /// (the project's native launcher, which the build produces next to its assembly).
    /// </summary>
    public string ServiceProgram(string projectPath)
    {
        var project = Path.GetFileNameWithoutExtension(projectPath);
        return Path.Combine(Root, "artifacts", "bin", project, Configuration, project);
    }

    // artifacts/bin/<project>/<configuration>/: the folder this assembly runs from names the
    // configuration it was built in, and the services were built with it.
    private static string OwnConfiguration()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Name;
        return folder.StartsWith("release", StringComparison.OrdinalIgnoreCase) ? "release" : "debug";
    }

    private static string? FindRoot(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Encimap.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
