using System.Diagnostics;
using Encimap.Intake.Infrastructure;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Intake.Delivery;

/// <summary>
/// Stores deliveries in ONE transaction for several of them at once (the group-commit partitions of
/// <see cref="GroupCommitQueue"/> hand in what arrived meanwhile): one WAL flush for many
/// messages. Per delivery nothing is stored unless all its copies are.
/// <para>
/// Round trip 1 looks up each copy's folder and an earlier delivery with the same
/// <c>dedup_key</c>. Round trip 2 writes and commits, in vaultbox id order (so that concurrent transactions
/// lock mailboxes in the same order and cannot deadlock): per copy, advance
/// <c>uid_next</c>/<c>highest_modseq</c> and insert the message with the previous <c>uid_next</c>
/// as its UID in one statement. That UPDATE takes the mailbox row lock, held only for the insert
/// and the commit; it serializes writers of one mailbox, and a rolled-back transaction also rolls
/// back its increments, so UIDs are distinct, gap-free and become visible in ascending order
/// (RFC 3501 §2.3.1.1). <c>pg_notify('encimap_mail', …)</c> and the processing log rows are
/// written in the same transaction, so listeners hear of a message exactly when it commits.
/// </para>
/// <para>
/// Duplicates: <c>dedup_key</c> is unique per vaultbox (partial unique index). A delivery whose key
/// matches a message received within the window (24 h) is a DUPLICATE and answers that message's
/// UID, without consuming a UID. When the matching message is older than the window, its key is
/// released (set to NULL) in the same transaction and the new copy takes it: the unique index keeps
/// guarding the window, and no time bucket is part of the key (a bucket would let a retry that
/// straddles a bucket boundary through). The look-up takes no lock: an identical delivery that
/// commits in between is caught by the unique index (23505), and the transaction is retried,
/// which then finds the duplicate.
/// </para>
/// <para>
/// A transaction of several deliveries that fails on one of them (its vaultbox was deleted, two
/// identical deliveries met in one batch, a deadlock) rolls back as a whole; each delivery is then
/// stored alone, so one delivery's problem never fails another.
/// </para>
/// </summary>
public sealed class MessageStore(NpgsqlDataSource database)
{
    public const string NotifyChannel = "encimap_mail";
    private const string DedupIndex = "messages_vaultbox_id_dedup_key_key";
    private const int MaxAttempts = 3;

    /// <summary>
    /// Stores <paramref name="requests"/> and completes each of them: with its results once they
    /// are committed, or with the <see cref="DeliveryFailedException"/> (or defect) that stored
    /// nothing of it. Never throws.
    /// </summary>
    public async Task StoreAsync(IReadOnlyList<StoreRequest> requests, CancellationToken cancellationToken)
    {
        if (requests.Count == 1)
        {
            await StoreAloneAsync(requests[0], cancellationToken);
            return;
        }

        try
        {
            await StoreTogetherAsync(requests, cancellationToken);
        }
        catch (PostgresException e) when (!DatabaseErrors.IsTransient(e) || IsRetryableConflict(e))
        {
            // Rolled back as a whole: find out alone which request it was (see the class summary).
            foreach (var request in requests)
            {
                await StoreAloneAsync(request, cancellationToken);
            }
        }
        catch (Exception e)
        {
            foreach (var request in requests)
            {
                request.Fail(e);
            }
        }
    }

