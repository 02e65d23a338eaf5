// bcrypt through the operating system's libxcrypt (libcrypt.so.1, crypt_gensalt_rn + crypt_rn).
// No bcrypt library can be restored from the package registry this project builds against, and
// bcrypt is not something to write by hand; libxcrypt is the implementation Linux distributions
// use for /etc/shadow. Everything goes through IPasswordHasher, so replacing this class with a
// managed bcrypt library later is a change in one place.
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Encimap.Passwords;

/// <summary>
/// bcrypt password hashes (<c>$2b$</c> when hashing; <c>$2a$</c>, <c>$2b$</c> and <c>$2y$</c>
/// when verifying), computed by libxcrypt. Thread-safe.
/// </summary>
/// <remarks>
/// <para>Passwords are hashed as their UTF-8 bytes. bcrypt uses only the first
/// <see cref="MaxPasswordBytes"/> (72) bytes of a password: two passwords that share their first
/// 72 bytes have the same hash. This is the behaviour of every bcrypt implementation, so hashes
/// made elsewhere keep verifying; server-generated passwords are far shorter.</para>
/// <para>A password containing NUL cannot be hashed (C strings end at NUL) and never verifies.</para>
/// </remarks>
public sealed partial class BcryptPasswordHasher : IPasswordHasher
{
    /// <summary>The default cost (work factor, log2 of the rounds).</summary>
    public const int DefaultCost = 12;

    /// <summary>The lowest cost bcrypt accepts (for tests; too cheap for production).</summary>
    public const int MinCost = 4;

    /// <summary>The highest cost bcrypt accepts.</summary>
    public const int MaxCost = 31;

    /// <summary>How many bytes of a password bcrypt uses; the rest is ignored.</summary>
    public const int MaxPasswordBytes = 72;

    private const string Library = "libcrypt.so.1";

    // sizeof(struct crypt_data) in libxcrypt's <crypt.h>: output 384 + setting 384 + input 512
    // + reserved 767 + initialized 1 + internal 30720.
    private const int CryptDataSize = 32768;

    // CRYPT_GENSALT_OUTPUT_SIZE.
    private const int GensaltOutputSize = 192;

    // bcrypt wants 16 random bytes of salt (128 bits, encoded as 22 characters).
    private const int SaltBytes = 16;

    private static readonly byte[] HashPrefix = "$2b$\0"u8.ToArray();

