using System.Text;
using System.Text.RegularExpressions;

namespace Encimap.Database;

/// <summary>
/// Quoting for the places where PostgreSQL cannot take a parameter (DDL: role names, database
/// names, passwords). Identifiers are validated against a strict pattern before quoting.
/// </summary>
public static partial class SqlText
{
    [GeneratedRegex("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();

    /// <summary>True when <paramref name="name"/> is a plain lower-case identifier of at most 63 bytes.</summary>
    public static bool IsValidIdentifier(string? name) =>
        name is not null && name.Length is > 0 and <= 63 && IdentifierPattern().IsMatch(name);

    /// <summary>Throws unless <paramref name="name"/> matches <c>^[a-z_][a-z0-9_]*$</c> (at most 63 characters).</summary>
    public static string ValidateIdentifier(string? name, string what = "identifier")
    {
        if (!IsValidIdentifier(name))
        {
            throw new ArgumentException(
                $"Invalid {what} '{name}': expected ^[a-z_][a-z0-9_]*$ and at most 63 characters.", what);
        }
        return name!;
    }

    /// <summary>Validates and double-quotes an identifier: <c>encimap</c> → <c>"encimap"</c>.</summary>
    public static string QuoteIdentifier(string name) => "\"" + ValidateIdentifier(name) + "\"";

    /// <summary>
    /// Quotes a string literal the way libpq's PQescapeLiteral does: quotes doubled, and when the
    /// value holds a backslash, an E'' literal with backslashes doubled, so that the result is
    /// correct whatever standard_conforming_strings is.
    /// </summary>
    public static string QuoteLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0'))
        {
            throw new ArgumentException("A PostgreSQL string literal cannot contain a NUL character.", nameof(value));
        }
        var hasBackslash = value.Contains('\\');
        var builder = new StringBuilder(value.Length + 3);
        if (hasBackslash)
        {
            builder.Append(" E");
        }
        builder.Append('\'');
        foreach (var c in value)
        {
            if (c == '\'' || c == '\\')
            {
                builder.Append(c);
            }
            builder.Append(c);
        }
        builder.Append('\'');
        return builder.ToString();
    }
}
