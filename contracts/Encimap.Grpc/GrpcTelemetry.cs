using System.Diagnostics;

namespace Encimap.Grpc;

/// <summary>
/// Spans of gRPC calls, named and tagged after the OpenTelemetry RPC conventions
/// (<c>rpc.system</c>, <c>rpc.service</c>, <c>rpc.method</c>, <c>rpc.grpc.status_code</c>).
/// </summary>
public static class GrpcTelemetry
{
    /// <summary>The ActivitySource of client spans; add it to the tracer provider to export them.</summary>
    public const string ActivitySourceName = "Encimap.Grpc";

    internal static readonly ActivitySource Source = new(ActivitySourceName, "1.0.0");

    /// <summary>
    /// Starts the client span. It is Activity.Current while HttpClient sends the request, so the
    /// <c>traceparent</c> that System.Net.Http injects names this span as the server's parent.
    /// </summary>
    internal static Activity? StartClientActivity(string serviceName, string methodName, string fullName)
    {
        var activity = Source.StartActivity(fullName, ActivityKind.Client);
        if (activity is not null)
        {
            SetMethodTags(activity, serviceName, methodName);
        }

        return activity;
    }

    /// <summary>
    /// Names ASP.NET Core's request activity (when one exists, i.e. someone listens or logs) after
    /// the RPC, so that server spans read like client spans.
    /// </summary>
    internal static Activity? EnrichServerActivity(string serviceName, string methodName, string fullName)
    {
        var activity = Activity.Current;
        if (activity is not null)
        {
            activity.DisplayName = fullName;
            SetMethodTags(activity, serviceName, methodName);
        }

        return activity;
    }

    internal static void SetStatus(Activity? activity, StatusCode statusCode, string? detail = null)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetTag("rpc.grpc.status_code", (int)statusCode);
        if (statusCode != StatusCode.OK)
        {
            activity.SetStatus(ActivityStatusCode.Error, detail ?? statusCode.ToString());
        }
    }

    private static void SetMethodTags(Activity activity, string serviceName, string methodName)
    {
        activity.SetTag("rpc.system", "grpc");
        activity.SetTag("rpc.service", serviceName);
        activity.SetTag("rpc.method", methodName);
    }
}
