using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Encimap.AppHost.Services;

/// <summary>
/// Waits until every replica of a service runs and is healthy. Aspire's
/// <c>WaitForResourceHealthyAsync</c> takes one resource id, and the replicas of a service have
/// ids of their own (<c>smtp-abcde</c>), none of them the service's name.
/// </summary>
public static class ServiceReadiness
{
    public static async Task WaitAllReplicasHealthyAsync(this ResourceNotificationService notifications, IResource service, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notifications);
        ArgumentNullException.ThrowIfNull(service);
        var replicas = service.GetReplicaCount();
        var healthy = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var update in notifications.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!string.Equals(update.Resource.Name, service.Name, StringComparison.Ordinal))
            {
                continue;
            }

            if (update.Snapshot.State?.Text == KnownResourceStates.Running && update.Snapshot.HealthStatus == HealthStatus.Healthy)
            {
                healthy.Add(update.ResourceId);
            }
            else
            {
                healthy.Remove(update.ResourceId);
            }

            if (healthy.Count >= replicas)
            {
                return;
            }
        }
    }
}
