using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Encimap.Passwords;

/// <summary>Settings of a <see cref="VerifiedCredentialCache{TPrincipal}"/>.</summary>
public sealed class VerifiedCredentialCacheOptions
{
    /// <summary>How long a verified login is remembered; <see cref="TimeSpan.Zero"/> turns the cache off. Default 60 s.</summary>
    public TimeSpan TimeToLive { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How many usernames are remembered at most; beyond that the oldest entries go. Default 10 000.</summary>
    public int MaxEntries { get; set; } = 10_000;

    /// <summary>
    /// How usernames are compared. Use the comparison of the credential store the cache sits in
    /// front of, so that <see cref="VerifiedCredentialCache{TPrincipal}.Invalidate"/> reaches every
    /// spelling the store accepts: <see cref="StringComparer.Ordinal"/> (the default) for a store
    /// that matches usernames exactly, <see cref="StringComparer.OrdinalIgnoreCase"/> for one that
    /// ignores case.
    /// </summary>
    public StringComparer UsernameComparer { get; set; } = StringComparer.Ordinal;
}
