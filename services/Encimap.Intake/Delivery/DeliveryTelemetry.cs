using System.Diagnostics;
using System.Diagnostics.Metrics;
using Encimap.ServiceDefaults;

namespace Encimap.Intake.Delivery;

/// <summary>
/// The intake's spans and metrics, under the name <see cref="EncimapTelemetry.Intake"/>. Tags
/// carry vaultbox ids, sizes and outcomes — never addresses or message content.
/// </summary>
public sealed class DeliveryTelemetry : IDisposable
{
    public static readonly ActivitySource ActivitySource = new(EncimapTelemetry.Intake);

    public const string VaultboxIdTag = "encimap.vaultbox.id";
    public const string SizeTag = "encimap.message.size";
    public const string OutcomeTag = "encimap.delivery.outcome";
    public const string RecipientCountTag = "encimap.delivery.recipients";
    public const string ChannelTag = "encimap.delivery.channel";

    private readonly Meter _meter;

    public DeliveryTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(EncimapTelemetry.Intake);
        Deliveries = _meter.CreateCounter<long>("encimap.intake.deliveries", "{delivery}",
            "Delivery outcomes per vaultbox copy (stored, duplicate) or attempt (unknown_recipient, too_large, rejected, failed), tagged by outcome.");
        Bytes = _meter.CreateCounter<long>("encimap.intake.bytes", "By", "Bytes of original messages stored.");
        EncryptionDuration = _meter.CreateHistogram<double>("encimap.intake.encryption.duration", "s", "Time to build one vaultbox's encrypted copy.");
        CommitDuration = _meter.CreateHistogram<double>("encimap.intake.commit.duration", "s", "Time of the storing transaction, commit included.");
    }

    public Counter<long> Deliveries { get; }

    public Counter<long> Bytes { get; }

    public Histogram<double> EncryptionDuration { get; }

    public Histogram<double> CommitDuration { get; }

    public void Count(string outcome, long n = 1)
    {
        if (n > 0)
        {
            Deliveries.Add(n, new KeyValuePair<string, object?>(OutcomeTag, outcome));
        }
    }

    public static Activity? Start(string name, Guid? vaultboxId = null)
    {
        var activity = ActivitySource.StartActivity(name, ActivityKind.Internal);
        if (activity is not null && vaultboxId is { } id)
        {
            activity.SetTag(VaultboxIdTag, id.ToString());
        }

        return activity;
    }

    public static void Fail(Activity? activity, string reason)
    {
        activity?.SetStatus(ActivityStatusCode.Error, reason);
    }

    public void Dispose() => _meter.Dispose();
}