    private async Task StoreAloneAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StoreTogetherAsync([request], cancellationToken);
                return;
            }
            catch (PostgresException e) when (attempt < MaxAttempts && IsRetryableConflict(e))
            {
                // A concurrent identical delivery or a deadlock: the rolled-back attempt stored
                // nothing; the next one sees the winner's row.
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.ForeignKeyViolation or PostgresErrorCodes.NotNullViolation)
            {
                // The vaultbox or its folder was deleted between the look-up and the insert.
                request.Fail(new DeliveryFailedException(DeliveryFailure.MailboxMissing, "vaultbox_deleted",
                    "a recipient's vaultbox or folder no longer exists", e));
                return;
            }
            catch (Exception e)
            {
                request.Fail(e);
                return;
            }
        }
    }

    /// <summary>
    /// One transaction for all <paramref name="requests"/>; completes them after the commit.
    /// Throws (and completes none) when the transaction failed.
    /// </summary>
    private async Task StoreTogetherAsync(IReadOnlyList<StoreRequest> requests, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var commitStarted = false;
            try
            {
                await using var connection = await database.OpenConnectionAsync(cancellationToken);
                var (plans, missing) = await LookUpAsync(connection, requests, cancellationToken);

                // The writes go as one batch without an explicit transaction: PostgreSQL runs the
                // statements of a pipeline up to its Sync as ONE implicit transaction and commits it
                // before it answers ReadyForQuery, which the batch's reader waits for. A failing
                // statement rolls back all of them. The commit thus costs no round trip of its own.
                commitStarted = true;
                var uids = await WriteAsync(connection, plans, requests, missing, CancellationToken.None);
                Complete(requests, plans, uids, missing);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected }
                                      && DatabaseErrors.IsTransient(e))
            {
                // A pooled connection that died with the server (restart, terminated backend):
                // forget the pool and try once more on a fresh connection, unless the commit was
                // sent — then nobody knows whether it happened, and the sender's retry meets the
                // de-duplication.
                database.Clear();
                if (!commitStarted && attempt < 2)
                {
                    continue;
                }

                throw new DeliveryFailedException(DeliveryFailure.Unavailable, commitStarted ? "database_commit_failed" : "database_unavailable",
                    "the database is unavailable; nothing was stored", e);
            }
        }
    }

    /// <summary>
    /// Round trip 1: each copy's folder and an earlier delivery with its key. Requests with a
    /// copy whose folder does not exist are returned as missing and stored not at all.
    /// </summary>
    private static async Task<(List<CopyPlan> Plans, HashSet<StoreRequest> Missing)> LookUpAsync(
        NpgsqlConnection connection, IReadOnlyList<StoreRequest> requests, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        foreach (var request in requests)
        {
            foreach (var copy in request.Copies)
            {
                // An IMAP APPEND is never a duplicate: it stores without a key.
                batch.BatchCommands.Add(Command(
                    """
                    SELECT m.id, d.id, d.uid, d.mailbox_id, d.received_at > now() - $3::interval
                    FROM mailboxes m
                    LEFT JOIN messages d ON d.vaultbox_id = m.vaultbox_id AND d.dedup_key = $4 AND NOT $5
                    WHERE m.vaultbox_id = $1 AND m.name = $2
                    """,
                    copy.Route.VaultboxId, request.Mailbox, request.DuplicateWindow, request.DedupKey, request.Append is not null));
            }
        }

        var plans = new List<CopyPlan>();
        var missing = new HashSet<StoreRequest>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        foreach (var request in requests)
        {
            foreach (var copy in request.Copies)
            {
                if (!await reader.ReadAsync(cancellationToken))
                {
                    missing.Add(request);
                }
                else
                {
                    var existing = reader.IsDBNull(1)
                        ? (ExistingMessage?)null
                        : new ExistingMessage(reader.GetInt64(1), (uint)reader.GetInt64(2), reader.GetInt64(3), reader.GetBoolean(4));
                    plans.Add(new CopyPlan(request, copy, reader.GetInt64(0), existing));
                }

                await reader.NextResultAsync(cancellationToken);
            }
        }

        plans.RemoveAll(p => missing.Contains(p.Request));
        return (plans, missing);
    }

    /// <summary>
    /// Round trip 2: the inserts (in vaultbox id order), key releases and processing log rows.
    /// Returns the UID of each inserted copy by plan.
    /// </summary>
    private static async Task<Dictionary<CopyPlan, uint>> WriteAsync(
        NpgsqlConnection connection, List<CopyPlan> plans, IReadOnlyList<StoreRequest> requests, HashSet<StoreRequest> missing,
        CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        var inserts = new List<CopyPlan>();
        // OrderBy is stable: one mailbox's copies keep their arrival order, and so their UIDs.
        foreach (var plan in plans.OrderBy(p => p.Copy.Route.VaultboxId))
        {
            var request = plan.Request;
            if (plan.Existing is { Recent: true })
            {
                batch.BatchCommands.Add(LogCommand(plan.Copy.Route.VaultboxId, DeliveryOutcomes.Duplicate, request.OriginalSize, request.StartTimestamp, null, checkVaultbox: false));
                continue;
            }

            if (plan.Existing is { } expired)
            {
                // Beyond the window: the old copy gives up its key (see the class summary).
                batch.BatchCommands.Add(Command("UPDATE messages SET dedup_key = NULL WHERE id = $1", expired.Id));
            }

            inserts.Add(plan);
            batch.BatchCommands.Add(InsertCommand(plan));
            batch.BatchCommands.Add(LogCommand(plan.Copy.Route.VaultboxId, DeliveryOutcomes.Stored, request.OriginalSize, request.StartTimestamp, null, checkVaultbox: false));
        }

        foreach (var request in requests.Where(r => !missing.Contains(r)))
        {
            for (var i = 0; i < request.UnknownRecipients; i++)
            {
                batch.BatchCommands.Add(LogCommand(null, DeliveryOutcomes.UnknownRecipient, request.OriginalSize, request.StartTimestamp, null, checkVaultbox: false));
            }
        }

        var uids = new Dictionary<CopyPlan, uint>();
        if (batch.BatchCommands.Count == 0)
        {
            return uids;
        }

        // Only the inserts return rows (one each), in batch order.
        var returned = new List<long>(inserts.Count);
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    returned.Add(reader.GetInt64(0));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        if (returned.Count != inserts.Count)
        {
            throw new InvalidOperationException($"{inserts.Count} inserts returned {returned.Count} rows");
        }

        for (var i = 0; i < inserts.Count; i++)
        {
            uids[inserts[i]] = (uint)returned[i];
        }

        return uids;
    }

    private static void Complete(IReadOnlyList<StoreRequest> requests, List<CopyPlan> plans, Dictionary<CopyPlan, uint> uids, HashSet<StoreRequest> missing)
    {
        foreach (var request in requests)
        {
            if (missing.Contains(request))
            {
                request.Fail(new DeliveryFailedException(DeliveryFailure.MailboxMissing, "mailbox_missing",
                    $"the mailbox \"{request.Mailbox}\" does not exist in a recipient's vaultbox"));
                continue;
            }

            request.Succeed(plans.Where(p => p.Request == request).Select(p => uids.TryGetValue(p, out var uid)
                ? new CopyResult(p.Copy.Route.VaultboxId, CopyOutcome.Stored, p.MailboxId, uid)
                : new CopyResult(p.Copy.Route.VaultboxId, CopyOutcome.Duplicate, p.Existing!.Value.MailboxId, p.Existing.Value.Uid)).ToArray());
        }
    }

    // The mailbox id comes from round trip 1; if its row vanished since, the UPDATE returns
    // nothing, the uid is NULL and the insert fails (NOT NULL) instead of silently storing nothing.
    private static NpgsqlBatchCommand InsertCommand(CopyPlan plan)
    {
        var copy = plan.Copy;
        var append = plan.Request.Append;
        var insert = new NpgsqlBatchCommand(
            """
            WITH next AS (
                UPDATE mailboxes SET uid_next = uid_next + 1, highest_modseq = highest_modseq + 1
                WHERE id = $1
                RETURNING uid_next - 1 AS uid, highest_modseq AS modseq)
            INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, message_id, from_domain,
                                  to_alias, subject, envelope, body_structure, content, dedup_key, flags, internal_date,
                                  imap_envelope, imap_body_structure)
            VALUES ($2, $1, (SELECT uid FROM next), (SELECT modseq FROM next), $3, $4, $5, $6, $7, $8, $9, $10, $11,
                    coalesce($13::text[], '{}'), coalesce($14::timestamptz, now()), $15, $16)
            RETURNING uid, pg_notify($12, json_build_object('vaultbox_id', $2, 'mailbox_id', $1, 'uid', uid)::text)
            """);
        insert.Parameters.Add(new NpgsqlParameter { Value = plan.MailboxId });
        insert.Parameters.Add(new NpgsqlParameter { Value = copy.Route.VaultboxId });
        insert.Parameters.Add(new NpgsqlParameter { Value = copy.Content.Length });
        insert.Parameters.Add(Text(copy.MessageId));
        insert.Parameters.Add(Text(copy.FromDomain));
        insert.Parameters.Add(Text(copy.Route.ToAlias));
        insert.Parameters.Add(Text(copy.Subject));
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)copy.EnvelopeJson ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)copy.BodyStructureJson ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = copy.Content });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = append is null ? plan.Request.DedupKey : DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter { Value = NotifyChannel });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = (object?)append?.Flags.ToArray() ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)append?.InternalDate?.ToUniversalTime() ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)copy.EnvelopeWire ?? DBNull.Value });
        insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)copy.BodyStructureWire ?? DBNull.Value });
        return insert;
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

    /// <summary>One copy's folder and the earlier delivery with its key, if any.</summary>
    private sealed class CopyPlan(StoreRequest request, PreparedCopy copy, long mailboxId, ExistingMessage? existing)
    {
        public StoreRequest Request { get; } = request;

        public PreparedCopy Copy { get; } = copy;

        public long MailboxId { get; } = mailboxId;

        public ExistingMessage? Existing { get; } = existing;
    }

    private readonly record struct ExistingMessage(long Id, uint Uid, long MailboxId, bool Recent);
}
