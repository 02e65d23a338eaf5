using Npgsql;

namespace Encimap.Api.Tests;

/// <summary>Looks at the encimap database directly, as the owner, to see what a vaultbox left behind.</summary>
public static class StoredRows
{
    /// <summary>Adds rows the API does not create itself (a message, a processing log, a queued mail) so the cascade is tested for them too.</summary>
    public static async Task AddMessageAndLogsAsync(NpgsqlConnection connection, Guid vaultboxId)
    {
        string[] statements =
        [
            "INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, content) SELECT $1, id, 1, 1, 3, 'abc'::bytea FROM mailboxes WHERE vaultbox_id = $1 AND name = 'INBOX'",
            "INSERT INTO email_processing_logs (vaultbox_id, outcome, size_bytes, duration_ms) VALUES ($1, 'stored', 3, 1)",
            "INSERT INTO outbound_messages (vaultbox_id, envelope_from, recipients, content) VALUES ($1, 'a@b.example', '{c@d.example}', 'a'::bytea)",
        ];
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddWithValue(vaultboxId);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
    }

    public static async Task<List<Guid>> CertificateIdsAsync(NpgsqlConnection connection, Guid vaultboxId)
    {
        await using var command = new NpgsqlCommand("SELECT id FROM vaultbox_certs WHERE vaultbox_id = $1", connection);
        command.Parameters.AddWithValue(vaultboxId);
        var ids = new List<Guid>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    /// <summary>
    /// "table.column" for every row of every table that still points at the vaultbox (any
    /// <c>vaultbox_id</c> column, or <c>id</c> of vaultboxes) or at one of its certificates.
    /// Tables are found in the catalog, so a table added later is checked without changing this.
    /// </summary>
    public static async Task<List<string>> ReferencingRowsAsync(NpgsqlConnection connection, Guid vaultboxId, IReadOnlyList<Guid> certIds)
    {
        var columns = new List<(string Table, string Column)>();
        await using (var catalog = new NpgsqlCommand(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = 'public' AND (column_name IN ('vaultbox_id', 'cert_id') OR (table_name = 'vaultboxes' AND column_name = 'id'))
            """,
            connection))
        await using (var reader = await catalog.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1)));
            }
        }

        Assert.Contains(columns, c => c.Table == "messages");
        var found = new List<string>();
        foreach (var (table, column) in columns)
        {
            // Identifiers come from the catalog, values are parameters.
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM \"{table}\" WHERE \"{column}\" = ANY($1)", connection);
            count.Parameters.AddWithValue(column == "cert_id" ? certIds.ToArray() : new[] { vaultboxId });
            if ((long)(await count.ExecuteScalarAsync())! > 0)
            {
                found.Add($"{table}.{column}");
            }
        }

        return found;
    }
}
