namespace Encimap.AppHost;

/// <summary>What the resource's last health probe said.</summary>
public enum ResourceHealth
{
    Unknown,
    Healthy,
    Unhealthy,
}
