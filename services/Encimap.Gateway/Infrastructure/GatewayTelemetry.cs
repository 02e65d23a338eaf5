using System.Diagnostics.Metrics;
using Encimap.ServiceDefaults;

namespace Encimap.Gateway.Infrastructure;

/// <summary>Counts the requests the gateway answers itself instead of forwarding, by reason.</summary>
public static class GatewayTelemetry
{
    private static readonly Meter Meter = new(EncimapTelemetry.Gateway);

    private static readonly Counter<long> Rejections = Meter.CreateCounter<long>(
        "encimap.gateway.rejections", unit: "{request}", description: "Requests answered by the gateway without a response from the API.");

    /// <summary><paramref name="reason"/>: unauthorized, rate_limited, api_unreachable, api_timeout, …</summary>
    public static void Rejected(string reason) => Rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
