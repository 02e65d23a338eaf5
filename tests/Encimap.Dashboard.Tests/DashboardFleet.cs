using Encimap.Testing;

namespace Encimap.Dashboard.Tests;

/// <summary>The fleet with the Aspire dashboard, which receives every service's OpenTelemetry.</summary>
public sealed class DashboardFleet : EncimapFleet
{
    public DashboardFleet()
    {
        WithDashboard = true;
    }
}
