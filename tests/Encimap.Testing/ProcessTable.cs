namespace Encimap.Testing;

/// <summary>Reads /proc to find a fleet's processes and the ones left behind.</summary>
public static class ProcessTable
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

    /// <summary>
    /// The processes of a fleet started by <paramref name="launcher"/> (dotnet run): its tree, DCP
    /// (which leaves that tree but names the AppHost it watches) and what DCP runs, every service
    /// (its environment names the state directory) and PostgreSQL (its command line does).
    /// </summary>
    public static IReadOnlyCollection<int> Fleet(int launcher, string stateDirectory)
    {
        var found = new HashSet<int>(Descendants(launcher)) { launcher };
        foreach (var pid in found.ToList())
        {
            foreach (var dcp in WithCommandLineContaining($"--monitor {pid} "))
            {
                found.Add(dcp);
                found.UnionWith(Descendants(dcp));
            }
        }

        found.UnionWith(WithEnvironment($"Encimap__StateDirectory={stateDirectory}"));
        foreach (var pid in WithCommandLineContaining(stateDirectory))
        {
            // PostgreSQL's postmaster names the data directory; its backends are below it.
            found.Add(pid);
            found.UnionWith(Descendants(pid));
        }

        return found.Where(IsAlive).ToList();
    }

    /// <summary>Resident and proportional set size of a process in KiB (0, 0 once it is gone).</summary>
    public static (long RssKib, long PssKib) Memory(int pid)
    {
        long rss = 0, pss = 0;
        foreach (var line in Read(pid, "smaps_rollup").Split('\n'))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && parts[0] == "Rss:")
            {
                rss = long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (parts.Length >= 2 && parts[0] == "Pss:")
            {
                pss = long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return (rss, pss);
    }

    /// <summary>The process's command name (<c>comm</c>).</summary>
    public static string Name(int pid) => Read(pid, "comm").Trim();

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
