using System.Diagnostics;
using Encimap.Intake.Encryption;
using Encimap.Intake.Infrastructure;
using Encimap.Smtp;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Intake.Delivery;

/// <summary>
/// Stores deliveries in ONE transaction for several of them at once (the group-commit partitions of
/// <see cref="GroupCommitQueue"/> hand in what arrived meanwhile): one WAL flush for many
/// messages. Per delivery nothing is stored unless all its copies are.
/// <para>
/// One round trip: per copy, in vaultbox id order (so that concurrent transactions take the
/// vaultboxes' write locks in the same order and cannot deadlock), the database function
/// <c>deliver_message</c> takes the vaultbox's write lock (<c>lock_vaultbox_mail</c>, migration 0014:
/// the lock order every writer of a vaultbox's mail follows, the IMAP service included), checks the
/// route the copy was encrypted for, looks for an earlier copy with the same <c>dedup_key</c>,
/// advances <c>uid_next</c>/<c>highest_modseq</c> and inserts the message with the previous
/// <c>uid_next</c> as its UID, writes the processing log row and <c>pg_notify('encimap_mail', …)</c>.
/// A DER larger than a chunk (<see cref="DerChunks"/>) follows its call as one INSERT per chunk
/// into <c>message_chunks</c>, each chunk a parameter of its own (migration 0017); so does the body
/// of a large message stored as it came (migration 0019), its bytes as they are.
/// The UPDATE takes the mailbox row lock, held only until the commit; it serializes writers of one
/// mailbox, and a rolled-back transaction also rolls back its increments, so UIDs are distinct,
/// gap-free and become visible in ascending order (RFC 3501 §2.3.1.1). Listeners hear of a message
/// exactly when it commits.
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
/// A transaction of several deliveries that fails on one of them (its route changed, its vaultbox
/// or folder is gone, a deadlock) rolls back as a whole; each delivery is then stored alone, so
/// one delivery's problem never fails another.
/// </para>
/// </summary>
public sealed class MessageStore([FromKeyedServices(IntakeServiceRegistration.ConnectionStringName)] NpgsqlDataSource database)
{
    public const string NotifyChannel = "encimap_mail";
    private const string DedupIndex = "messages_vaultbox_id_dedup_key_key";
    private const int MaxAttempts = 3;

