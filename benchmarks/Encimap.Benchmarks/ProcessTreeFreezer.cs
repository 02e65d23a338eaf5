using System.Diagnostics;
using System.Globalization;

namespace Encimap.Benchmarks;

/// <summary>
/// Stops (SIGSTOP) and continues (SIGCONT) whole process trees, so that a benchmark can measure
/// two systems on one machine in alternating rounds while the idle one does nothing at all: no
/// queue it still delivers, no checkpoint it still writes. Linux only (reads /proc).
/// </summary>
internal sealed class ProcessTreeFreezer(Func<Task<IEnumerable<int>>> roots)
{
    public async Task FreezeAsync()
    {
        // The roots first, so that none of them starts a child after the scan below; then the
        // descendants until a scan finds none still running (a child may have been started
        // between a root's listing and its stop).
        var stopped = new HashSet<int>(await roots());
        await SignalAsync("STOP", stopped);
        for (var pass = 0; pass < 10; pass++)
        {
            var running = Descendants(stopped).Where(pid => !stopped.Contains(pid)).ToList();
            if (running.Count == 0)
            {
                return;
            }

            await SignalAsync("STOP", running);
            stopped.UnionWith(running);
        }
    }

    public async Task ThawAsync()
    {
        var all = new HashSet<int>(await roots());
        all.UnionWith(Descendants(all));
        await SignalAsync("CONT", all);
    }

    /// <summary>Every process below <paramref name="ancestors"/>, at any depth.</summary>
    private static List<int> Descendants(IReadOnlyCollection<int> ancestors)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && ParentOf(pid) is { } parent)
            {
                parents[pid] = parent;
            }
        }

        var found = new List<int>();
        var below = new HashSet<int>(ancestors);
        bool added;
        do
        {
            added = false;
            foreach (var (pid, parent) in parents)
            {
                if (below.Contains(parent) && below.Add(pid))
                {
                    found.Add(pid);
                    added = true;
                }
            }
        }
        while (added);
        return found;
    }

    /// <summary>The parent's pid from /proc/PID/stat: the field after the state, which follows the last ')' of the name.</summary>
    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private static async Task SignalAsync(string signal, IEnumerable<int> pids)
    {
        var start = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        start.ArgumentList.Add("-" + signal);
        foreach (var pid in pids)
        {
            start.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        }

        if (start.ArgumentList.Count == 1)
        {
            return;
        }

        using var process = Process.Start(start)!;
        // A process that ended meanwhile makes kill complain; the others are still signalled.
        await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
    }
}
