using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Encimap.Api.Vaultboxes;

/// <summary>
/// Validation and normalization of vaultbox addresses: the alias is an RFC 5321 dot-string local
/// part (§4.1.2, at most 64 octets, §4.5.3.1.1) and the domain a host name (labels of letters,
/// digits and hyphens, §4.1.2 "Domain"), both stored lower-case. Internationalized domains are
/// stored in their ASCII (IDNA) form. Quoted-string local parts are refused: they are legal but
/// routinely mishandled by MTAs and clients, and nobody needs one for a new mailbox.
/// </summary>
public static partial class AddressRules
{
    private const int MaxLocalPartOctets = 64;
    private const int MaxDomainOctets = 253;

    public static bool TryNormalizeAlias(string? alias, out string normalized, out string problem)
    {
        normalized = "";
        if (string.IsNullOrEmpty(alias))
        {
            problem = "alias is required";
            return false;
        }

        if (Encoding.UTF8.GetByteCount(alias) > MaxLocalPartOctets)
        {
            problem = $"alias must be at most {MaxLocalPartOctets} octets";
            return false;
        }

        if (!DotString().IsMatch(alias))
        {
            problem = "alias must be a dot-string of letters, digits and !#$%&'*+/=?^_`{|}~- (RFC 5321)";
            return false;
        }

        normalized = alias.ToLowerInvariant();
        problem = "";
        return true;
    }

    public static bool TryNormalizeDomain(string? domain, out string normalized, out string problem)
    {
        normalized = "";
        problem = "domain must be a valid domain name";
        if (string.IsNullOrWhiteSpace(domain) || domain.EndsWith('.'))
        {
            return false;
        }

        string ascii;
        try
        {
            ascii = new IdnMapping().GetAscii(domain).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (ascii.Length > MaxDomainOctets || !ascii.Contains('.') || !ascii.Split('.').All(IsLabel))
        {
            return false;
        }

        normalized = ascii;
        problem = "";
        return true;
    }

    public static bool TryValidateName(string? name, out string problem)
    {
        problem = "";
        if (name is null)
        {
            return true;
        }

        if (name.Length > 200 || name.Any(char.IsControl))
        {
            problem = "name must be at most 200 characters without control characters";
            return false;
        }

        return true;
    }

    private static bool IsLabel(string label) => Label().IsMatch(label);

    [GeneratedRegex(@"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")]
    private static partial Regex DotString();

    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex Label();
}
