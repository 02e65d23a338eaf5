using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// MimeKit's key locator over <see cref="AuthenticationDns"/>: the TXT record at
/// <c>selector._domainkey.domain</c> (RFC 6376 §3.6.2), parsed by MimeKit.
/// </summary>
public sealed class DnsDkimPublicKeyLocator(AuthenticationDns dns) : DkimPublicKeyLocatorBase
{
    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        LocatePublicKeyAsync(methods, domain, selector, cancellationToken).GetAwaiter().GetResult();

    public override async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        if (!methods.Split(':').Any(m => m.Trim().Equals("dns/txt", StringComparison.OrdinalIgnoreCase)))
        {
            throw new DkimKeyUnavailableException($"no supported query method in q={methods}", temporary: false);
        }

        var name = $"{selector}._domainkey.{domain}";
        var answer = await dns.TxtAsync(name, cancellationToken);
        if (answer.Status == DnsLookupStatus.Failed)
        {
            throw new DkimKeyUnavailableException($"the DNS look-up of {name} failed", temporary: true);
        }

        if (answer.Records.Count == 0)
        {
            throw new DkimKeyUnavailableException($"no key record at {name}", temporary: false);
        }

        try
        {
            return GetPublicKey(answer.Records[0]);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new DkimKeyUnavailableException($"the key record at {name} is not usable: {e.Message}", temporary: false);
        }
    }
}
