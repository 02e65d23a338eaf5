using System.Security.Cryptography;
using Encimap.Mime;
using Encimap.Testing;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Database.Tests;

/// <summary>
/// A large message's DER in message_chunks (migration 0017): stored as the intake stores it (a
/// deliver_message call and one INSERT per chunk in one batch), served whole by message_bytes,
/// checked at the commit, gone with its message, and never left behind by a duplicate or a
/// failed delivery; and the body of a large message stored as it came, in raw chunks (migration 0019).
/// </summary>
public sealed class MessageChunkTests
{
    private static readonly byte[] Head = "Subject: large\r\n\r\n"u8.ToArray();

    // The statement the intake sends after deliver_message for each chunk (MessageStore).
    private const string ChunkInsert =
        """
        INSERT INTO message_chunks (message_id, seq, data)
        SELECT d.id, $1, $2
        FROM (SELECT nullif(current_setting('encimap.delivered_message_id', true), '')::bigint) AS d (id)
        WHERE d.id IS NOT NULL
        """;

    [Fact]
    public async Task A_message_delivered_in_chunks_is_served_whole_and_a_duplicate_leaves_no_chunk()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();
        var box = await CreateVaultboxAsync(connection);
        var der = RandomNumberGenerator.GetBytes(57 * 250 + 20);
        var chunks = Split(der, 57 * 100);
        Assert.Equal(3, chunks.Count);

        Assert.Equal(("stored", 1L), await DeliverAsync(connection, box, der.Length, chunks, dedupKey: [1]));
        Assert.Equal(Served(der), await Sql.ScalarAsync<byte[]>(connection, "SELECT message_bytes(m) FROM messages m WHERE vaultbox_id = $1", box));
        Assert.Equal(der, await Sql.ScalarAsync<byte[]>(connection, "SELECT message_der(m) FROM messages m WHERE vaultbox_id = $1", box));
        Assert.Equal(3L, await CountChunksAsync(connection));

        // The same delivery again: a duplicate; its chunks went to the server and were dropped.
        Assert.Equal(("duplicate", 1L), await DeliverAsync(connection, box, der.Length, chunks, dedupKey: [1]));
        Assert.Equal(3L, await CountChunksAsync(connection));

        // Two deliveries in one batch (a group commit): each chunk goes with its own message.
        var other = RandomNumberGenerator.GetBytes(57 * 130);
        await using (var batch = new NpgsqlBatch(connection))
        {
            AddDelivery(batch, box, other.Length, Split(other, 57 * 100), dedupKey: [2]);
            AddDelivery(batch, box, der.Length, chunks, dedupKey: [3]);
            await batch.ExecuteNonQueryAsync();
        }

        Assert.Equal(Served(other), await Sql.ScalarAsync<byte[]>(connection, "SELECT message_bytes(m) FROM messages m WHERE vaultbox_id = $1 AND uid = 2", box));
        Assert.Equal(Served(der), await Sql.ScalarAsync<byte[]>(connection, "SELECT message_bytes(m) FROM messages m WHERE vaultbox_id = $1 AND uid = 3", box));
        Assert.Equal(8L, await CountChunksAsync(connection));

