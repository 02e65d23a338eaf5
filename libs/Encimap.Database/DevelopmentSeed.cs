// DEVELOPMENT ONLY. The MotorBlock password below is public, documented test data for local
// development and tests. Never load this seed into a database that real mail goes through.
using Npgsql;

namespace Encimap.Database;

/// <summary>
/// Development data for the platform database (SPEC "Tenancy model"): one user, the verified
/// domain call.example, the unverified domain shop.example, and one MotorBlock SMTP account.
/// Idempotent: rows that exist already are left alone (ON CONFLICT DO NOTHING).
/// </summary>
public static class DevelopmentSeed
{
    /// <summary>The development user's id.</summary>
    public static readonly Guid UserId = Guid.Parse("3f0c5d2e-8a41-4c3b-9e6f-0d1a2b3c4d5e");

    /// <summary>The development user's e-mail address.</summary>
    public const string UserEmail = "owner@customer.example";

    /// <summary>The development user's display name.</summary>
    public const string UserName = "Development Owner";

    /// <summary>A verified domain of the development user: vaultboxes may be created on it.</summary>
    public const string VerifiedDomain = "call.example";

    /// <summary>The id of <see cref="VerifiedDomain"/>.</summary>
    public static readonly Guid VerifiedDomainId = Guid.Parse("7e28a0c1-5b3d-4f6e-8a9b-1c2d3e4f5a6b");

    /// <summary>A domain of the development user that is not verified: vaultbox creation must be refused.</summary>
    public const string UnverifiedDomain = "shop.example";

    /// <summary>The id of <see cref="UnverifiedDomain"/>.</summary>
    public static readonly Guid UnverifiedDomainId = Guid.Parse("0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d");

    /// <summary>The MotorBlock account's id.</summary>
    public static readonly Guid MotorBlockId = Guid.Parse("e26f4b3a-2c1d-4e0f-9a8b-7c6d5e4f3a2b");

    /// <summary>The MotorBlock account's SMTP username.</summary>
    public const string MotorBlockUsername = "motorblock-dev";

    /// <summary>
    /// The MotorBlock account's SMTP password: development only, public by design. It exists here
    /// only as <see cref="MotorBlockPasswordHash"/> in the database.
    /// </summary>
    public const string MotorBlockPassword = "motorblock-dev-password";

    /// <summary>bcrypt ($2b$, cost 10) of <see cref="MotorBlockPassword"/>, computed once with libxcrypt.</summary>
    public const string MotorBlockPasswordHash = "$2b$10$3jL5Yy./o67PDvSmJdmjseWT6KIJEQIL30vvxgZaptx7LwHxxwg3O";

    /// <summary>The MotorBlock account's hourly sending limit.</summary>
    public const int MotorBlockRateLimitPerHour = 100;

    /// <summary>Inserts the development rows that are missing; returns how many were inserted.</summary>
    public static async Task<int> ApplyAsync(string platformConnectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(platformConnectionString);
        await using var connection = new NpgsqlConnection(platformConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var inserted = 0;

        inserted += await ExecuteAsync(connection, transaction,
            "INSERT INTO users (id, email, name) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            cancellationToken, UserId, UserEmail, UserName).ConfigureAwait(false);
        inserted += await ExecuteAsync(connection, transaction,
            "INSERT INTO domains (id, user_id, domain, verification_status) VALUES ($1, $2, $3, 'verified') ON CONFLICT DO NOTHING",
            cancellationToken, VerifiedDomainId, UserId, VerifiedDomain).ConfigureAwait(false);
        inserted += await ExecuteAsync(connection, transaction,
            "INSERT INTO domains (id, user_id, domain, verification_status) VALUES ($1, $2, $3, 'pending') ON CONFLICT DO NOTHING",
            cancellationToken, UnverifiedDomainId, UserId, UnverifiedDomain).ConfigureAwait(false);
        inserted += await ExecuteAsync(connection, transaction,
            """
            INSERT INTO motor_blocks (id, user_id, username, password_hash, enabled, rate_limit_per_hour, sending_domain)
            VALUES ($1, $2, $3, $4, true, $5, $6)
            ON CONFLICT DO NOTHING
            """,
            cancellationToken, MotorBlockId, UserId, MotorBlockUsername, MotorBlockPasswordHash, MotorBlockRateLimitPerHour, VerifiedDomain)
            .ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return inserted;
    }

    private static async Task<int> ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
