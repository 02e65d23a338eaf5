using Encimap.Passwords;

namespace Encimap.Cli;

/// <summary>Checks and normalizes what the user typed, before anything touches a database.</summary>
internal static class Input
{
    /// <summary>A lower-case address <c>local@domain</c>, as the platform's users table stores it.</summary>
    public static string Email(string? value)
    {
        var email = (value ?? "").Trim().ToLowerInvariant();
        var at = email.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != email.LastIndexOf('@') || at > 64 || email.Length > 320
            || HasWhitespaceOrControl(email.AsSpan(0, at)) || !UsernameGenerator.IsValidDomain(email[(at + 1)..]))
        {
            throw CliException.Usage($"'{Printable(value)}' is not an e-mail address (local@domain.example).");
        }
        return email;
    }

    /// <summary>A lower-case host name.</summary>
    public static string Domain(string? value)
    {
        var domain = (value ?? "").Trim().ToLowerInvariant();
        if (!UsernameGenerator.IsValidDomain(domain))
        {
            throw CliException.Usage(
                $"'{Printable(value)}' is not a domain name (labels of letters, digits and hyphens; internationalized names in their xn-- form).");
        }
        return domain;
    }

    /// <summary>A display name: trimmed, no control characters; null when empty.</summary>
    public static string? Name(string? value)
    {
        var name = value?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }
        if (name.Any(char.IsControl) || name.Length > 200)
        {
            throw CliException.Usage("a name must be at most 200 characters without control characters.");
        }
        return name;
    }

    /// <summary>An SMTP login name: 1 to 255 printable characters without spaces.</summary>
    public static string Username(string? value)
    {
        var username = value ?? "";
        if (username.Length is 0 or > 255 || HasWhitespaceOrControl(username))
        {
            throw CliException.Usage($"'{Printable(value)}' is not a username (1 to 255 characters, no spaces or control characters).");
        }
        return username;
    }

    private static bool HasWhitespaceOrControl(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return true;
            }
        }
        return false;
    }

    // Echoes input in messages without letting control characters reach the terminal.
    private static string Printable(string? value)
    {
        var text = value ?? "";
        var printable = string.Concat(text.Take(100).Select(c => char.IsControl(c) ? '?' : c));
        return text.Length > 100 ? printable + "…" : printable;
    }
}
