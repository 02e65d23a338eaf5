using System.Diagnostics;
using System.Diagnostics.Metrics;
using Encimap.ServiceDefaults;

namespace Encimap.Certificates;

/// <summary>
/// The service's spans and metrics, under the name <see cref="EncimapTelemetry.Certificates"/>.
/// Tags carry ids and profiles, never keys, passwords or certificate contents.
/// </summary>
public sealed class CertificateTelemetry : IDisposable
{
    /// <summary>Spans around issue, lookup, export and renewal.</summary>
    public static readonly ActivitySource ActivitySource = new(EncimapTelemetry.Certificates);

    public const string VaultboxIdTag = "encimap.vaultbox.id";
    public const string ProfileTag = "encimap.pkcs12.profile";

    private readonly Meter _meter;

    public CertificateTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(EncimapTelemetry.Certificates);
        Issued = _meter.CreateCounter<long>("encimap.certificates.issued", "{certificate}", "Certificates minted (by reason: request, renewal).");
        Exports = _meter.CreateCounter<long>("encimap.certificates.exports", "{export}", "PKCS#12 files and bundles built (by kind and profile).");
        PoolHits = _meter.CreateCounter<long>("encimap.certificates.key_pool.hits", "{key}", "RSA keys served from the pre-generated pool.");
        PoolMisses = _meter.CreateCounter<long>("encimap.certificates.key_pool.misses", "{key}", "RSA keys generated on demand because the pool had none of that size.");
        Renewed = _meter.CreateCounter<long>("encimap.certificates.renewed", "{certificate}", "Certificates issued by the renewal job.");
        MarkedExpired = _meter.CreateCounter<long>("encimap.certificates.expired", "{certificate}", "Certificates marked expired by the renewal job.");
        DkimKeysGenerated = _meter.CreateCounter<long>("encimap.certificates.dkim.keys_generated", "{key}", "DKIM keys generated for domains (by algorithm).");
        DkimSignatures = _meter.CreateCounter<long>("encimap.certificates.dkim.signatures", "{signature}", "Messages DKIM-signed (by algorithm).");
    }

    /// <summary>The meter of this instance (one per service container).</summary>
    public Meter Meter => _meter;

    public Counter<long> Issued { get; }

    public Counter<long> Exports { get; }

    public Counter<long> PoolHits { get; }

    public Counter<long> PoolMisses { get; }

    public Counter<long> Renewed { get; }

    public Counter<long> MarkedExpired { get; }

    public Counter<long> DkimKeysGenerated { get; }

    public Counter<long> DkimSignatures { get; }

    /// <summary>Registers the pool-size gauge (the pool calls this once).</summary>
    public void ObservePoolSize(Func<int> size) =>
        _meter.CreateObservableGauge("encimap.certificates.key_pool.size", size, "{key}", "Pre-generated RSA keys ready.");

    public static Activity? Start(string name, Guid? vaultboxId = null)
    {
        var activity = ActivitySource.StartActivity(name, ActivityKind.Internal);
        if (activity is not null && vaultboxId is { } id)
        {
            activity.SetTag(VaultboxIdTag, id.ToString());
        }
        return activity;
    }

    public static void Fail(Activity? activity, Exception exception)
    {
        activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
    }

    public void Dispose() => _meter.Dispose();
}
