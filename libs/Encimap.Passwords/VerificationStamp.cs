using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Encimap.Passwords;

/// <summary>
/// Taken by <see cref="VerifiedCredentialCache{TPrincipal}.BeginVerification"/> before a password
/// is checked against the credential store, handed back to
/// <see cref="VerifiedCredentialCache{TPrincipal}.Add"/>: a verification that an invalidation
/// overtook is not cached.
/// </summary>
public readonly record struct VerificationStamp(long Epoch);
