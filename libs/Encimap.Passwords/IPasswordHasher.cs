namespace Encimap.Passwords;

/// <summary>
/// Hashes passwords for storage and verifies candidates against stored hashes. Implementations
/// are thread-safe.
/// </summary>
public interface IPasswordHasher
{
    /// <summary>Hashes <paramref name="password"/> with a fresh random salt.</summary>
    /// <exception cref="ArgumentException">The password cannot be hashed (for example it contains NUL).</exception>
    string Hash(string password);

    /// <summary>
    /// Whether <paramref name="password"/> matches <paramref name="hash"/>. A malformed or
    /// unsupported hash is a mismatch, never an exception.
    /// </summary>
    bool Verify(string password, string hash);
}
