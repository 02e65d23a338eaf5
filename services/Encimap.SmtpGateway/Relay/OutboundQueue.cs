using System.Text.Json;
using Encimap.SmtpGateway.Submission;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.SmtpGateway.Relay;

/// <summary>
/// The durable submission queue (<c>outbound_messages</c>). Rows are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>; a claimed row is 'sending' and its next_attempt_at is the
/// lease expiry, so that another gateway instance takes it over only if this one died.
/// </summary>
public sealed class OutboundQueue([FromKeyedServices("encimap")] NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Commits a submitted message under the queue id <paramref name="id"/>. For a rate-limited
    /// MotorBlock the count and the insert are serialized per account (advisory lock); false when
    /// the limit is reached (nothing stored).
    /// </summary>
    public async Task<bool> EnqueueAsync(Guid id, Submitter submitter, string envelopeFrom, IReadOnlyList<string> recipients, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (submitter.MotorBlockId is { } motorBlockId && submitter.RateLimitPerHour > 0)
        {
            await using var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7001))", connection, transaction);
            lockCommand.Parameters.AddWithValue(motorBlockId);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            if (await CountSinceAsync(connection, transaction, motorBlockId, TimeSpan.FromHours(1), cancellationToken) >= submitter.RateLimitPerHour)
            {
                return false;
            }
        }

        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO outbound_messages (id, vaultbox_id, motor_block_id, envelope_from, recipients, content)
            VALUES ($1, $2, $3, $4, $5, $6)
            """, connection, transaction);
        insert.Parameters.AddWithValue(id);
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)submitter.VaultboxId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        insert.Parameters.Add(new NpgsqlParameter { Value = (object?)submitter.MotorBlockId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        insert.Parameters.AddWithValue(envelopeFrom);
        insert.Parameters.AddWithValue(recipients.ToArray());
        insert.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>> { TypedValue = content, NpgsqlDbType = NpgsqlDbType.Bytea });
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<long> CountSinceAsync(Guid motorBlockId, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await CountSinceAsync(connection, null, motorBlockId, window, cancellationToken);
    }

    /// <summary>Claims up to <paramref name="batchSize"/> due rows for <paramref name="lease"/>.</summary>
    public async Task<IReadOnlyList<OutboundMessage>> ClaimAsync(int batchSize, TimeSpan lease, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            WITH due AS (
                SELECT id FROM outbound_messages
                WHERE (status IN ('queued', 'sending') OR sent_copy_pending OR bounce_pending)
                  AND next_attempt_at <= now()
                ORDER BY next_attempt_at
                LIMIT $1
                FOR UPDATE SKIP LOCKED)
            UPDATE outbound_messages o SET
                status = CASE WHEN o.status IN ('queued', 'sending') THEN 'sending' ELSE o.status END,
                attempts = CASE WHEN o.status IN ('queued', 'sending') THEN o.attempts + 1 ELSE o.attempts END,
                next_attempt_at = now() + $2
            FROM due
            WHERE o.id = due.id
            RETURNING o.id, o.vaultbox_id, o.motor_block_id, o.envelope_from, o.recipients, o.done_recipients,
                      o.failures::text, o.content, o.status, o.attempts, o.created_at, o.sent_copy_pending,
                      o.bounce_pending, o.bounce_content, o.last_error, o.next_attempt_at,
                      (SELECT v.domain FROM vaultboxes v WHERE v.id = o.vaultbox_id)
            """, connection);
        command.Parameters.AddWithValue(batchSize);
        command.Parameters.AddWithValue(lease);
        var claimed = new List<OutboundMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new OutboundMessage(
                reader.GetGuid(0),
                reader.IsDBNull(1) ? null : reader.GetGuid(1),
                reader.IsDBNull(2) ? null : reader.GetGuid(2),
                reader.GetString(3),
                reader.GetFieldValue<string[]>(4),
                reader.GetFieldValue<string[]>(5),
                JsonSerializer.Deserialize<RecipientFailure[]>(reader.GetString(6), Json) ?? [],
                reader.GetFieldValue<byte[]>(7),
                reader.GetString(8),
                reader.GetInt32(9),
                reader.GetDateTime(10),
                reader.GetBoolean(11),
                reader.GetBoolean(12),
                reader.IsDBNull(13) ? null : reader.GetFieldValue<byte[]>(13),
                reader.IsDBNull(14) ? null : reader.GetString(14),
                reader.GetDateTime(15),
                reader.IsDBNull(16) ? null : reader.GetString(16)));
        }

        return claimed;
    }

    /// <summary>Records a pass over a claimed row; false when the lease was lost (another instance took the row over).</summary>
    public async Task<bool> UpdateAsync(OutboundMessage claimed, OutboundUpdate update, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            """
            UPDATE outbound_messages SET
                status = $3, done_recipients = $4, failures = $5::jsonb, next_attempt_at = $6, last_error = $7,
                sent_copy_pending = $8, bounce_pending = $9, bounce_content = $10
            WHERE id = $1 AND next_attempt_at = $2
            """, connection);
        command.Parameters.AddWithValue(claimed.Id);
        command.Parameters.AddWithValue(claimed.LeaseExpiry);
        command.Parameters.AddWithValue(update.Status);
        command.Parameters.AddWithValue(update.DoneRecipients.ToArray());
        command.Parameters.AddWithValue(JsonSerializer.Serialize(update.Failures, Json));
        command.Parameters.AddWithValue(update.NextAttemptAt);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)update.LastError ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.AddWithValue(update.SentCopyPending);
        command.Parameters.AddWithValue(update.BouncePending);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)update.BounceContent ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bytea });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Rows not finished yet (queued or being sent): the queue depth gauge.</summary>
    public async Task<long> DepthAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM outbound_messages WHERE status IN ('queued', 'sending')", connection);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<long> CountSinceAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid motorBlockId, TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM outbound_messages WHERE motor_block_id = $1 AND created_at > now() - $2", connection, transaction);
        command.Parameters.AddWithValue(motorBlockId);
        command.Parameters.AddWithValue(window);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
