using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Encimap.AppHost;

/// <summary>
/// Starts the fleet in order — the database (embedded cluster, or the connection strings given),
/// its migrations, then each service that exists, waiting for its health — prints one line per
/// resource, and on shutdown stops the services in reverse order and the database last.
/// </summary>
public sealed class FleetOrchestrator(
    Fleet fleet,
    IOptions<AppHostOptions> options,
    IConfiguration configuration,
    ConsoleSink console,
    ILogger<FleetOrchestrator> logger) : BackgroundService
{
    private readonly AppHostOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clock = Stopwatch.StartNew();
        var layout = RepositoryLayout.Discover(_options);
        var secrets = DevelopmentSecrets.Load(layout.StateDirectory);
        var database = new DatabaseResource(_options, configuration, layout, secrets, logger);
        fleet.Add(database);
        try
        {
            await database.StartAsync(stoppingToken);
            var services = CreateServices(layout, database, secrets);
            foreach (var service in services)
            {
                fleet.Add(service);
            }

            foreach (var service in services)
            {
                await StartServiceAsync(service, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            logger.LogError(e, "The fleet failed to start");
        }

        fleet.MarkStarted();
        PrintSummary(clock.Elapsed);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var resource in fleet.Resources.Reverse())
        {
            try
            {
                await resource.StopAsync(cancellationToken);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Stopping {Resource} failed", resource.Name);
            }
        }

        console.Write("apphost", "every resource stopped", isError: false);
    }

    private async Task StartServiceAsync(ServiceResource service, CancellationToken stoppingToken)
    {
        try
        {
            await service.StartAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            logger.LogError("{Resource} failed to start: {Reason}", service.Name, e.Message);
        }
    }

    private List<ServiceResource> CreateServices(RepositoryLayout layout, DatabaseResource database, DevelopmentSecrets secrets)
    {
        var present = ServiceCatalog.All.Where(s => Directory.Exists(layout.ServiceProjectDirectory(s))).ToList();
        var environment = new ServiceEnvironment(_options, layout, database, secrets, present, configuration);
        return present
            .Select(s => new ServiceResource(s, layout.ServiceAssembly(s), environment.For(s), _options, console))
            .ToList();
    }

    private void PrintSummary(TimeSpan elapsed)
    {
        var lines = new List<string> { fleet.IsReady ? $"fleet ready in {elapsed.TotalSeconds:0.0} s" : "fleet started with errors" };
        foreach (var resource in fleet.Snapshot())
        {
            var endpoints = string.Join(", ", resource.Endpoints.Select(e => $"{e.Name} {e.Url}"));
            lines.Add($"  {resource.Name,-13} {resource.State,-10} {resource.Health,-9} {endpoints}");
        }

        lines.Add($"  {"dashboard",-13} {"Running",-10} {"Healthy",-9} {_options.DashboardUrl}  (GET /api/resources)");
        foreach (var line in lines)
        {
            console.Write("apphost", line, isError: false);
        }
    }
}
