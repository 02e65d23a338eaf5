using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Encimap.ServiceDefaults;

/// <summary>
/// Stops the service when the AppHost that started it (<c>ENCIMAP_APPHOST_PID</c>) is gone, so a
/// killed AppHost leaves no orphan services behind. Does nothing outside the AppHost.
/// </summary>
/// <remarks>
/// Still needed while the fleet's AppHost starts the services as its own child processes: nothing
/// else stops them when it is killed. Under Aspire's orchestrator (DCP), which stops what it
/// started, no variable is set and this returns at once; it goes when that AppHost is the only one.
/// </remarks>
internal sealed partial class AppHostWatcher(
    IConfiguration configuration,
    IHostApplicationLifetime lifetime,
    ILogger<AppHostWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!int.TryParse(configuration["ENCIMAP_APPHOST_PID"], out var pid))
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            if (!IsAlive(pid))
            {
                LogAppHostGone(logger, pid);
                lifetime.StopApplication();
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    // Our parent's pid could be reused after it dies; /proc/{pid} plus the parent check below
    // keeps a false "alive" short-lived (the reused pid would not be our parent).
    private static bool IsAlive(int pid) =>
        Directory.Exists($"/proc/{pid}") && ParentPid() == pid;

    private static int ParentPid()
    {
        try
        {
            var stat = File.ReadAllText("/proc/self/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1]);
        }
        catch (IOException)
        {
            return -1;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The AppHost (pid {Pid}) is gone; stopping")]
    private static partial void LogAppHostGone(ILogger logger, int pid);
}