    /// <summary>Creates a hasher that makes hashes of the given cost.</summary>
    /// <param name="cost">Work factor, <see cref="MinCost"/> to <see cref="MaxCost"/>; each step doubles the time.</param>
    public BcryptPasswordHasher(int cost = DefaultCost)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, MinCost);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(cost, MaxCost);
        Cost = cost;
    }

    /// <summary>The cost of the hashes this instance makes.</summary>
    public int Cost { get; }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="password"/> contains NUL.</exception>
    /// <exception cref="CryptographicException">libxcrypt failed.</exception>
    public string Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A password must not contain NUL characters.", nameof(password));
        }
        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return Hash(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Hashes a password given as bytes (for example decoded from SMTP AUTH) with a fresh random salt.</summary>
    /// <exception cref="ArgumentException"><paramref name="password"/> contains a zero byte.</exception>
    /// <exception cref="CryptographicException">libxcrypt failed.</exception>
    public string Hash(ReadOnlySpan<byte> password)
    {
        if (password.Contains((byte)0))
        {
            throw new ArgumentException("A password must not contain NUL bytes.", nameof(password));
        }
        var setting = GenerateSetting();
        var hash = Crypt(password, setting)
            ?? throw new CryptographicException("libxcrypt could not compute a bcrypt hash.");
        if (!IsSupportedHash(hash))
        {
            throw new CryptographicException("libxcrypt returned something that is not a bcrypt hash.");
        }
        return hash;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="password"/> is null.</exception>
    public bool Verify(string password, string hash)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (password.Contains('\0', StringComparison.Ordinal) || !IsSupportedHash(hash))
        {
            return false;
        }
        var bytes = Encoding.UTF8.GetBytes(password);
        try
        {
            return Verify(bytes, hash);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>
    /// Whether the password bytes match <paramref name="hash"/>: for passwords that are not valid
    /// UTF-8, or that arrive as bytes. Malformed or unsupported hashes and passwords with a zero
    /// byte are a mismatch, never an exception.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> password, string? hash)
    {
        if (!IsSupportedHash(hash) || password.Contains((byte)0))
        {
            return false;
        }
        var computed = Crypt(password, hash);
        if (computed is null || computed.Length != hash.Length)
        {
            return false;
        }
        // Both are ASCII (checked above, and crypt output is ASCII): compare the encoded bytes.
        Span<byte> expected = stackalloc byte[hash.Length];
        Span<byte> actual = stackalloc byte[computed.Length];
        if (Encoding.ASCII.GetBytes(hash, expected) != expected.Length
            || Encoding.ASCII.GetBytes(computed, actual) != actual.Length)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    /// <summary>
    /// Whether a stored hash should be replaced by a new one at the next successful login: it is
    /// not a supported bcrypt hash, not <c>$2b$</c>, or cheaper than <see cref="Cost"/>.
    /// </summary>
    public bool NeedsRehash(string? hash) =>
        !IsSupportedHash(hash) || !hash.StartsWith("$2b$", StringComparison.Ordinal) || CostOf(hash) < Cost;

    /// <summary>
    /// Whether <paramref name="hash"/> is a well-formed bcrypt hash this class verifies:
    /// <c>$2a$</c>, <c>$2b$</c> or <c>$2y$</c>, a two-digit cost from 04 to 31, 22 salt and 31 hash
    /// characters.
    /// </summary>
    public static bool IsSupportedHash([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? hash) =>
        hash is not null && BcryptHashPattern().IsMatch(hash) && CostOf(hash) is >= MinCost and <= MaxCost;

    /// <summary>The cost recorded in a supported hash.</summary>
    /// <exception cref="FormatException"><paramref name="hash"/> is not a supported bcrypt hash.</exception>
    public static int GetCost(string hash) =>
        IsSupportedHash(hash) ? CostOf(hash) : throw new FormatException("Not a supported bcrypt hash.");

    // "$2b$12$..." → 12; only called on strings that matched the pattern.
    private static int CostOf(string hash) => ((hash[4] - '0') * 10) + (hash[5] - '0');

    // $2x$ (the crypt_blowfish sign-extension bug's compatibility mode) is deliberately refused.
    [GeneratedRegex(@"^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}\z", RegexOptions.CultureInvariant)]
    private static partial Regex BcryptHashPattern();

    private unsafe string GenerateSetting()
    {
        Span<byte> random = stackalloc byte[SaltBytes];
        RandomNumberGenerator.Fill(random);
        Span<byte> output = stackalloc byte[GensaltOutputSize];
        fixed (byte* prefix = HashPrefix)
        fixed (byte* rbytes = random)
        fixed (byte* outputPointer = output)
        {
            var result = NativeMethods.CryptGensaltRn(prefix, new CULong((uint)Cost), rbytes, SaltBytes, outputPointer, GensaltOutputSize);
            if (result is null)
            {
                throw new CryptographicException(
                    $"libxcrypt could not make a bcrypt setting (errno {Marshal.GetLastPInvokeError()}).");
            }
            return Marshal.PtrToStringAnsi((nint)result) ?? throw new CryptographicException("libxcrypt returned no setting.");
        }
    }

    // crypt_rn(password, setting): the hash, or null when libxcrypt refuses (it answers failure
    // with NULL here; the "*0"/"*1" failure tokens are treated the same, defensively).
    private static unsafe string? Crypt(ReadOnlySpan<byte> password, string setting)
    {
        // bcrypt reads at most 72 bytes; passing only those keeps longer passwords within
        // libxcrypt's own passphrase limit (512 bytes) without changing the result.
        var length = Math.Min(password.Length, MaxPasswordBytes);
        Span<byte> phrase = stackalloc byte[MaxPasswordBytes + 1];
        password[..length].CopyTo(phrase);
        phrase[length] = 0;

        Span<byte> settingBytes = stackalloc byte[setting.Length + 1];
        Encoding.ASCII.GetBytes(setting, settingBytes);
        settingBytes[^1] = 0;

        var data = NativeMemory.AllocZeroed(CryptDataSize);
        try
        {
            fixed (byte* phrasePointer = phrase)
            fixed (byte* settingPointer = settingBytes)
            {
                var result = NativeMethods.CryptRn(phrasePointer, settingPointer, data, CryptDataSize);
                if (result is null || result[0] == (byte)'*')
                {
                    return null;
                }
                return Marshal.PtrToStringAnsi((nint)result);
            }
        }
        finally
        {
            // The work area holds the copied passphrase and key schedule.
            NativeMemory.Clear(data, CryptDataSize);
            NativeMemory.Free(data);
            CryptographicOperations.ZeroMemory(phrase);
        }
    }

    private static unsafe partial class NativeMethods
    {
        // char *crypt_rn(const char *phrase, const char *setting, void *data, int size);
        [LibraryImport(Library, EntryPoint = "crypt_rn", SetLastError = true)]
        internal static partial byte* CryptRn(byte* phrase, byte* setting, void* data, int size);

        // char *crypt_gensalt_rn(const char *prefix, unsigned long count, const char *rbytes,
        //                        int nrbytes, char *output, int output_size);
        [LibraryImport(Library, EntryPoint = "crypt_gensalt_rn", SetLastError = true)]
        internal static partial byte* CryptGensaltRn(byte* prefix, CULong count, byte* rbytes, int nrbytes, byte* output, int outputSize);
    }
}
