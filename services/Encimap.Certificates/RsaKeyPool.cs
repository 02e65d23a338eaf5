using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Encimap.Certificates;

/// <summary>
/// RSA key generation takes tens to hundreds of milliseconds; this pool keeps
/// <see cref="CertificateOptions.KeyPoolSize"/> keys of the default size generated ahead, refilled
/// in the background (<see cref="RsaKeyPoolRefill"/>). Each key is handed out once and then
/// belongs to the caller, who disposes it. A take from an empty pool, or of another size,
/// generates synchronously.
/// </summary>
public sealed class RsaKeyPool : IDisposable
{
    private readonly ConcurrentQueue<RSA> _keys = new();
    private readonly SemaphoreSlim _refillSignal = new(0, int.MaxValue);
    private readonly CertificateTelemetry _telemetry;
    private readonly Lock _disposeGate = new();
    private int _count;
    private bool _disposed;

    public RsaKeyPool(IOptions<CertificateOptions> options, CertificateTelemetry telemetry)
    {
        ArgumentNullException.ThrowIfNull(options);
        _telemetry = telemetry ?? throw new ArgumentNullException(nameof(telemetry));
        KeySizeBits = options.Value.KeySizeBits;
        Capacity = options.Value.KeyPoolSize;
        telemetry.ObservePoolSize(() => Volatile.Read(ref _count));
    }

    /// <summary>The size of the keys kept ready.</summary>
    public int KeySizeBits { get; }

    /// <summary>How many keys the pool keeps ready.</summary>
    public int Capacity { get; }

    /// <summary>How many keys are ready now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>A fresh key of <paramref name="keySizeBits"/> bits that nobody else gets.</summary>
    public RSA Take(int keySizeBits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (keySizeBits == KeySizeBits && _keys.TryDequeue(out var pooled))
        {
            Interlocked.Decrement(ref _count);
            _refillSignal.Release();
            _telemetry.PoolHits.Add(1, new KeyValuePair<string, object?>("key_size", keySizeBits));
            return pooled;
        }
        _telemetry.PoolMisses.Add(1, new KeyValuePair<string, object?>("key_size", keySizeBits));
        if (keySizeBits == KeySizeBits)
        {
            _refillSignal.Release();
        }
        return Generate(keySizeBits);
    }

    /// <summary>Fills the pool to capacity, then refills whenever keys are taken, until cancelled.</summary>
    public async Task RunRefillAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            while (Volatile.Read(ref _count) < Capacity && !cancellationToken.IsCancellationRequested)
            {
                // Generation is CPU-bound: keep it off the caller's context, one key at a time, so
                // that a refill never takes more than one core from request handling.
                var key = await Task.Run(() => Generate(KeySizeBits), cancellationToken).ConfigureAwait(false);
                lock (_disposeGate)
                {
                    if (_disposed)
                    {
                        key.Dispose();
                        return;
                    }
                    _keys.Enqueue(key);
                    Interlocked.Increment(ref _count);
                }
            }
            await _refillSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until the pool holds <see cref="Capacity"/> keys (for warm-up and tests).</summary>
    public async Task WaitUntilFullAsync(CancellationToken cancellationToken = default)
    {
        while (Count < Capacity)
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Generates a key now. The OpenSSL-backed RSA generates lazily: export the public
    /// key so that the cost is paid here and not by the first user.</summary>
    public static RSA Generate(int keySizeBits)
    {
        var rsa = RSA.Create(keySizeBits);
        try
        {
            _ = rsa.ExportSubjectPublicKeyInfo();
            return rsa;
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        lock (_disposeGate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            while (_keys.TryDequeue(out var key))
            {
                key.Dispose();
            }
            _count = 0;
        }
        _refillSignal.Dispose();
    }
}
