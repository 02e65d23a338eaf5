using System.Diagnostics;
using OpenTelemetry;

namespace Encimap.ServiceDefaults;

/// <summary>
/// Leaves out of the exported traces the spans of database commands and outgoing HTTP calls that
/// no operation encloses: a query or a call belongs to the request, session, delivery or job that
/// made it. Without a parent it comes from background polling (the relay queue, a LISTEN
/// reconnect, an IDLE re-check), and each would be a root trace of its own every few seconds,
/// burying the traces an SRE looks for. Their metrics are still recorded.
/// </summary>
/// <remarks>
/// Unrecording at start is what the ASP.NET Core instrumentation's filter does: the exporter skips
/// the span, and an outgoing call's <c>traceparent</c> says "not sampled", so the service it calls
/// does not start a trace for it either.
/// </remarks>
public sealed class OrphanSpanFilter : BaseProcessor<Activity>
{
    /// <summary>The ActivitySources whose spans need a parent to be exported.</summary>
    public static readonly IReadOnlySet<string> DependencySources = new HashSet<string>(StringComparer.Ordinal)
    {
        "Npgsql",
        "System.Net.Http",
    };

    public override void OnStart(Activity data)
    {
        if (data.Parent is null && data.ParentSpanId == default && DependencySources.Contains(data.Source.Name))
        {
            data.IsAllDataRequested = false;
            data.ActivityTraceFlags &= ~ActivityTraceFlags.Recorded;
        }
    }
}
