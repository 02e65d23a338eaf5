using Encimap.Testing;
using Npgsql;

namespace Encimap.Database.Tests;

/// <summary>
/// What the intake's group commit relies on: a batch sent without an explicit transaction is ONE
/// implicit transaction (its statements share one Sync), committed before the batch completes and
/// rolled back as a whole when any statement fails — including rows of earlier statements.
/// </summary>
public sealed class BatchAtomicityTests
{
    [Fact]
    public async Task A_batch_without_a_transaction_commits_or_rolls_back_as_a_whole()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();
        var vaultbox = await Sql.ScalarAsync<Guid>(connection,
            "INSERT INTO vaultboxes (user_id, domain, alias) VALUES (gen_random_uuid(), 'batch.example', 'atom') RETURNING id");

        await using (var failing = new NpgsqlBatch(connection))
        {
            failing.BatchCommands.Add(Insert(vaultbox, "Kept?"));
            failing.BatchCommands.Add(Insert(vaultbox, "Kept?"));   // violates UNIQUE (vaultbox_id, name)
            failing.BatchCommands.Add(Insert(vaultbox, "After"));
            var error = await Assert.ThrowsAsync<PostgresException>(() => failing.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        }

        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM mailboxes WHERE vaultbox_id = $1", vaultbox));
        // The connection is usable and idle again: nothing of the failed batch lingers.
        Assert.Equal(System.Data.ConnectionState.Open, connection.State);

        await using (var succeeding = new NpgsqlBatch(connection))
        {
            succeeding.BatchCommands.Add(Insert(vaultbox, "One"));
            succeeding.BatchCommands.Add(Insert(vaultbox, "Two"));
            await succeeding.ExecuteNonQueryAsync();
        }

        // Seen from another session at once: committed when the batch completed.
        await using var other = new NpgsqlConnection(db.EncimapApp);
        await other.OpenAsync();
        Assert.Equal(2L, await Sql.ScalarAsync<long>(other, "SELECT count(*) FROM mailboxes WHERE vaultbox_id = $1", vaultbox));
    }

    private static NpgsqlBatchCommand Insert(Guid vaultbox, string name)
    {
        var command = new NpgsqlBatchCommand("INSERT INTO mailboxes (vaultbox_id, name, uid_validity) VALUES ($1, $2, 1)");
        command.Parameters.Add(new NpgsqlParameter { Value = vaultbox });
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        return command;
    }
}
