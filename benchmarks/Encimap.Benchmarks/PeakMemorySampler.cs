using System.Globalization;

namespace Encimap.Benchmarks;

/// <summary>
/// The peak resident set of a group of processes while a piece of work runs: each process's
/// high-water mark (<c>VmHWM</c>) is reset first (writing 5 to <c>/proc/pid/clear_refs</c>,
/// Linux 4.0+), RSS is also sampled every few milliseconds (for processes that appear meanwhile,
/// such as new PostgreSQL backends, and in case the reset is refused), and the peak of each
/// process is compared with its RSS when it was first seen.
/// </summary>
internal sealed class PeakMemorySampler : IAsyncDisposable
{
    private readonly Func<IEnumerable<(string Name, int Pid)>> _processes;
    private readonly Dictionary<int, Usage> _usage = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private PeakMemorySampler(Func<IEnumerable<(string Name, int Pid)>> processes)
    {
        _processes = processes;
        foreach (var (name, pid) in processes())
        {
            ResetHighWaterMark(pid);
            Sample(name, pid);
        }

        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Starts sampling <paramref name="processes"/> (called again on every sample: the group may grow).</summary>
    public static PeakMemorySampler Start(Func<IEnumerable<(string Name, int Pid)>> processes) => new(processes);

    /// <summary>Stops sampling; per process, its RSS when first seen and its peak, in KiB.</summary>
    public async Task<IReadOnlyList<Usage>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        foreach (var usage in _usage.Values)
        {
            usage.Peak = Math.Max(usage.Peak, Status(usage.Pid, "VmHWM:"));
        }

        return _usage.Values.OrderBy(u => u.Name, StringComparer.Ordinal).ThenBy(u => u.Pid).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            foreach (var (name, pid) in _processes())
            {
                Sample(name, pid);
            }

            try
            {
                await Task.Delay(20, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private void Sample(string name, int pid)
    {
        var rss = Status(pid, "VmRSS:");
        if (rss == 0)
        {
            return;
        }

        if (!_usage.TryGetValue(pid, out var usage))
        {
            // A process first seen now: reset its mark so that VmHWM is this run's.
            ResetHighWaterMark(pid);
            _usage[pid] = usage = new Usage(name, pid, rss);
        }

        usage.Peak = Math.Max(usage.Peak, Math.Max(rss, Status(pid, "VmHWM:")));
    }

    private static void ResetHighWaterMark(int pid)
    {
        try
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not ours or gone: the sampled RSS stands in for the mark.
        }
    }

    private static long Status(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(field.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return 0;
    }

    /// <summary>One process: RSS when first seen and the peak since, in KiB.</summary>
    internal sealed class Usage(string name, int pid, long before)
    {
        public string Name { get; } = name;

        public int Pid { get; } = pid;

        public long Before { get; } = before;

        public long Peak { get; set; } = before;

        public long Added => Math.Max(0, Peak - Before);
    }
}
