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

    public static RepositoryLayout Discover(AppHostOptions options)
    {
        var root = FindRoot(AppContext.BaseDirectory)
            ?? FindRoot(Directory.GetCurrentDirectory())
            ?? throw new InvalidOperationException("Encimap.sln not found above the AppHost or the current directory.");
        var state = Path.GetFullPath(options.StateDirectory ?? Path.Combine(root, ".encimap"));
        var configuration = (options.Configuration ?? new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Name).ToLowerInvariant();
        return new RepositoryLayout(root, state, configuration);
    }

    public string ServiceProjectDirectory(ServiceDefinition service) =>
        Path.Combine(Root, "services", service.ProjectName);

    public string ServiceAssembly(ServiceDefinition service) =>
        Path.Combine(Root, "artifacts", "bin", service.ProjectName, Configuration, service.ProjectName + ".dll");

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
