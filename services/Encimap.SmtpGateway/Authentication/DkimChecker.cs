using MimeKit;
using MimeKit.Cryptography;

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// Verifies the DKIM-Signature fields of a message (RFC 6376 §6) with MimeKit's
/// <see cref="DkimVerifier"/> and keys from <see cref="DnsDkimPublicKeyLocator"/>: pass, fail
/// (bad signature or body hash), temperror (DNS failed), permerror (malformed signature, no
/// usable key). At most <see cref="MaxSignatures"/> are checked, so that a message cannot make
/// the MX do unbounded work.
/// </summary>
public sealed class DkimChecker(DnsDkimPublicKeyLocator locator)
{
    public const int MaxSignatures = 5;

    public async Task<IReadOnlyList<DkimSignatureResult>> VerifyAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var verifier = new DkimVerifier(locator);
        var results = new List<DkimSignatureResult>();
        foreach (var header in message.Headers.Where(h => h.Id == HeaderId.DkimSignature).Take(MaxSignatures))
        {
            var tags = ParseTags(header.Value);
            var domain = tags.GetValueOrDefault("d", "");
            var selector = tags.GetValueOrDefault("s", "");
            results.Add(new DkimSignatureResult(await VerifyOneAsync(verifier, message, header, cancellationToken), domain, selector));
        }

        return results;
    }

    private static async Task<AuthResult> VerifyOneAsync(DkimVerifier verifier, MimeMessage message, Header header, CancellationToken cancellationToken)
    {
        try
        {
            return await verifier.VerifyAsync(message, header, cancellationToken) ? AuthResult.Pass : AuthResult.Fail;
        }
        catch (DkimKeyUnavailableException e)
        {
            return e.Temporary ? AuthResult.TempError : AuthResult.PermError;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or NotSupportedException)
        {
            return AuthResult.PermError;
        }
    }

    /// <summary>The tag=value list of a DKIM-Signature (RFC 6376 §3.2), whitespace removed; later duplicates ignored.</summary>
    public static Dictionary<string, string> ParseTags(string value)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.Split(';'))
        {
            var equals = item.IndexOf('=');
            if (equals > 0)
            {
                var name = item[..equals].Trim();
                var tagValue = new string(item[(equals + 1)..].Where(c => !char.IsWhiteSpace(c)).ToArray());
                tags.TryAdd(name, tagValue);
            }
        }

        return tags;
    }
}
