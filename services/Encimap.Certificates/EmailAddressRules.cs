namespace Encimap.Certificates;

/// <summary>
/// Which addresses a certificate is issued for: <c>alias@domain</c>, lower-case ASCII (an
/// internationalized domain arrives in its xn-- form), a dot-atom local part of at most 64
/// characters (RFC 5321 4.5.3.1.1) and a host name of at least two labels.
/// </summary>
public static class EmailAddressRules
{
    public const int MaxLocalPartLength = 64;
    public const int MaxDomainLength = 253;
    public const int MaxLabelLength = 63;

    // RFC 5322 atext, lower-case only.
    private const string AtextSymbols = "!#$%&'*+-/=?^_`{|}~";

    /// <summary>Null when <paramref name="address"/> is acceptable, otherwise why not.</summary>
    public static string? Check(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return "email is required";
        }
        var at = address.IndexOf('@');
        if (at < 0 || at != address.LastIndexOf('@'))
        {
            return "email must contain exactly one '@'";
        }
        if (!address.Equals(address.ToLowerInvariant(), StringComparison.Ordinal))
        {
            return "email must be lower-case";
        }
        var local = address.AsSpan(0, at);
        var domain = address.AsSpan(at + 1);
        if (local.IsEmpty || local.Length > MaxLocalPartLength)
        {
            return $"the local part must be 1 to {MaxLocalPartLength} characters";
        }
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return "the local part must not start or end with '.' or contain '..'";
        }
        foreach (var c in local)
        {
            if (!(c is >= 'a' and <= 'z' || c is >= '0' and <= '9' || c == '.' || AtextSymbols.Contains(c)))
            {
                return "the local part holds a character that is not allowed";
            }
        }
        return CheckDomain(domain);
    }

    /// <summary>Null when <paramref name="domain"/> is an acceptable host name (lower-case ASCII), otherwise why not.</summary>
    public static string? CheckDomain(ReadOnlySpan<char> domain)
    {
        if (domain.IsEmpty || domain.Length > MaxDomainLength)
        {
            return $"the domain must be 1 to {MaxDomainLength} characters";
        }
        var labels = 0;
        foreach (var range in domain.Split('.'))
        {
            var label = domain[range];
            labels++;
            if (label.IsEmpty || label.Length > MaxLabelLength)
            {
                return $"every domain label must be 1 to {MaxLabelLength} characters";
            }
            if (label[0] == '-' || label[^1] == '-')
            {
                return "a domain label must not start or end with '-'";
            }
            foreach (var c in label)
            {
                if (!(c is >= 'a' and <= 'z' || c is >= '0' and <= '9' || c == '-'))
                {
                    return "the domain must be a host name (a-z, 0-9, '-', labels separated by '.')";
                }
            }
        }
        return labels < 2 ? "the domain must have at least two labels" : null;
    }
}
