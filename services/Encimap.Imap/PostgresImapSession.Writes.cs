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
    /// </summary>
    private Task<T> WriteAsync<T>(Action<NpgsqlBatch> statements, Func<NpgsqlDataReader, CancellationToken, Task<T>> read,
        CancellationToken cancellationToken, NpgsqlConnection? connection = null) =>
        TransactionRetry.RunAsync(async ct =>
        {
            var opened = connection is null ? await database.OpenConnectionAsync(ct) : null;
            try
            {
                await using var batch = new NpgsqlBatch(opened ?? connection);
                batch.BatchCommands.Add(Command("SELECT lock_vaultbox_mail($1)", _vaultbox));
                statements(batch);
                await using var reader = await batch.ExecuteReaderAsync(ct);
                await reader.NextResultAsync(ct);
                var result = await read(reader, ct);
                // The rest (and the commit's outcome) before the answer.
                while (await reader.NextResultAsync(ct))
                {
                }

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

    /// <summary>The vaultbox's write lock, as the first statement of an explicit transaction.</summary>
    private async Task LockVaultboxAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT lock_vaultbox_mail($1)", connection, transaction);
        command.Parameters.AddWithValue(_vaultbox);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
