using System.Net;
using System.Net.Sockets;

namespace Encimap.Testing;

/// <summary>
/// The development ports (DESIGN.md) moved by one offset, held for as long as a fleet runs. Test
/// projects run side by side in separate processes and start their fleets at the same moment, so
/// a port being free now says nothing of the fleet that chose it a second ago and binds it later,
/// and one fleet's 4301 + 10 is another's 4311. Each live fleet therefore holds a file named after
/// its offset in a shared directory, with an exclusive lock (released by dispose, or by the
/// kernel when the process ends); an offset is chosen, under a lock of the whole directory, only
/// when none of its ports is a port of a live fleet, and all of them are free.
/// </summary>
public sealed class FleetPorts : IDisposable
{
    private static readonly int[] DevelopmentPorts = [55432, 55433, 4301, 4311, 4321, 4331, 4341, 4351, 4400, 4401, 2525, 2587, 1143, 1993, 3001];
    private static readonly string Registry = Path.Combine(Path.GetTempPath(), "encimap-test-fleet-ports");

    private readonly FileStream _claim;
    private readonly string _path;
    private int _released;

    private FleetPorts(int offset, FileStream claim, string path) => (Offset, _claim, _path) = (offset, claim, path);

    /// <summary>What every development port is moved by.</summary>
    public int Offset { get; }

    /// <summary>Claims an offset that no live fleet uses and whose ports are free now.</summary>
    public static FleetPorts Claim()
    {
        Directory.CreateDirectory(Registry);
        using var registry = WaitForLock(Path.Combine(Registry, ".lock"));
        var taken = LiveOffsets().SelectMany(offset => DevelopmentPorts.Select(port => port + offset)).ToHashSet();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var offset = Random.Shared.Next(1, 90) * 100 + Random.Shared.Next(0, 100);
            if (DevelopmentPorts.All(port => !taken.Contains(port + offset) && IsFree(port + offset)))
            {
                var path = Path.Combine(Registry, offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
                return new FleetPorts(offset, TryLock(path) ?? throw new InvalidOperationException($"{path} is held"), path);
            }
        }

        throw new InvalidOperationException("no free set of fleet ports");
    }

    public void Dispose()
    {
        // Once: the file may be another fleet's by a second call.
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            File.Delete(_path);
            _claim.Dispose();
        }
    }

    /// <summary>The offsets whose files are locked; a file nobody holds is left by a process that ended.</summary>
    private static List<int> LiveOffsets()
    {
        var live = new List<int>();
        foreach (var path in Directory.EnumerateFiles(Registry))
        {
            if (!int.TryParse(Path.GetFileName(path), out var offset))
            {
                continue;
            }

            if (TryLock(path) is { } stale)
            {
                File.Delete(path);
                stale.Dispose();
            }
            else
            {
                live.Add(offset);
            }
        }

        return live;
    }

    // FileShare.None takes an exclusive advisory lock (flock) on Unix: a second holder, in this
    // process or another, gets an IOException.
    private static FileStream? TryLock(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static FileStream WaitForLock(string path)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (TryLock(path) is { } held)
            {
                return held;
            }

            if (attempt == 600)
            {
                throw new TimeoutException($"{path} stayed locked for a minute");
            }

            Thread.Sleep(100);
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
