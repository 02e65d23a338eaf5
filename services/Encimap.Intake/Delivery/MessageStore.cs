using System.Diagnostics;
using Encimap.Intake.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Intake.Delivery;

/// <summary>
/// Stores the copies of one delivery in ONE transaction: nothing is stored unless everything is.
/// <para>
/// Per vaultbox (in vaultbox id order, so that concurrent multi-recipient deliveries lock in the
/// same order and cannot deadlock): lock the target mailbox row (<c>SELECT ... FOR UPDATE</c>),
/// check for a duplicate, then advance <c>uid_next</c>/<c>highest_modseq</c> and insert the
/// message with the previous <c>uid_next</c> as its UID in one statement. The row lock serializes
/// deliveries to one mailbox, and a rolled-back transaction also rolls back its increment, so UIDs
/// are distinct and gap-free. <c>pg_notify('encimap_mail', …)</c> runs in the same transaction, so
/// listeners hear of the message exactly when it commits, and the processing log rows are written
/// in it too.
/// </para>
/// <para>
/// Duplicates: <c>dedup_key</c> is unique per vaultbox (partial unique index). A delivery whose key
/// matches a message received within the window (24 h) is a DUPLICATE and answers that message's
/// UID, without consuming a UID. When the matching message is older than the window, its key is
/// released (set to NULL) in the same transaction and the new copy takes it: the unique index keeps
/// guarding the window, and no time bucket is part of the key (a bucket would let a retry that
/// straddles a bucket boundary through). The check runs under the mailbox lock; a concurrent
/// identical delivery into another folder of the same vaultbox is caught by the unique index
/// (23505), and the transaction is retried, which then finds the duplicate.
/// </para>
/// </summary>
public sealed class MessageStore(NpgsqlDataSource database)
{
    public const string NotifyChannel = "encimap_mail";
    private const string DedupIndex = "messages_vaultbox_id_dedup_key_key";
    private const int MaxAttempts = 3;

    /// <summary>
    /// Stores <paramref name="copies"/> into <paramref name="mailbox"/> of each vaultbox and logs
    /// the outcomes (and <paramref name="unknownRecipients"/> unmatched recipients). Returns after
    /// the commit. Throws <see cref="DeliveryFailedException"/>; nothing is stored then.
    /// </summary>
    public async Task<IReadOnlyList<CopyResult>> StoreAsync(
        IReadOnlyList<PreparedCopy> copies,
        string mailbox,
        byte[] dedupKey,
        TimeSpan duplicateWindow,
        int originalSize,
        int unknownRecipients,
        long startTimestamp,
        CancellationToken cancellationToken,
        AppendOptions? append = null)
    {
        var ordered = copies.OrderBy(c => c.Route.VaultboxId).ToArray();
        for (var attempt = 1; ; attempt++)
        {
            var commitStarted = false;
            try
            {
                await using var connection = await database.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var results = new List<CopyResult>(ordered.Length);
                foreach (var copy in ordered)
                {
                    results.Add(await StoreCopyAsync(connection, copy, mailbox, dedupKey, duplicateWindow, originalSize, startTimestamp, cancellationToken, append));
                }

                for (var i = 0; i < unknownRecipients; i++)
                {
                    await LogAsync(connection, null, DeliveryOutcomes.UnknownRecipient, originalSize, startTimestamp, null, cancellationToken);
                }

                commitStarted = true;
                // Not cancelled half-way: once the commit is sent, its outcome is the answer.
                await transaction.CommitAsync(CancellationToken.None);
                return results;
            }
            catch (PostgresException e) when (attempt < MaxAttempts && IsRetryableConflict(e))
            {
                // A concurrent identical delivery or a deadlock: the rolled-back attempt stored
                // nothing; the next one sees the winner's row.
            }
            catch (Exception e) when (!commitStarted && attempt < 2 && e is not OperationCanceledException && DatabaseErrors.IsTransient(e))
            {
                // A pooled connection that died with the server (restart, terminated backend):
                // forget the pool and try once more on a fresh connection. Nothing was committed.
                database.Clear();
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                // The vaultbox was deleted while its copy was being prepared.
                throw new DeliveryFailedException(DeliveryFailure.MailboxMissing, "vaultbox_deleted", "a recipient's vaultbox no longer exists", e);
            }
            catch (Exception e) when (e is not OperationCanceledException and not DeliveryFailedException && DatabaseErrors.IsTransient(e))
            {
                database.Clear();
                throw new DeliveryFailedException(DeliveryFailure.Unavailable, commitStarted ? "database_commit_failed" : "database_unavailable",
                    "the database is unavailable; nothing was stored", e);
            }
        }
    }