    // Raised by deliver_message (migrations 0006, 0007, 0017, 0019).
    private const string RouteChangedState = "EN001";
    private const string MailboxMissingState = "EN002";

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
            catch (PostgresException e) when (e.SqlState == RouteChangedState)
            {
                request.Fail(new DeliveryFailedException(DeliveryFailure.RouteChanged, "route_changed",
                    "a recipient's route changed after it was resolved", e));
                return;
            }
            catch (PostgresException e) when (e.SqlState == MailboxMissingState)
            {
                request.Fail(new DeliveryFailedException(DeliveryFailure.MailboxMissing, "mailbox_missing",
                    $"the mailbox \"{request.Mailbox}\" does not exist in a recipient's vaultbox", e));
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                // The vaultbox was deleted while the copy was being inserted.
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

                // The writes go as one batch without an explicit transaction: PostgreSQL runs the
                // statements of a pipeline up to its Sync as ONE implicit transaction and commits it
                // before it answers ReadyForQuery, which the batch's reader waits for. A failing
                // statement rolls back all of them. The commit thus costs no round trip of its own.
                commitStarted = true;
                var results = await WriteAsync(connection, requests, CancellationToken.None);
                foreach (var request in requests)
                {
                    request.Succeed(results[request]);
                }

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
    /// The one round trip: a <c>deliver_message</c> call per copy (in vaultbox id order), and the
    /// log rows of unknown recipients. Returns each request's results.
    /// </summary>
    private static async Task<Dictionary<StoreRequest, CopyResult[]>> WriteAsync(
        NpgsqlConnection connection, IReadOnlyList<StoreRequest> requests, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        // OrderBy is stable: one mailbox's copies keep their arrival order, and so their UIDs.
        var copies = requests
            .SelectMany(request => request.Copies.Select((copy, index) => (Request: request, Copy: copy, Index: index)))
            .OrderBy(c => c.Copy.Route.VaultboxId)
            .ToArray();
        foreach (var (request, copy, _) in copies)
        {
            batch.BatchCommands.Add(DeliverCommand(request, copy));
            if (Chunked(copy.Stored) is var (chunked, _))
            {
                // Right after their message's call, which leaves the message's id for them.
                foreach (var (offset, length) in DerChunks.Ranges(chunked.Length))
                {
                    batch.BatchCommands.Add(ChunkCommand(chunked, offset, length));
                }
            }
        }

        foreach (var request in requests)
        {
            for (var i = 0; i < request.UnknownRecipients; i++)
            {
                batch.BatchCommands.Add(LogCommand(null, DeliveryOutcomes.UnknownRecipient, request.OriginalSize, request.StartTimestamp, null, checkVaultbox: false));
            }
        }

        var results = requests.ToDictionary(r => r, r => new CopyResult[r.Copies.Count]);
        var next = 0;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            // Only the deliver_message calls return rows (one each), in batch order.
            do
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    if (next >= copies.Length)
                    {
                        throw new InvalidOperationException($"{copies.Length} copies returned more rows");
                    }

                    var (request, copy, index) = copies[next++];
                    var outcome = reader.GetString(0) == "stored" ? CopyOutcome.Stored : CopyOutcome.Duplicate;
                    results[request][index] = new CopyResult(copy.Route.VaultboxId, outcome, reader.GetInt64(1), (uint)reader.GetInt64(2));
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        if (next != copies.Length)
        {
            throw new InvalidOperationException($"{copies.Length} copies returned {next} rows");
        }

        return results;
    }

    private static NpgsqlBatchCommand DeliverCommand(StoreRequest request, PreparedCopy copy)
    {
        var append = request.Append;
        var route = copy.Route;
        var command = new NpgsqlBatchCommand(
            "SELECT outcome, mailbox_id, uid FROM deliver_message($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)");
        command.Parameters.Add(new NpgsqlParameter { Value = route.VaultboxId });
        command.Parameters.Add(new NpgsqlParameter { Value = request.Mailbox });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = (object?)request.RouteAddresses(route.VaultboxId) ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = route.HideSubject });
        command.Parameters.Add(new NpgsqlParameter { Value = KeyTransports.Name(route.KeyTransport) });
        // An IMAP APPEND is never a duplicate: it stores without a key.
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = append is null ? request.DedupKey : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = request.DuplicateWindow });
        command.Parameters.Add(Text(copy.MessageId));
        command.Parameters.Add(Text(copy.FromDomain));
        command.Parameters.Add(Text(route.ToAlias));
        command.Parameters.Add(Text(copy.Subject));
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)copy.EnvelopeJson ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = (object?)copy.BodyStructureJson ?? DBNull.Value });
        // The head and the DER, not the base64 lines IMAP serves: a quarter fewer bytes to write.
        // The DER goes as a stream (a fresh reader of its spool for every attempt): Npgsql copies
        // it to the socket a buffer at a time instead of from one array. A DER larger than a
        // chunk goes as chunks after this call (ChunkCommand), and only its length goes here; so
        // does the body of a large message stored as it came (migration 0019).
        var der = copy.Stored.Der;
        var chunked = Chunked(copy.Stored);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = copy.Stored.Content });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = der is null || chunked is not null ? DBNull.Value : der.OpenRead() });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = chunked is (_, true) ? der!.Length : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = chunked is ({ } body, false) ? body.Length : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = copy.Stored.ServedLength });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = (object?)append?.Flags.ToArray() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = (object?)append?.InternalDate?.ToUniversalTime() ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)copy.EnvelopeWire ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = (object?)copy.BodyStructureWire ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = request.OriginalSize });
        command.Parameters.Add(new NpgsqlParameter { Value = ElapsedMilliseconds(request.StartTimestamp) });
        command.Parameters.Add(new NpgsqlParameter { Value = NotifyChannel });
        return command;
    }

    /// <summary>What of a copy goes to <c>message_chunks</c> rows, and whether it is a DER or a body stored as it came; null when nothing does.</summary>
    private static (MessageSpool Spool, bool IsDer)? Chunked(EncryptedMessage stored) =>
        stored.Der is { } der && DerChunks.IsChunked(der.Length) ? (der, true)
        : stored.Body is { } body ? (body, false)
        : null;

    /// <summary>
    /// One chunk of a DER or of a body, as a stream of its own over the spool, for the message that the
    /// <c>deliver_message</c> call before it stored (it leaves the id in the transaction's
    /// <c>encimap.delivered_message_id</c>, migration 0017). After a duplicate the setting is empty
    /// and the chunk is dropped: a duplicate leaves no chunk behind.
    /// </summary>
    private static NpgsqlBatchCommand ChunkCommand(MessageSpool chunked, long offset, int length)
    {
        var command = new NpgsqlBatchCommand(
            """
            INSERT INTO message_chunks (message_id, seq, data)
            SELECT d.id, $1, $2
            FROM (SELECT nullif(current_setting('encimap.delivered_message_id', true), '')::bigint) AS d (id)
            WHERE d.id IS NOT NULL
            """);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = (int)(offset / DerChunks.ChunkBytes) });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = chunked.OpenSlice(offset, length) });
        return command;
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
            await using var batch = new NpgsqlBatch(connection);
            batch.BatchCommands.Add(LogCommand(vaultboxId, outcome, sizeBytes, startTimestamp, detail, checkVaultbox: true));
            await batch.ExecuteNonQueryAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException || e is NpgsqlException || DatabaseErrors.IsTransient(e))
        {
            // Best effort: the caller already has its answer.
        }
    }

    // checkVaultbox: the id came from outside (a URL) and may name no vaultbox; log it as NULL then
    // instead of failing on the foreign key.
    private static NpgsqlBatchCommand LogCommand(Guid? vaultboxId, string outcome, int? sizeBytes, long startTimestamp, string? detail, bool checkVaultbox)
    {
        var sql = checkVaultbox
            ? "INSERT INTO email_processing_logs (vaultbox_id, outcome, size_bytes, duration_ms, detail) VALUES ((SELECT id FROM vaultboxes WHERE id = $1), $2, $3, $4, $5)"
            : "INSERT INTO email_processing_logs (vaultbox_id, outcome, size_bytes, duration_ms, detail) VALUES ($1, $2, $3, $4, $5)";
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = (object?)vaultboxId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = outcome });
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer, Value = (object?)sizeBytes ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = ElapsedMilliseconds(startTimestamp) });
        command.Parameters.Add(Text(detail));
        return command;
    }

    /// <summary>The processing log's <c>duration_ms</c>: time since the delivery started.</summary>
    private static int ElapsedMilliseconds(long startTimestamp) =>
        (int)Math.Clamp(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, 0, int.MaxValue);

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };

    private static bool IsRetryableConflict(PostgresException e) =>
        (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == DedupIndex)
        || e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure;
}
