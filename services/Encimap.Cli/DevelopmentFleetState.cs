using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Encimap.Cli;

/// <summary>
/// Development fallback: when no connection string or signing key is given, use what the local
/// development fleet (Encimap.AppHost) keeps in its state directory, <c>.encimap/</c> at the
/// repository root (or <c>Encimap__StateDirectory</c>): the role passwords in
/// <c>dev-secrets.json</c> and its embedded PostgreSQL on 127.0.0.1:55432.
/// </summary>
internal sealed class DevelopmentFleetState
{
    public const string Host = "127.0.0.1";
    public const int Port = 55432;
    public const string EncimapDatabase = "motorical_encrypted_imap";
    public const string EncimapOwnerRole = "encimap";
    public const string PlatformDatabase = "motorical_db";
    public const string PlatformOwnerRole = "motorical";

    private DevelopmentFleetState(string? encimapOwner, string? platformOwner, string? s2sSigningKey, string? userJwtSigningKey)
    {
        EncimapOwner = encimapOwner;
        PlatformOwner = platformOwner;
        S2sSigningKey = s2sSigningKey;
        UserJwtSigningKey = userJwtSigningKey;
    }

    public string? EncimapOwner { get; }

    public string? PlatformOwner { get; }

    public string? S2sSigningKey { get; }

    /// <summary>The key of the development user tokens the gateway accepts.</summary>
    public string? UserJwtSigningKey { get; }

    /// <summary>The development state, or null when there is none.</summary>
    public static DevelopmentFleetState? TryLoad(IConfiguration configuration)
    {
        var directory = configuration["Encimap:StateDirectory"];
        if (string.IsNullOrWhiteSpace(directory))
        {
            var root = FindRepositoryRoot(Directory.GetCurrentDirectory()) ?? FindRepositoryRoot(AppContext.BaseDirectory);
            if (root is null)
            {
                return null;
            }
            directory = Path.Combine(root, ".encimap");
        }
        var path = Path.Combine(directory, "dev-secrets.json");
        if (!File.Exists(path))
        {
            return null;
        }

        Dictionary<string, string>? secrets;
        try
        {
            secrets = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw CliException.Failure($"{path} is not a JSON object of strings: {ex.Message}");
        }
        if (secrets is null)
        {
            return null;
        }
        return new DevelopmentFleetState(
            ConnectionString(EncimapDatabase, EncimapOwnerRole, secrets.GetValueOrDefault("postgres-encimap-owner")),
            ConnectionString(PlatformDatabase, PlatformOwnerRole, secrets.GetValueOrDefault("postgres-platform-owner")),
            secrets.GetValueOrDefault("s2s-signing-key"),
            secrets.GetValueOrDefault("user-jwt-signing-key"));
    }

    private static string? ConnectionString(string database, string role, string? password) =>
        string.IsNullOrEmpty(password)
            ? null
            : new NpgsqlConnectionStringBuilder
            {
                Host = Host,
                Port = Port,
                Database = database,
                Username = role,
                Password = password,
            }.ConnectionString;

    private static string? FindRepositoryRoot(string start)
    {
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Encimap.sln")))
            {
                return directory.FullName;
            }
        }
        return null;
    }
}
