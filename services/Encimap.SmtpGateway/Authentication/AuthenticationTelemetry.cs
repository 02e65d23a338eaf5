using System.Diagnostics;
using System.Diagnostics.Metrics;
using Encimap.Smtp;

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// Spans (on the gateway's "Encimap.Smtp" source) and a counter for the MX's checks:
/// <c>encimap.smtp.mx.authentication</c> by check (spf, dkim, dmarc, disposition) and result.
/// </summary>
public sealed class AuthenticationTelemetry
{
    public const string CheckTag = "encimap.auth.check";
    public const string ResultTag = "encimap.auth.result";

    private readonly Counter<long> _results = SmtpTelemetry.Meter.CreateCounter<long>(
        "encimap.smtp.mx.authentication", "{result}", "Results of SPF, DKIM and DMARC checks on inbound mail, and the dispositions they led to");

    public static Activity? Start(string check) => SmtpTelemetry.ActivitySource.StartActivity($"smtp.mx.{check}");

    public void Record(Activity? activity, string check, string result)
    {
        activity?.SetTag(CheckTag, check);
        activity?.SetTag(ResultTag, result);
        _results.Add(1, new KeyValuePair<string, object?>("check", check), new KeyValuePair<string, object?>("result", result));
    }
}
