using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Encimap.Passwords;

/// <summary>
/// The unified username that the IMAP and SMTP credentials of one vaultbox share (SPEC "Unified
/// username"): <c>encimap-{domain with dots as dashes}-{6 random [a-z0-9]}</c>, lower-case.
/// </summary>
public static partial class UsernameGenerator
{
    /// <summary>What every generated username starts with.</summary>
    public const string Prefix = "encimap-";

    /// <summary>How many random characters end a username.</summary>
    public const int SuffixLength = 6;

    /// <summary>The characters of the random suffix.</summary>
    public const string SuffixAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>The longest username the Encimap database stores (<c>vaultboxes.username</c>).</summary>
    public const int MaxUsernameLength = 128;

    /// <summary>The longest domain whose username still fits in <see cref="MaxUsernameLength"/>.</summary>
    public const int MaxDomainLength = MaxUsernameLength - 8 /* Prefix */ - 1 /* '-' */ - SuffixLength;

    /// <summary>A new username for a vaultbox on <paramref name="domain"/> (case is ignored).</summary>
    /// <exception cref="ArgumentException">
    /// <paramref name="domain"/> is not a host name (letters, digits and hyphens in dot-separated
    /// labels; internationalized names in their <c>xn--</c> form), or is longer than
    /// <see cref="MaxDomainLength"/>.
    /// </exception>
    public static string Generate(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        if (!IsValidDomain(domain))
        {
            throw new ArgumentException(
                "Not a domain name: expected dot-separated labels of letters, digits and hyphens (internationalized names in their xn-- form).",
                nameof(domain));
        }
        if (domain.Length > MaxDomainLength)
        {
            throw new ArgumentException(
                $"The domain is longer than {MaxDomainLength} characters: its username would exceed {MaxUsernameLength}.", nameof(domain));
        }
        var suffix = RandomNumberGenerator.GetString(SuffixAlphabet, SuffixLength);
        return string.Concat(Prefix, domain.ToLowerInvariant().Replace('.', '-'), "-", suffix);
    }

    /// <summary>
    /// Whether <paramref name="domain"/> is a host name: 1 to 253 characters, at least two
    /// labels, each 1 to 63 ASCII letters, digits or hyphens, not starting or ending with a
    /// hyphen; no trailing dot.
    /// </summary>
    public static bool IsValidDomain([NotNullWhen(true)] string? domain) =>
        domain is not null && domain.Length <= 253 && DomainPattern().IsMatch(domain);

    /// <summary>Whether <paramref name="username"/> has the shape of a username generated for <paramref name="domain"/>.</summary>
    public static bool IsUsernameFor(string? username, string? domain)
    {
        if (username is null || !IsValidDomain(domain))
        {
            return false;
        }
        var middle = Prefix + domain.ToLowerInvariant().Replace('.', '-') + "-";
        return username.Length == middle.Length + SuffixLength
            && username.StartsWith(middle, StringComparison.Ordinal)
            && username.AsSpan(middle.Length).IndexOfAnyExcept(SuffixAlphabet) < 0;
    }

    [GeneratedRegex(@"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DomainPattern();
}
