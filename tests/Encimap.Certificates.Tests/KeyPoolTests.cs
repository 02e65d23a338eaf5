using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using Encimap.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Encimap.Certificates.Tests;

public sealed class KeyPoolTests
{
    [Fact]
    public async Task Warm_pool_serves_pregenerated_keys_quickly_and_never_the_same_key_twice()
    {
        const int size = 6;
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var telemetry = new CertificateTelemetry(services.GetRequiredService<IMeterFactory>());
        long hits = 0, misses = 0, gauge = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EncimapTelemetry.Certificates)
            {
                l.EnableMeasurementEvents(instrument, instrument.Meter);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, state) =>
        {
            if (!ReferenceEquals(state, telemetry.Meter))
            {
                return;
            }
            if (instrument.Name.EndsWith(".hits", StringComparison.Ordinal)) Interlocked.Add(ref hits, value);
            if (instrument.Name.EndsWith(".misses", StringComparison.Ordinal)) Interlocked.Add(ref misses, value);
        });
        listener.SetMeasurementEventCallback<int>((instrument, value, _, state) =>
        {
            if (ReferenceEquals(state, telemetry.Meter) && instrument.Name.EndsWith(".size", StringComparison.Ordinal)) Interlocked.Exchange(ref gauge, value);
        });
        listener.Start();

        using var pool = new RsaKeyPool(Options.Create(new CertificateOptions { KeyPoolSize = size }), telemetry);
        using var stop = new CancellationTokenSource();
        var refill = pool.RunRefillAsync(stop.Token);
        var warmUp = Stopwatch.StartNew();
        await pool.WaitUntilFullAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        warmUp.Stop();
        listener.RecordObservableInstruments();
        Assert.Equal(size, Interlocked.Read(ref gauge));

        // Stop refilling so that every take below is measured against what was generated ahead.
        await stop.CancelAsync();
        await StoppedAsync(refill);

        var keys = new List<RSA>();
        var taking = Stopwatch.StartNew();
        for (var i = 0; i < size; i++)
        {
            keys.Add(pool.Take(2048));
        }
        taking.Stop();
        Assert.Equal(size, Interlocked.Read(ref hits));
        Assert.Equal(0, Interlocked.Read(ref misses));
        Assert.Equal(0, pool.Count);
        // Six takes from the pool cost less than generating one key did, on average, during warm-up.
        Assert.True(taking.Elapsed < warmUp.Elapsed / size, $"taking {size} keys took {taking.Elapsed.TotalMilliseconds:F1} ms; warm-up {warmUp.Elapsed.TotalMilliseconds:F0} ms");

        // Empty pool: generated on the spot; another size: never from the pool.
        keys.Add(pool.Take(2048));
        keys.Add(pool.Take(3072));
        Assert.Equal(2, Interlocked.Read(ref misses));
        Assert.Equal(3072, keys[^1].KeySize);

        var publicKeys = keys.Select(key => Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())).ToList();
        Assert.Equal(publicKeys.Count, publicKeys.Distinct().Count());
        Assert.Equal(keys.Count, keys.Distinct(ReferenceEqualityComparer.Instance).Count());
        foreach (var key in keys)
        {
            Assert.Equal(key.KeySize == 3072 ? 3072 : 2048, key.KeySize);
            key.Dispose();
        }
    }

    [Fact]
    public async Task Refill_tops_the_pool_up_after_takes_and_disposal_releases_the_rest()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var telemetry = new CertificateTelemetry(services.GetRequiredService<IMeterFactory>());
        var pool = new RsaKeyPool(Options.Create(new CertificateOptions { KeyPoolSize = 3 }), telemetry);
        using var stop = new CancellationTokenSource();
        var refill = pool.RunRefillAsync(stop.Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await pool.WaitUntilFullAsync(timeout.Token);

        var seen = new HashSet<string>();
        for (var round = 0; round < 3; round++)
        {
            using var key = pool.Take(2048);
            Assert.True(seen.Add(Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())), "a key was handed out twice");
            await pool.WaitUntilFullAsync(timeout.Token);
        }
        Assert.Equal(3, pool.Count);

        await stop.CancelAsync();
        await StoppedAsync(refill);
        pool.Dispose();
        Assert.Equal(0, pool.Count);
        Assert.Throws<ObjectDisposedException>(() => pool.Take(2048));
    }

    private static async Task StoppedAsync(Task refill)
    {
        try
        {
            await refill;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
