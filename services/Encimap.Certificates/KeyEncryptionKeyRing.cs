using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Encimap.Certificates;

/// <summary>
/// The key-encryption keys (KEKs) that wrap private keys: 256-bit AES keys that live outside the
/// database, in a directory (<c>{kekId}.key</c> files, base64, mode 600) and/or in configuration
/// (<c>Certificates:Keks:{kekId}</c>). One of them is current (wraps new keys); all of them keep
/// unwrapping what they wrapped, so rotating means adding a KEK and making it current.
/// </summary>
public sealed partial class KeyEncryptionKeyRing : IDisposable
{
    /// <summary>Bytes of a KEK (AES-256).</summary>
    public const int KeySize = 32;

    /// <summary>Extension of KEK files.</summary>
    public const string FileExtension = ".key";

    private readonly Dictionary<string, byte[]> _keys;

    private KeyEncryptionKeyRing(Dictionary<string, byte[]> keys, string currentId)
    {
        _keys = keys;
        CurrentId = currentId;
    }

    /// <summary>The KEK that wraps new keys.</summary>
    public string CurrentId { get; }

    /// <summary>The ids of every KEK loaded.</summary>
    public IReadOnlyCollection<string> Ids => _keys.Keys;

    /// <summary>A ring of the given keys (copied); for tools and tests.</summary>
    public static KeyEncryptionKeyRing FromKeys(IReadOnlyDictionary<string, byte[]> keys, string currentId)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var copy = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (id, key) in keys)
        {
            ValidateId(id, "a KEK id");
            if (key.Length != KeySize)
            {
                throw new ArgumentException($"KEK '{id}' is not {KeySize} bytes.", nameof(keys));
            }
            copy[id] = (byte[])key.Clone();
        }
        if (!copy.ContainsKey(currentId))
        {
            throw new ArgumentException($"The current KEK '{currentId}' is not among the keys.", nameof(currentId));
        }
        return new KeyEncryptionKeyRing(copy, currentId);
    }

    /// <summary>
    /// Loads the KEKs that <paramref name="options"/> name. Throws <see cref="InvalidOperationException"/>
    /// with an operator-readable message when there is none (unless a development KEK may be
    /// generated), when a file is unreadable, malformed or readable by others, or when the current
    /// KEK cannot be determined. Messages name files and ids, never key material.
    /// </summary>
    public static KeyEncryptionKeyRing Load(CertificateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var fileTimes = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        var directory = string.IsNullOrWhiteSpace(options.KekDirectory) ? null : options.KekDirectory;

        try
        {
            if (directory is not null)
            {
                if (!Directory.Exists(directory) && !options.GenerateDevelopmentKek)
                {
                    throw new InvalidOperationException($"The KEK directory '{directory}' (Certificates:KekDirectory) does not exist.");
                }
                if (Directory.Exists(directory))
                {
                    LoadDirectory(directory, keys, fileTimes);
                }
            }

            foreach (var (id, value) in options.Keks)
            {
                ValidateId(id, "Certificates:Keks key");
                var key = DecodeKey(value, $"Certificates:Keks:{id}");
                if (keys.TryGetValue(id, out var fromFile))
                {
                    var same = CryptographicOperations.FixedTimeEquals(fromFile, key);
                    CryptographicOperations.ZeroMemory(key);
                    if (!same)
                    {
                        throw new InvalidOperationException($"KEK '{id}' is defined both in Certificates:KekDirectory and in Certificates:Keks with different values.");
                    }
                    continue;
                }
                keys[id] = key;
            }

            if (keys.Count == 0)
            {
                if (!options.GenerateDevelopmentKek)
                {
                    throw new InvalidOperationException(
                        "No key-encryption key is configured, so private keys cannot be protected: the certificate service will not start. " +
                        "Put a KEK file ({kekId}.key: base64 of 32 random bytes, mode 600) in the directory named by Certificates:KekDirectory, " +
                        "or set Certificates:Keks:{kekId} to base64 of 32 random bytes (e.g. from a secret store). " +
                        "For development only, Certificates:GenerateDevelopmentKek=true creates one in Certificates:KekDirectory.");
                }
                if (directory is null)
                {
                    throw new InvalidOperationException("Certificates:GenerateDevelopmentKek needs Certificates:KekDirectory (where the generated KEK is kept).");
                }
                var generated = GenerateKeyFile(directory);
                LoadDirectory(directory, keys, fileTimes);
                if (!keys.ContainsKey(generated))
                {
                    throw new InvalidOperationException($"The generated KEK '{generated}' could not be read back from '{directory}'.");
                }
            }

            string currentId;
            if (!string.IsNullOrWhiteSpace(options.CurrentKekId))
            {
                currentId = options.CurrentKekId;
                if (!keys.ContainsKey(currentId))
                {
                    throw new InvalidOperationException($"Certificates:CurrentKekId names '{currentId}', which is not among the loaded KEKs ({string.Join(", ", keys.Keys.Order(StringComparer.Ordinal))}).");
                }
            }
            else if (fileTimes.Count > 0)
            {
                // The newest file: adding a file is how an operator rotates without touching configuration.
                currentId = fileTimes.OrderByDescending(pair => pair.Value).ThenByDescending(pair => pair.Key, StringComparer.Ordinal).First().Key;
            }
            else if (keys.Count == 1)
            {
                currentId = keys.Keys.Single();
            }
            else
            {
                throw new InvalidOperationException("Several KEKs are configured in Certificates:Keks: set Certificates:CurrentKekId to the one that wraps new keys.");
            }

            return new KeyEncryptionKeyRing(keys, currentId);
        }
        catch
        {
            foreach (var key in keys.Values)
            {
                CryptographicOperations.ZeroMemory(key);
            }
            throw;
        }
    }

    /// <summary>
    /// Creates a new random KEK file in <paramref name="directory"/> (created with mode 700 if
    /// missing), readable only by its owner; returns its id.
    /// </summary>
    public static string GenerateKeyFile(string directory, string? kekId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        kekId ??= $"kek-{DateTime.UtcNow:yyyyMMddHHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        ValidateId(kekId, "a KEK id");
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var path = Path.Combine(directory, kekId + FileExtension);
        var key = RandomNumberGenerator.GetBytes(KeySize);
        var text = Convert.ToBase64String(key) + "\n";
        CryptographicOperations.ZeroMemory(key);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(path, System.Text.Encoding.ASCII, fileOptions))
        {
            writer.Write(text);
        }
        return kekId;
    }

    /// <summary>The KEK named <paramref name="kekId"/>; a CryptographicException if it is unknown.</summary>
    internal ReadOnlySpan<byte> Get(string kekId)
    {
        if (kekId is null || !_keys.TryGetValue(kekId, out var key))
        {
            throw new CryptographicException($"The key-encryption key '{kekId}' is not available to this service.");
        }
        return key;
    }

    public void Dispose()
    {
        foreach (var key in _keys.Values)
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static void LoadDirectory(string directory, Dictionary<string, byte[]> keys, Dictionary<string, DateTime> fileTimes)
    {
        foreach (var path in Directory.EnumerateFiles(directory, "*" + FileExtension))
        {
            var id = Path.GetFileNameWithoutExtension(path);
            ValidateId(id, $"the KEK file name '{path}'");
            if (!OperatingSystem.IsWindows())
            {
                const UnixFileMode othersOrGroup = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                    UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
                if ((File.GetUnixFileMode(path) & othersOrGroup) != 0)
                {
                    throw new InvalidOperationException($"The KEK file '{path}' is accessible by group or others: make it readable by the service's user only (chmod 600).");
                }
            }
            if (keys.ContainsKey(id))
            {
                continue;
            }
            var text = File.ReadAllText(path);
            keys[id] = DecodeKey(text, $"the KEK file '{path}'");
            fileTimes[id] = File.GetLastWriteTimeUtc(path);
        }
    }

    private static byte[] DecodeKey(string text, string source)
    {
        var buffer = new byte[KeySize + 3];
        try
        {
            if (!Convert.TryFromBase64String(text.Trim(), buffer, out var written) || written != KeySize)
            {
                throw new InvalidOperationException($"{source} does not hold the base64 of {KeySize} bytes.");
            }
            return buffer.AsSpan(0, KeySize).ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(buffer);
        }
    }

    private static void ValidateId(string id, string what)
    {
        if (string.IsNullOrEmpty(id) || !KekIdPattern().IsMatch(id))
        {
            throw new InvalidOperationException($"{what} is not a valid KEK id (1 to 64 of A-Z a-z 0-9 . _ -).");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex KekIdPattern();
}
