using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Encimap.Certificates.Dkim;

/// <summary>
/// A domain's current DKIM key, generated, wrapped under the current KEK and stored on first use.
/// Concurrent first uses (several relays, the API) may each generate a key; one is stored, and
/// every caller gets that one.
/// </summary>
public sealed partial class DkimKeyProvider(
    DkimKeyStore store,
    PrivateKeyCustody custody,
    CertificateTelemetry telemetry,
    IOptions<DkimOptions> options,
    TimeProvider time,
    ILogger<DkimKeyProvider> logger)
{
    /// <summary>The prefix of every selector this service makes.</summary>
    public const string SelectorPrefix = "encimap";

    /// <summary>The current key of <paramref name="domain"/> (lower-case host name); made now if it has none.</summary>
    /// <exception cref="InvalidDkimRequestException">The domain is not an acceptable host name.</exception>
    public async Task<StoredDkimKey> GetOrCreateAsync(string domain, CancellationToken cancellationToken)
    {
        if (EmailAddressRules.CheckDomain(domain) is { } problem)
        {
            throw new InvalidDkimRequestException(problem);
        }

        if (await store.FindCurrentAsync(domain, cancellationToken).ConfigureAwait(false) is { } current)
        {
            return current;
        }

        var algorithm = DkimAlgorithms.FromOption(options.Value.KeyAlgorithm)
            ?? throw new InvalidOperationException($"Dkim:KeyAlgorithm must be '{DkimAlgorithms.RsaOption}' or '{DkimAlgorithms.Ed25519Option}'.");
        var selector = Selector(algorithm, time.GetUtcNow());
        using (var pair = DkimKeyPairGenerator.Generate(algorithm, options.Value.RsaKeySizeBits))
        {
            var wrapped = custody.WrapDkimKey(pair.PrivateKeyPkcs8, domain, selector);
            if (await store.InsertIfNoneAsync(domain, selector, algorithm, pair.PublicKey, wrapped, cancellationToken).ConfigureAwait(false))
            {
                telemetry.DkimKeysGenerated.Add(1, new KeyValuePair<string, object?>("algorithm", algorithm));
                LogKeyGenerated(logger, domain, selector, algorithm, wrapped.KekId);
            }
        }

        return await store.FindCurrentAsync(domain, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"No current DKIM key of {domain} after storing one (a retired key holds the selector {selector}).");
    }

    /// <summary>
    /// <c>encimap-YYYYMM</c> (Ed25519: <c>encimap-YYYYMM-ed25519</c>), from the month the key is
    /// made: every new key gets a new DNS name, so that a rotated key's record can be published
    /// next to the old one, which keeps verifying mail in flight until it is withdrawn.
    /// </summary>
    public static string Selector(string algorithm, DateTimeOffset now)
    {
        var month = now.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture);
        return algorithm == DkimAlgorithms.Ed25519Sha256 ? $"{SelectorPrefix}-{month}-ed25519" : $"{SelectorPrefix}-{month}";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "DKIM key generated for {Domain}: selector {Selector}, {Algorithm}, wrapped under KEK {KekId}")]
    private static partial void LogKeyGenerated(ILogger logger, string domain, string selector, string algorithm, string kekId);
}
