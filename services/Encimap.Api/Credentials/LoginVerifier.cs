using Encimap.Api.Infrastructure;
using Encimap.Contracts.Credentials;
using Encimap.Passwords;
using Npgsql;

namespace Encimap.Api.Credentials;

/// <summary>
/// Verifies logins for the IMAP front-end and the SMTP submission port (the "unified auth").
/// IMAP: vaultbox IMAP credentials. SMTP: MotorBlock accounts of the platform first, then vaultbox
/// SMTP credentials. Failure paths cost what success costs: an unknown username is still checked
/// against a dummy bcrypt hash, so timing does not tell which usernames exist.
/// </summary>
public sealed class LoginVerifier
{
    private const int MaxUsernameLength = 255;
    private const int MaxPasswordLength = 1024;

    private readonly NpgsqlDataSource _encimap;
    private readonly NpgsqlDataSource _platform;
    private readonly IPasswordHasher _hasher;
    private readonly LoginCache _cache;
    private readonly string _dummyHash;

    public LoginVerifier([FromKeyedServices(ApiDatabases.Encimap)] NpgsqlDataSource encimap, [FromKeyedServices(ApiDatabases.Platform)] NpgsqlDataSource platform, IPasswordHasher hasher, LoginCache cache)
    {
        _encimap = encimap;
        _platform = platform;
        _hasher = hasher;
        _cache = cache;
        _dummyHash = hasher.Hash(PasswordGenerator.Generate());
    }

    public static VerifyLoginReply Failed { get; } = new() { Kind = PrincipalKind.None };

    public Task<VerifyLoginReply> VerifyImapAsync(string username, string password, CancellationToken cancellationToken) =>
        VerifyCachedAsync(CredentialKind.Imap, username, password, async () =>
            await VerifyVaultboxAsync(CredentialKind.Imap, username, password, cancellationToken));

    public Task<VerifyLoginReply> VerifySmtpAsync(string username, string password, CancellationToken cancellationToken) =>
        VerifyCachedAsync(CredentialKind.Smtp, username, password, async () =>
            await VerifyMotorBlockAsync(username, password, cancellationToken)
            ?? await VerifyVaultboxAsync(CredentialKind.Smtp, username, password, cancellationToken));

    private async Task<VerifyLoginReply> VerifyCachedAsync(
        CredentialKind kind, string username, string password, Func<Task<VerifyLoginReply?>> verify)
    {
        if (!IsPlausible(username, password))
        {
            return Failed;
        }

        if (_cache.TryGet(kind, username, password, out var cached))
        {
            return cached;
        }

        var stamp = _cache.Begin(kind);
        var reply = await verify() ?? Failed;
        if (reply.Kind != PrincipalKind.None)
        {
            _cache.Remember(kind, username, password, reply, stamp);
        }

        return reply;
    }

    /// <summary>Null when no MotorBlock has this username; <see cref="Failed"/> when one has and the login fails.</summary>
    private async Task<VerifyLoginReply?> VerifyMotorBlockAsync(string username, string password, CancellationToken cancellationToken)
    {
        await using var connection = await _platform.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "SELECT id, password_hash, enabled, coalesce(sending_domain, ''), rate_limit_per_hour FROM motor_blocks WHERE username = $1",
            connection);
        command.Parameters.AddWithValue(username);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        // A MotorBlock username decides here, matched or not: trying the vaultboxes as well would
        // cost a second hash and so tell which usernames are MotorBlocks.
        var matches = _hasher.Verify(password, reader.GetString(1));
        if (!matches || !reader.GetBoolean(2))
        {
            return Failed;
        }

        return new VerifyLoginReply
        {
            Kind = PrincipalKind.MotorBlock,
            MotorBlockId = reader.GetGuid(0).ToString(),
            SendingDomain = reader.GetString(3),
            RateLimitPerHour = reader.GetInt32(4),
        };
    }

    private async Task<VerifyLoginReply?> VerifyVaultboxAsync(CredentialKind kind, string username, string password, CancellationToken cancellationToken)
    {
        await using var connection = await _encimap.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            $"""
            SELECT c.password_hash, v.id, v.alias || '@' || v.domain
            FROM {CredentialTables.For(kind)} c JOIN vaultboxes v ON v.id = c.vaultbox_id
            WHERE c.username = $1
            """,
            connection);
        command.Parameters.AddWithValue(username.ToLowerInvariant());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            _hasher.Verify(password, _dummyHash); // same cost as a wrong password
            return null;
        }

        return _hasher.Verify(password, reader.GetString(0))
            ? new VerifyLoginReply { Kind = PrincipalKind.Vaultbox, VaultboxId = reader.GetGuid(1).ToString(), Address = reader.GetString(2) }
            : null;
    }

    private static bool IsPlausible(string username, string password) =>
        username.Length is > 0 and <= MaxUsernameLength && password.Length is > 0 and <= MaxPasswordLength;
}
