namespace Encimap.AppHost.Tests;

/// <summary>Reads /proc to find a fleet's processes and the ones left behind.</summary>
internal static class ProcessTable
{
    /// <summary>Pids whose command line mentions <paramref name="fragment"/> (a state directory, say).</summary>
    public static IReadOnlyList<int> WithCommandLineContaining(string fragment) =>
        Pids().Where(pid => Read(pid, "cmdline").Replace('\0', ' ').Contains(fragment, StringComparison.Ordinal)).ToList();

    /// <summary>Pids whose environment holds <paramref name="variable"/> exactly (NAME=value).</summary>
    public static IReadOnlyList<int> WithEnvironment(string variable) =>
        Pids().Where(pid => Read(pid, "environ").Split('\0').Contains(variable, StringComparer.Ordinal)).ToList();

    /// <summary>Every process below <paramref name="root"/>, by parent pid.</summary>
    public static IReadOnlyList<int> Descendants(int root)
    {
        var parents = Pids().ToDictionary(pid => pid, ParentOf);
        var found = new List<int>();
        var frontier = new Queue<int>([root]);
        while (frontier.TryDequeue(out var parent))
        {
            foreach (var (pid, ppid) in parents)
            {
                if (ppid == parent && !found.Contains(pid))
                {
                    found.Add(pid);
                    frontier.Enqueue(pid);
                }
            }
        }

        return found;
    }

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/cmdline") && !IsZombie(pid);

    private static IEnumerable<int> Pids() =>
        Directory.EnumerateDirectories("/proc")
            .Select(dir => int.TryParse(Path.GetFileName(dir), out var pid) ? pid : 0)
            .Where(pid => pid > 0);

    private static int ParentOf(int pid)
    {
        var stat = Read(pid, "stat");
        var fields = stat.Length == 0 ? [] : stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields.Length > 1 && int.TryParse(fields[1], out var ppid) ? ppid : 0;
    }

    private static string Read(int pid, string file)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/{file}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ""; // the process ended while we looked, or is not ours to read
        }
    }

    private static bool IsZombie(int pid)
    {
        var stat = Read(pid, "stat");
        return stat.Length == 0 || stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
    }
}