        // An expunge (a hard DELETE) takes the chunks with the message.
        await Sql.ExecuteAsync(connection, "DELETE FROM messages WHERE vaultbox_id = $1 AND uid = 3", box);
        Assert.Equal(5L, await CountChunksAsync(connection));
    }

    [Fact]
    public async Task A_delivery_whose_chunks_do_not_make_its_der_stores_nothing()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();
        var box = await CreateVaultboxAsync(connection);
        var der = RandomNumberGenerator.GetBytes(57 * 250 + 20);
        var chunks = Split(der, 57 * 100);

        // A chunk missing, one chunk too many bytes, a chunk that is not the last and ends within
        // a base64 line, a gap in the sequence: refused at the commit, and nothing of it stays.
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => DeliverAsync(connection, box, der.Length, chunks[..2], dedupKey: [1]));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => DeliverAsync(connection, box, der.Length - 1, chunks, dedupKey: [1]));
        var ragged = new List<byte[]> { der[..5000], der[5000..] };
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => DeliverAsync(connection, box, der.Length, ragged, dedupKey: [1]));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => DeliverAsync(connection, box, der.Length, chunks, dedupKey: [1], firstSeq: 1));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM messages"));
        Assert.Equal(0L, await CountChunksAsync(connection));
        Assert.Equal(1L, await Sql.ScalarAsync<long>(connection, "SELECT uid_next FROM mailboxes WHERE vaultbox_id = $1", box));

        // Stored, a chunk can be neither taken away nor changed in length.
        Assert.Equal(("stored", 1L), await DeliverAsync(connection, box, der.Length, chunks, dedupKey: [1]));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, "DELETE FROM message_chunks WHERE seq = 1"));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, "UPDATE message_chunks SET data = data || '\\x00'::bytea WHERE seq = 2"));
        // The DER is in one place only, and the served size counts the chunked DER.
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, "UPDATE messages SET content_der = '\\x01'"));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, "UPDATE messages SET size_bytes = size_bytes + 1"));
        Assert.Equal(Served(der), await Sql.ScalarAsync<byte[]>(connection, "SELECT message_bytes(m) FROM messages m"));
    }

    [Fact]
    public async Task Messages_stored_before_chunks_are_served_as_before()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();
        var box = await CreateVaultboxAsync(connection);
        var mailbox = await Sql.ScalarAsync<long>(connection, "SELECT id FROM mailboxes WHERE vaultbox_id = $1", box);
        var der = RandomNumberGenerator.GetBytes(1000);
        await Sql.ExecuteAsync(connection,
            "INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, content, content_der) VALUES ($1, $2, 1, 1, $3, $4, $5)",
            box, mailbox, Served(der).Length, Head, der);
        await Sql.ExecuteAsync(connection,
            "INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, content) VALUES ($1, $2, 2, 1, $3, $4)",
            box, mailbox, Head.Length, Head);

        Assert.Equal(Served(der), await Sql.ScalarAsync<byte[]>(connection, "SELECT message_bytes(m) FROM messages m WHERE uid = 1"));
        Assert.Equal(der, await Sql.ScalarAsync<byte[]>(connection, "SELECT message_der(m) FROM messages m WHERE uid = 1"));
        Assert.Equal(Head, await Sql.ScalarAsync<byte[]>(connection, "SELECT message_bytes(m) FROM messages m WHERE uid = 2"));
        Assert.Null(await Sql.ScalarAsync<byte[]?>(connection, "SELECT message_der(m) FROM messages m WHERE uid = 2"));

        // An intake of the previous release, during a rolling upgrade, calls deliver_message as
        // before (the DER whole): stored in content_der, served the same.
        await Sql.ExecuteAsync(connection, "UPDATE mailboxes SET uid_next = 3 WHERE id = $1", mailbox);
        Assert.Equal(3L, await Sql.ScalarAsync<long>(connection,
            """
            SELECT uid FROM deliver_message($1, 'INBOX', NULL, false, 'rsa', '\x07', interval '1 day', NULL, NULL, NULL, NULL,
                NULL, NULL, $2, $3, $4, NULL, NULL, NULL, NULL, 1, 0, 'encimap_mail')
            """, box, Head, der, Served(der).Length));
        Assert.Equal(Served(der), await Sql.ScalarAsync<byte[]>(connection, "SELECT message_bytes(m) FROM messages m WHERE uid = 3 AND content_der IS NOT NULL"));
    }

    [Fact]
    public async Task A_body_delivered_in_chunks_as_it_came_is_served_as_it_is_copied_and_checked()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();
        var box = await CreateVaultboxAsync(connection);
        await Sql.ExecuteAsync(connection, "INSERT INTO mailboxes (vaultbox_id, name, uid_validity) VALUES ($1, 'Archive', 2)", box);
        // Raw bytes: chunks of any length, no base64 lines to keep whole (migration 0019).
        var body = RandomNumberGenerator.GetBytes(10_000);
        var chunks = new List<byte[]> { body[..4001], body[4001..8000], body[8000..] };

        // Chunks that do not make the recorded length, or with a gap: refused, nothing stays.
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => DeliverBodyAsync(connection, box, body.Length + 1, chunks, dedupKey: [1]));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => DeliverBodyAsync(connection, box, body.Length, chunks[..2], dedupKey: [1]));
        Assert.Equal(0L, await CountChunksAsync(connection));

        Assert.Equal(("stored", 1L), await DeliverBodyAsync(connection, box, body.Length, chunks, dedupKey: [1]));
        var served = Head.Concat(body).ToArray();
        Assert.Equal(served, await Sql.ScalarAsync<byte[]>(connection, "SELECT message_bytes(m) FROM messages m WHERE uid = 1"));
        Assert.Null(await Sql.ScalarAsync<byte[]?>(connection, "SELECT message_der(m) FROM messages m WHERE uid = 1"));
        Assert.Equal(3L, await CountChunksAsync(connection));

        // A duplicate's chunks are dropped; a body is in one form only, and counts in the size.
        Assert.Equal(("duplicate", 1L), await DeliverBodyAsync(connection, box, body.Length, chunks, dedupKey: [1]));
        Assert.Equal(3L, await CountChunksAsync(connection));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, "UPDATE messages SET content_der = '\\x01'"));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, "UPDATE messages SET size_bytes = size_bytes + 1"));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, "DELETE FROM message_chunks WHERE seq = 1"));

        // COPY copies the chunks in the server; deleting either message takes only its own.
        var inbox = await Sql.ScalarAsync<long>(connection, "SELECT id FROM mailboxes WHERE vaultbox_id = $1 AND name = 'INBOX'", box);
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await Sql.ExecuteAsync(connection, "SELECT lock_vaultbox_mail($1)", box);
            await Sql.ExecuteAsync(connection, "SELECT * FROM transfer_messages($1, $2, 'Archive', '{1}', '{1}', false, 'encimap_mail')", box, inbox);
            await transaction.CommitAsync();
        }

        Assert.Equal(served, await Sql.ScalarAsync<byte[]>(connection,
            "SELECT message_bytes(m) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.name = 'Archive'"));
        Assert.Equal(6L, await CountChunksAsync(connection));
        await Sql.ExecuteAsync(connection, "DELETE FROM messages WHERE mailbox_id = $1", inbox);
        Assert.Equal(3L, await CountChunksAsync(connection));
        Assert.Equal(served, await Sql.ScalarAsync<byte[]>(connection, "SELECT message_bytes(m) FROM messages m"));
    }

    private static async Task<(string Outcome, long Uid)> DeliverBodyAsync(
        NpgsqlConnection connection, Guid box, long bodyLength, IReadOnlyList<byte[]> chunks, byte[] dedupKey)
    {
        await using var batch = new NpgsqlBatch(connection);
        var deliver = new NpgsqlBatchCommand(
            """
            SELECT outcome, mailbox_id, uid FROM deliver_message($1, 'INBOX', NULL, false, 'rsa', $2, interval '1 day', NULL, NULL, NULL, NULL,
                NULL, NULL, $3, NULL, NULL, $4, $5, NULL, NULL, NULL, NULL, 1, 0, 'encimap_mail')
            """);
        deliver.Parameters.Add(new NpgsqlParameter { Value = box });
        deliver.Parameters.Add(new NpgsqlParameter { Value = dedupKey });
        deliver.Parameters.Add(new NpgsqlParameter { Value = Head });
        deliver.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = bodyLength });
        deliver.Parameters.Add(new NpgsqlParameter { Value = checked(Head.Length + (int)bodyLength) });
        batch.BatchCommands.Add(deliver);
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = new NpgsqlBatchCommand(ChunkInsert);
            chunk.Parameters.Add(new NpgsqlParameter { Value = i });
            chunk.Parameters.Add(new NpgsqlParameter { Value = chunks[i] });
            batch.BatchCommands.Add(chunk);
        }

        await using var reader = await batch.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var result = (reader.GetString(0), reader.GetInt64(2));
        while (await reader.NextResultAsync())
        {
        }

        return result;
    }

    private static async Task<Guid> CreateVaultboxAsync(NpgsqlConnection connection)
    {
        var box = await Sql.ScalarAsync<Guid>(connection,
            "INSERT INTO vaultboxes (user_id, domain, alias, name) VALUES (gen_random_uuid(), 'call.example', 'cat', 'box') RETURNING id");
        await Sql.ExecuteAsync(connection, "INSERT INTO mailboxes (vaultbox_id, name, uid_validity) VALUES ($1, 'INBOX', 1)", box);
        return box;
    }

    private static async Task<(string Outcome, long Uid)> DeliverAsync(
        NpgsqlConnection connection, Guid box, long derLength, IReadOnlyList<byte[]> chunks, byte[] dedupKey, int firstSeq = 0)
    {
        await using var batch = new NpgsqlBatch(connection);
        AddDelivery(batch, box, derLength, chunks, dedupKey, firstSeq);
        await using var reader = await batch.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var result = (reader.GetString(0), reader.GetInt64(2));
        while (await reader.NextResultAsync())
        {
        }

        return result;
    }

    private static void AddDelivery(NpgsqlBatch batch, Guid box, long derLength, IReadOnlyList<byte[]> chunks, byte[] dedupKey, int firstSeq = 0)
    {
        var deliver = new NpgsqlBatchCommand(
            """
            SELECT outcome, mailbox_id, uid FROM deliver_message($1, 'INBOX', NULL, false, 'rsa', $2, interval '1 day', NULL, NULL, NULL, NULL,
                NULL, NULL, $3, NULL, $4, $5, NULL, NULL, NULL, NULL, 1, 0, 'encimap_mail')
            """);
        deliver.Parameters.Add(new NpgsqlParameter { Value = box });
        deliver.Parameters.Add(new NpgsqlParameter { Value = dedupKey });
        deliver.Parameters.Add(new NpgsqlParameter { Value = Head });
        deliver.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint, Value = derLength });
        deliver.Parameters.Add(new NpgsqlParameter { Value = checked(Head.Length + (int)Base64Lines.EncodedLength(derLength)) });
        batch.BatchCommands.Add(deliver);
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = new NpgsqlBatchCommand(ChunkInsert);
            chunk.Parameters.Add(new NpgsqlParameter { Value = firstSeq + i });
            chunk.Parameters.Add(new NpgsqlParameter { Value = chunks[i] });
            batch.BatchCommands.Add(chunk);
        }
    }

    private static List<byte[]> Split(byte[] der, int size) =>
        Enumerable.Range(0, (der.Length + size - 1) / size).Select(i => der[(i * size)..Math.Min(der.Length, (i + 1) * size)]).ToList();

    private static byte[] Served(byte[] der)
    {
        var served = new byte[Head.Length + Base64Lines.EncodedLength(der.Length)];
        Head.CopyTo(served, 0);
        Base64Lines.Encode(der, served.AsSpan(Head.Length));
        return served;
    }

    private static Task<long> CountChunksAsync(NpgsqlConnection connection) =>
        Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM message_chunks");
}
