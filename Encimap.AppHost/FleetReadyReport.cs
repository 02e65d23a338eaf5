using System.Diagnostics;
using System.Globalization;
using Encimap.AppHost.Database;
using Encimap.AppHost.Services;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;

namespace Encimap.AppHost;

/// <summary>
/// Once every process of the fleet is healthy and the databases are prepared, prints one line per
/// resource with its endpoints, then <c>fleet ready in N s</c> (scripts wait for that line) and
/// where the dashboard is.
/// </summary>
internal sealed class FleetReadyReport(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    IConfiguration configuration) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var resources = model.Resources.Where(r => r is ExecutableResource or IFleetService or DatabaseMigrationsResource).ToList();
        try
        {
            await Task.WhenAll(resources.Select(r => r is DatabaseMigrationsResource
                ? notifications.WaitForResourceAsync(r.Name, KnownResourceStates.Finished, stoppingToken)
                : notifications.WaitAllReplicasHealthyAsync(r, stoppingToken))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        var elapsed = DateTime.Now - Process.GetCurrentProcess().StartTime;
        foreach (var resource in resources)
        {
            Console.WriteLine($"{resource.Name,-13} {Describe(resource)}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fleet ready in {elapsed.TotalSeconds:0.0} s"));
        if (configuration["ASPNETCORE_URLS"] is { Length: > 0 } dashboard)
        {
            Console.WriteLine($"dashboard: {dashboard.Split(';')[0]}");
        }
    }

    private static string Describe(IResource resource)
    {
        var endpoints = resource.Annotations.OfType<EndpointAnnotation>()
            .Select(e => $"{e.Name} {e.UriScheme}://127.0.0.1:{e.Port}")
            .ToList();
        return endpoints.Count > 0 ? string.Join(", ", endpoints) : "finished";
    }
}
