using System.Diagnostics.Metrics;
using Encimap.Smtp;

namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>
/// The gateway's own instruments on the "Encimap.Smtp" meter (the protocol library counts
/// sessions, accepted and rejected messages): queue depth and relay outcomes.
/// </summary>
public sealed class GatewayTelemetry
{
    private long _queueDepth;

    public GatewayTelemetry()
    {
        SmtpTelemetry.Meter.CreateObservableGauge("encimap.smtp.queue.depth", () => Interlocked.Read(ref _queueDepth), "{message}", "Outbound messages queued or being sent (as of the relay worker's last look)");
        RelayOutcomes = SmtpTelemetry.Meter.CreateCounter<long>("encimap.smtp.relay.outcomes", "{message}", "Relay attempts by outcome: delivered, deferred, bounced, failed");
        SubmissionsRefused = SmtpTelemetry.Meter.CreateCounter<long>("encimap.smtp.submission.refused", "{message}", "Submissions refused by the sender rules, by reason");
        FollowUps = SmtpTelemetry.Meter.CreateCounter<long>("encimap.smtp.relay.followups", "{message}", "Sent copies and bounces stored through the intake, by kind and outcome");
        DkimSignatures = SmtpTelemetry.Meter.CreateCounter<long>("encimap.smtp.relay.dkim", "{message}", "DKIM signing of relayed mail by outcome: signed, refused (relayed unsigned), deferred");
    }

    public Counter<long> RelayOutcomes { get; }

    public Counter<long> SubmissionsRefused { get; }

    public Counter<long> FollowUps { get; }

    public Counter<long> DkimSignatures { get; }

    public void SetQueueDepth(long depth) => Interlocked.Exchange(ref _queueDepth, depth);
}
