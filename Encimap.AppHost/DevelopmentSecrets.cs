using System.Security.Cryptography;
using System.Text.Json;

namespace Encimap.AppHost;

/// <summary>
/// Secrets the development fleet needs (database role passwords, signing keys), generated once
/// and kept in <c>{state}/dev-secrets.json</c> (mode 600, git-ignored) so that a restarted fleet
/// finds its data readable. Production takes its secrets from its own configuration.
/// </summary>
public sealed class DevelopmentSecrets
{
    private readonly string _path;
    private readonly Dictionary<string, string> _values;
    private readonly Lock _gate = new();

    private DevelopmentSecrets(string path, Dictionary<string, string> values)
    {
        _path = path;
        _values = values;
    }

    public static DevelopmentSecrets Load(string stateDirectory)
    {
        Directory.CreateDirectory(stateDirectory);
        var path = Path.Combine(stateDirectory, "dev-secrets.json");
        var values = File.Exists(path)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path)) ?? []
            : [];
        return new DevelopmentSecrets(path, values);
    }

    /// <summary>The named secret: 32 random bytes, base64url, made on first use.</summary>
    public string GetOrCreate(string name)
    {
        lock (_gate)
        {
            if (_values.TryGetValue(name, out var value))
            {
                return value;
            }

            value = Base64Url(RandomNumberGenerator.GetBytes(32));
            _values[name] = value;
            Save();
            return value;
        }
    }

    private void Save()
    {
        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(_values, new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temp, _path, overwrite: true);
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