    /// <summary>
    /// A processing log row outside any delivery transaction (failures, rejections): best effort,
    /// bounded in time — the database may be the thing that failed.
    /// </summary>
    public async Task TryLogAsync(Guid? vaultboxId, string outcome, int? sizeBytes, long startTimestamp, string? detail)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await using var connection = await database.OpenConnectionAsync(timeout.Token);
            await LogAsync(connection, vaultboxId, outcome, sizeBytes, startTimestamp, detail, timeout.Token, checkVaultbox: true);
        }
        catch (Exception e) when (e is OperationCanceledException || e is NpgsqlException || DatabaseErrors.IsTransient(e))
        {
            // Best effort: the caller already has its answer.
        }
    }

    private static async Task<CopyResult> StoreCopyAsync(
        NpgsqlConnection connection,
        PreparedCopy copy,
        string mailbox,
        byte[] dedupKey,
        TimeSpan duplicateWindow,
        int originalSize,
        long startTimestamp,
        CancellationToken cancellationToken,
        AppendOptions? append)
    {
        var vaultboxId = copy.Route.VaultboxId;
        long mailboxId;
        (long Id, long Uid, long MailboxId, bool Recent)? existing = null;
        await using (var batch = new NpgsqlBatch(connection))
        {
            batch.BatchCommands.Add(Command(
                "SELECT id FROM mailboxes WHERE vaultbox_id = $1 AND name = $2 FOR UPDATE",
                vaultboxId, mailbox));
            // An IMAP APPEND is never a duplicate: it stores without a key.
            batch.BatchCommands.Add(Command(
                "SELECT id, uid, mailbox_id, received_at > now() - $3::interval FROM messages WHERE vaultbox_id = $1 AND dedup_key = $2 AND NOT $4",
                vaultboxId, dedupKey, duplicateWindow, append is not null));
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new DeliveryFailedException(DeliveryFailure.MailboxMissing, "mailbox_missing", $"the mailbox \"{mailbox}\" does not exist in a recipient's vaultbox");
            }

            mailboxId = reader.GetInt64(0);
            await reader.NextResultAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                existing = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetBoolean(3));
            }
        }

        if (existing is { Recent: true } duplicate)
        {
            await LogAsync(connection, vaultboxId, DeliveryOutcomes.Duplicate, originalSize, startTimestamp, null, cancellationToken);
            return new CopyResult(vaultboxId, CopyOutcome.Duplicate, duplicate.MailboxId, (uint)duplicate.Uid);
        }

        if (existing is { } expired)
        {
            // Beyond the window: the old copy gives up its key (see the class summary).
            await using var release = new NpgsqlBatch(connection);
            release.BatchCommands.Add(Command("UPDATE messages SET dedup_key = NULL WHERE id = $1", expired.Id));
            await release.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var batch = new NpgsqlBatch(connection))
        {
            var insert = new NpgsqlBatchCommand(
                """
                WITH next AS (
                    UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
                    WHERE id = $1
                    RETURNING id, uid_next - 1 AS uid, highest_modseq AS modseq),
                stored AS (
                    INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, message_id, from_domain,
                                          to_alias, subject, envelope, body_structure, content, dedup_key, flags, internal_date)
                    SELECT $2, next.id, next.uid, next.modseq, $3, $4, $5, $6, $7, $8, $9, $10, $11,
                           coalesce($13::text[], '{}'), coalesce($14::timestamptz, now()) FROM next
                    RETURNING mailbox_id, uid)
                SELECT uid, pg_notify($12, json_build_object('vaultbox_id', $2, 'mailbox_id', mailbox_id, 'uid', uid)::text)
                FROM stored
                """);
            insert.Parameters.Add(new NpgsqlParameter { Value = mailboxId });
            insert.Parameters.Add(new NpgsqlParameter { Value = vaultboxId });
            insert.Parameters.Add(new NpgsqlParameter { Value = copy.Content.Length });
            insert.Parameters.Add(Text(copy.MessageId));
            insert.Parameters.Add(Text(copy.FromDomain));
            insert.Parameters.Add(Text(copy.Route.ToAlias));
            insert.Parameters.Add(Text(copy.Subject));
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)copy.EnvelopeJson ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)copy.BodyStructureJson ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = copy.Content });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = append is null ? dedupKey : DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter { Value = NotifyChannel });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = (object?)append?.Flags.ToArray() ?? DBNull.Value });
            insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)append?.InternalDate?.ToUniversalTime() ?? DBNull.Value });
            batch.BatchCommands.Add(insert);
            batch.BatchCommands.Add(LogCommand(vaultboxId, DeliveryOutcomes.Stored, originalSize, startTimestamp, null, checkVaultbox: false));

            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new InvalidOperationException("the mailbox row disappeared under its lock");
            }

            var uid = reader.GetInt64(0);
            while (await reader.NextResultAsync(cancellationToken))
            {
                // drain the log insert
            }

            return new CopyResult(vaultboxId, CopyOutcome.Stored, mailboxId, (uint)uid);
        }
    }

    private static async Task LogAsync(
        NpgsqlConnection connection,
        Guid? vaultboxId,
        string outcome,
        int? sizeBytes,
        long startTimestamp,
        string? detail,
        CancellationToken cancellationToken,
        bool checkVaultbox = false)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(LogCommand(vaultboxId, outcome, sizeBytes, startTimestamp, detail, checkVaultbox));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    // checkVaultbox: the id came from outside (a URL) and may name no vaultbox; log it as NULL then
    // instead of failing on the foreign key.
    private static NpgsqlBatchCommand LogCommand(Guid? vaultboxId, string outcome, int? sizeBytes, long startTimestamp, string? detail, bool checkVaultbox)
    {
        var sql = checkVaultbox
            ? "INSERT INTO email_processing_logs (vaultbox_id, outcome, size_bytes, duration_ms, detail) VALUES ((SELECT id FROM vaultboxes WHERE id = $1), $2, $3, $4, $5)"
            : "INSERT INTO email_processing_logs (vaultbox_id, outcome, size_bytes, duration_ms, detail) VALUES ($1, $2, $3, $4, $5)";
        var duration = (int)Math.Min(int.MaxValue, Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds);
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = (object?)vaultboxId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = outcome });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = (object?)sizeBytes ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = Math.Max(0, duration) });
        command.Parameters.Add(Text(detail));
        return command;
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static bool IsRetryableConflict(PostgresException e) =>
        (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == DedupIndex)
        || e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure;
}
