using Npgsql;

namespace Encimap.Imap;

// How a command changes the vaultbox. The lock order (migration 0014, which the intake's
// deliver_message follows too): first the vaultbox's write lock, lock_vaultbox_mail(vaultbox_id),
// then any mailbox and message rows. Every writer of a vaultbox takes that lock first, so no
// writer can hold a row that another one that already has the lock waits for: no lock cycle, no
// deadlock. The statements of one change go as one batch, which PostgreSQL runs as one implicit
// transaction (committed before it answers the batch's Sync: no round trip of its own); each
// statement of it sees what committed before it began (READ COMMITTED), so everything after the
// lock sees the writes of the writer before. Session state changes only once a write committed,
// so a retried or failed one leaves it as it was.
public sealed partial class PostgresImapSession
{
    /// <summary>
    /// Runs <paramref name="statements"/> after the vaultbox's write lock in one implicit
    /// transaction; <paramref name="read"/> reads their results (the reader is on the first of
    /// them). All of it again on a deadlock or serialization failure (<see cref="TransactionRetry"/>).
    /// The commit waits for the WAL to be flushed to disk (synchronous_commit).
    /// </summary>
    private Task<T> WriteAsync<T>(Action<NpgsqlBatch> statements, Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken, NpgsqlConnection? connection = null) =>
        WriteAsync(statements, read, durable: true, cancellationToken, connection);

    /// <summary>
    /// As <see cref="WriteAsync{T}(Action{NpgsqlBatch}, Func{NpgsqlDataReader, CancellationToken, Task{T}}, CancellationToken, NpgsqlConnection?)"/>,
    /// for a change of flags or keywords and nothing else (STORE, the \Seen a FETCH sets): its
    /// commit does not wait for the WAL flush (synchronous_commit off for this transaction only).
    /// Every write holds the vaultbox's lock until its commit ends, so a flush inside it is paid by
    /// every writer waiting behind; with ten clients on one mailbox the flushes of flag changes
    /// were most of the time the lock was held. A crash of the database server may lose the flag
    /// changes of its last fraction of a second (wal_writer_delay, 200 ms by default; never a
    /// message, a UID or an expunge: those commit synchronously, and a later synchronous commit
    /// flushes every earlier change with it), as Dovecot's default mail_fsync = optimized does not
    /// fsync flag changes either.
    /// </summary>
    private Task<T> WriteFlagsAsync<T>(Action<NpgsqlBatch> statements, Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken, NpgsqlConnection? connection = null) =>
        WriteAsync(statements, read, durable: false, cancellationToken, connection);

    private Task<T> WriteAsync<T>(Action<NpgsqlBatch> statements, Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        bool durable, CancellationToken cancellationToken, NpgsqlConnection? connection) =>
        TransactionRetry.RunAsync(async ct =>
        {
            var opened = connection is null ? await database.OpenConnectionAsync(ct) : null;
            try
            {
                await using var batch = new NpgsqlBatch(opened ?? connection);
                if (!durable)
                {
                    // Local to the batch's implicit transaction, read by its commit (SET LOCAL would
                    // need an explicit transaction block).
                    batch.BatchCommands.Add(Command("SELECT set_config('synchronous_commit', 'off', true)"));
                }

                batch.BatchCommands.Add(Command("SELECT lock_vaultbox_mail($1)", _vaultbox));
                statements(batch);
                // The look at the selected mailbox that the command's answer needs, in the same
                // round trip; it sees this write, which the session knows as its own (_own).
                var poll = PollIfDue(batch);
                await using var reader = await batch.ExecuteReaderAsync(ct);
                await reader.NextResultAsync(ct);
                if (!durable)
                {
                    await reader.NextResultAsync(ct);
                }

                var result = await read(reader, ct);
                await ReadPollAsync(reader, poll, ct);

                // The rest (and the commit's outcome) before the answer: a look that saw a write
                // that did not commit is not kept.
                while (await reader.NextResultAsync(ct))
                {
                }

                KeepPoll(poll);
                return result;
            }
            finally
            {
                if (opened is not null)
                {
                    await opened.DisposeAsync();
                }
            }
        }, logger, cancellationToken);
}
