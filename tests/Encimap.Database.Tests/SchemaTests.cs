using System.Runtime.InteropServices;
using Encimap.Mime;
using Encimap.Testing;
using Npgsql;

namespace Encimap.Database.Tests;

public sealed class SchemaTests
{
    private const string BcryptHash = "$2b$10$3jL5Yy./o67PDvSmJdmjseWT6KIJEQIL30vvxgZaptx7LwHxxwg3O";

    // Tables of a domain rather than of a vaultbox: a domain's DKIM key signs for all of its
    // vaultboxes and stays published in its DNS when one of them goes.
    private static readonly string[] DomainTables = ["dkim_keys"];

    private static async Task<Guid> InsertVaultboxAsync(NpgsqlConnection connection, string alias, string domain, string? username = null)
    {
        return await Sql.ScalarAsync<Guid>(connection,
            "INSERT INTO vaultboxes (user_id, domain, alias, name, username) VALUES (gen_random_uuid(), $1, $2, 'box', $3) RETURNING id",
            domain, alias, username);
    }

    [Fact]
    public async Task Alias_at_domain_is_unique_case_insensitively_and_stored_lower_case()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();

        await InsertVaultboxAsync(connection, "cat", "call.example");
        await Sql.FailsWithAsync(PostgresErrorCodes.UniqueViolation, () => InsertVaultboxAsync(connection, "cat", "call.example"));
        // Mixed case never gets in: the lower-case checks reject it before uniqueness is even considered.
        var mixed = await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => InsertVaultboxAsync(connection, "Cat", "Call.example"));
        Assert.StartsWith("vaultboxes_", mixed.ConstraintName, StringComparison.Ordinal);
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => InsertVaultboxAsync(connection, "fox", "Call.example"));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => InsertVaultboxAsync(connection, "a@b", "call.example"));

        // And the unique index itself compares lower(), so relaxing the check would not open a hole.
        var definition = await Sql.ScalarAsync<string>(connection, "SELECT indexdef FROM pg_indexes WHERE indexname = 'vaultboxes_address_key'");
        Assert.Contains("lower(alias)", definition, StringComparison.Ordinal);
        Assert.Contains("lower(domain)", definition, StringComparison.Ordinal);
        Assert.Contains("UNIQUE", definition, StringComparison.Ordinal);

        await InsertVaultboxAsync(connection, "fox", "call.example");
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () =>
            Sql.ExecuteAsync(connection, "INSERT INTO mail_routes (address, vaultbox_id) SELECT 'Cat@call.example', id FROM vaultboxes LIMIT 1"));
    }

    [Fact]
    public async Task Imap_and_smtp_credentials_share_the_vaultbox_username_which_is_unique()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();
        var a = await InsertVaultboxAsync(connection, "cat", "call.example", "encimap-call-example-abc123");
        var b = await InsertVaultboxAsync(connection, "fox", "call.example");

        await Sql.ExecuteAsync(connection, "INSERT INTO imap_app_credentials (vaultbox_id, username, password_hash) VALUES ($1, $2, $3)", a, "encimap-call-example-abc123", BcryptHash);
        await Sql.ExecuteAsync(connection, "INSERT INTO vaultbox_smtp_credentials (vaultbox_id, username, password_hash) VALUES ($1, $2, $3)", a, "encimap-call-example-abc123", BcryptHash);
        // SMTP under another name than IMAP: refused.
        await Sql.ExecuteAsync(connection, "DELETE FROM vaultbox_smtp_credentials WHERE vaultbox_id = $1", a);
        await Sql.FailsWithAsync(PostgresErrorCodes.ForeignKeyViolation, () =>
            Sql.ExecuteAsync(connection, "INSERT INTO vaultbox_smtp_credentials (vaultbox_id, username, password_hash) VALUES ($1, $2, $3)", a, "other-name", BcryptHash));
        // Another vaultbox cannot take the name.
        await Sql.FailsWithAsync(PostgresErrorCodes.UniqueViolation, () =>
            Sql.ExecuteAsync(connection, "UPDATE vaultboxes SET username = $2 WHERE id = $1", b, "encimap-call-example-abc123"));
        // The name cannot change under existing credentials.
        await Sql.FailsWithAsync(PostgresErrorCodes.ForeignKeyViolation, () =>
            Sql.ExecuteAsync(connection, "UPDATE vaultboxes SET username = 'renamed' WHERE id = $1", a));
        // Never a plaintext password.
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () =>
            Sql.ExecuteAsync(connection, "UPDATE imap_app_credentials SET password_hash = 'hunter2' WHERE vaultbox_id = $1", a));
    }

    [Fact]
    public async Task A_message_stored_as_header_and_der_is_served_as_the_base64_lines_the_servers_write()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();
        var head = "Subject: x\r\n\r\n"u8.ToArray();
        var lengths = Enumerable.Range(1, 130).Concat([57 * 40, 57 * 40 + 1, 100_003]);
        foreach (var length in lengths)
        {
            var der = new byte[length];
            Random.Shared.NextBytes(der);
            var expected = new byte[head.Length + Base64Lines.EncodedLength(length)];
            head.CopyTo(expected, 0);
            Base64Lines.Encode(der, expected.AsSpan(head.Length));
            Assert.Equal(expected, await Sql.ScalarAsync<byte[]>(connection, "SELECT message_bytes($1, $2)", head, der));
            Assert.Equal(Base64Lines.EncodedLength(length), await Sql.ScalarAsync<long>(connection, "SELECT base64_lines_length($1)", (long)length));
        }

        Assert.Equal(head, await Sql.ScalarAsync<byte[]>(connection, "SELECT message_bytes($1, NULL)", head));

        // size_bytes is the size of what is served, header and base64 lines together.
        var box = await InsertVaultboxAsync(connection, "cat", "call.example");
        var inbox = await Sql.ScalarAsync<long>(connection, "INSERT INTO mailboxes (vaultbox_id, name, uid_validity) VALUES ($1, 'INBOX', 1) RETURNING id", box);
        const string insert = "INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, content, content_der) VALUES ($1, $2, $3, 1, $4, $5, $6)";
        var uid = 1L;
        foreach (var length in new[] { 1, 2, 3, 4, 56, 57, 58, 100, 114, 115, 100_003 })
        {
            var der = new byte[length];
            var served = head.Length + (int)Base64Lines.EncodedLength(length);
            await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, insert, box, inbox, uid, served - 1, head, der));
            await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, insert, box, inbox, uid, served + 1, head, der));
            await Sql.ExecuteAsync(connection, insert, box, inbox, uid++, served, head, der);
        }

        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, insert, box, inbox, uid, head.Length + 100, head, new byte[100]));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, insert, box, inbox, uid, head.Length, head, Array.Empty<byte>()));
        // Without DER, the size is the content's.
        await Sql.ExecuteAsync(connection, insert, box, inbox, uid, head.Length, head, null);
    }

    [Fact]
    public async Task Messages_stay_in_their_vaultbox_and_keep_imap_invariants()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();
        var a = await InsertVaultboxAsync(connection, "cat", "call.example");
        var b = await InsertVaultboxAsync(connection, "fox", "call.example");
        var inboxA = await Sql.ScalarAsync<long>(connection, "INSERT INTO mailboxes (vaultbox_id, name, uid_validity) VALUES ($1, 'INBOX', 1) RETURNING id", a);

        const string insert = "INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, content, dedup_key) VALUES ($1, $2, $3, 1, $4, $5, $6)";
        byte[] content = [1, 2, 3];
        await Sql.ExecuteAsync(connection, insert, a, inboxA, 1L, 3, content, new byte[] { 9 });
        // A message of vaultbox B in a folder of vaultbox A: refused.
        await Sql.FailsWithAsync(PostgresErrorCodes.ForeignKeyViolation, () => Sql.ExecuteAsync(connection, insert, b, inboxA, 2L, 3, content, null));
        // Same UID twice in a folder, UID 0, a size that is not the content's, the same delivery twice.
        await Sql.FailsWithAsync(PostgresErrorCodes.UniqueViolation, () => Sql.ExecuteAsync(connection, insert, a, inboxA, 1L, 3, content, null));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, insert, a, inboxA, 0L, 3, content, null));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection, insert, a, inboxA, 3L, 4, content, null));
        await Sql.FailsWithAsync(PostgresErrorCodes.UniqueViolation, () => Sql.ExecuteAsync(connection, insert, a, inboxA, 4L, 3, content, new byte[] { 9 }));
        // Without a dedup key, any number of copies.
        await Sql.ExecuteAsync(connection, insert, a, inboxA, 5L, 3, content, null);
        await Sql.ExecuteAsync(connection, insert, a, inboxA, 6L, 3, content, null);

        // The outbound queue names exactly one sender.
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () => Sql.ExecuteAsync(connection,
            "INSERT INTO outbound_messages (envelope_from, recipients, content) VALUES ('a@call.example', '{b@x.example}', '\\x01')"));
        await Sql.ExecuteAsync(connection,
            "INSERT INTO outbound_messages (vaultbox_id, envelope_from, recipients, content) VALUES ($1, 'cat@call.example', '{b@x.example}', '\\x01')", a);
    }

    [Fact]
    public async Task A_new_mailbox_uid_validity_is_above_every_earlier_one_of_its_vaultbox()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();
        var a = await InsertVaultboxAsync(connection, "cat", "call.example");
        var b = await InsertVaultboxAsync(connection, "fox", "call.example");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        // Within one second, each call still gives a larger value (RFC 3501 §2.3.1.1).
        var first = await Sql.ScalarAsync<long>(connection, "SELECT next_uid_validity($1)", a);
        var second = await Sql.ScalarAsync<long>(connection, "SELECT next_uid_validity($1)", a);
        Assert.InRange(first, now, now + 60);
        Assert.Equal(first + 1, second);

        // Above the mailboxes the vaultbox already has, whoever created them.
        await Sql.ExecuteAsync(connection, "INSERT INTO mailboxes (vaultbox_id, name, uid_validity) VALUES ($1, 'INBOX', 4000000000)", b);
        Assert.Equal(4000000001L, await Sql.ScalarAsync<long>(connection, "SELECT next_uid_validity($1)", b));
        Assert.Equal(second + 1, await Sql.ScalarAsync<long>(connection, "SELECT next_uid_validity($1)", a));
    }

    [Fact]
    public async Task Updated_at_follows_updates()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();
        var id = await InsertVaultboxAsync(connection, "cat", "call.example");
        var before = await Sql.ScalarAsync<DateTime>(connection, "SELECT updated_at FROM vaultboxes WHERE id = $1", id);
        await Task.Delay(20);
        await Sql.ExecuteAsync(connection, "UPDATE vaultboxes SET name = 'renamed' WHERE id = $1", id);
        var after = await Sql.ScalarAsync<DateTime>(connection, "SELECT updated_at FROM vaultboxes WHERE id = $1", id);
        Assert.True(after > before);
    }

    /// <summary>
    /// Every table of the Encimap schema (but the migration history) must belong to a vaultbox
    /// through foreign keys that all cascade, so that a new table without ON DELETE CASCADE is
    /// caught here.
    /// </summary>
    [Fact]
    public async Task Every_table_reaches_vaultboxes_through_cascading_foreign_keys()
    {
        await using var db = await TestDatabases.CreateAsync();
        var tables = await Sql.ColumnAsync(db.EncimapOwner,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1");
        var edges = new List<(string Table, string Referenced, string DeleteRule)>();
        foreach (var row in await Sql.ColumnAsync(db.EncimapOwner,
                     """
                     SELECT DISTINCT fk.table_name || ' ' || pk.table_name || ' ' || rc.delete_rule
                     FROM information_schema.referential_constraints rc
                     JOIN information_schema.table_constraints fk
                       ON fk.constraint_schema = rc.constraint_schema AND fk.constraint_name = rc.constraint_name
                     JOIN information_schema.table_constraints pk
                       ON pk.constraint_schema = rc.unique_constraint_schema AND pk.constraint_name = rc.unique_constraint_name
                     WHERE rc.constraint_schema = 'public'
                     """))
        {
            var parts = row.Split(' ', 3);
            edges.Add((parts[0], parts[1], parts[2]));
        }

        Assert.Contains("vaultboxes", tables);
        var owned = new HashSet<string> { "vaultboxes" };
        bool changed;
        do
        {
            changed = false;
            foreach (var (table, referenced, rule) in edges)
            {
                if (rule == "CASCADE" && owned.Contains(referenced) && owned.Add(table))
                {
                    changed = true;
                }
            }
        }
        while (changed);

        var notOwned = tables.Except(owned).Except(["schema_migrations", .. DomainTables]).ToList();
        Assert.True(notOwned.Count == 0, "Tables that a vaultbox deletion would not clean up: " + string.Join(", ", notOwned));
        var notCascading = edges.Where(e => owned.Contains(e.Referenced) && e.DeleteRule != "CASCADE").ToList();
        Assert.True(notCascading.Count == 0, "Foreign keys to vaultbox data without ON DELETE CASCADE: " + string.Join(", ", notCascading));
    }

    [Fact]
    public async Task Deleting_a_vaultbox_deletes_everything_it_has_and_nothing_else()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();
        var boxes = new[]
        {
            await InsertVaultboxAsync(connection, "cat", "call.example", "encimap-call-example-aaaaaa"),
            await InsertVaultboxAsync(connection, "fox", "call.example", "encimap-call-example-bbbbbb"),
        };
        var i = 0;
        foreach (var box in boxes)
        {
            i++;
            var username = await Sql.ScalarAsync<string>(connection, "SELECT username FROM vaultboxes WHERE id = $1", box);
            await Sql.ExecuteAsync(connection, "INSERT INTO mail_routes (address, vaultbox_id) SELECT alias || '@' || domain, id FROM vaultboxes WHERE id = $1", box);
            await Sql.ExecuteAsync(connection, "INSERT INTO imap_app_credentials (vaultbox_id, username, password_hash) VALUES ($1, $2, $3)", box, username, BcryptHash);
            await Sql.ExecuteAsync(connection, "INSERT INTO vaultbox_smtp_credentials (vaultbox_id, username, password_hash) VALUES ($1, $2, $3)", box, username, BcryptHash);
            var cert = await Sql.ScalarAsync<Guid>(connection,
                """
                INSERT INTO vaultbox_certs (vaultbox_id, certificate_der, serial_number, thumbprint_sha256, subject, not_before, not_after)
                VALUES ($1, '\x3082', $2, $3, 'CN=x', now(), now() + interval '365 days') RETURNING id
                """, box, $"0{i}", new string((char)('0' + i), 64));
            await Sql.ExecuteAsync(connection,
                "INSERT INTO vaultbox_private_keys (cert_id, kek_id, algorithm, nonce, ciphertext, tag) VALUES ($1, 'kek-1', 'AES-256-GCM', '\\x01', '\\x02', '\\x03')", cert);
            var mailbox = await Sql.ScalarAsync<long>(connection, "INSERT INTO mailboxes (vaultbox_id, name, uid_validity) VALUES ($1, 'INBOX', 1) RETURNING id", box);
            // A message whose DER is in chunks (one chunk of one base64 line): the header's 2 bytes and 78 of base64.
            await Sql.ExecuteAsync(connection,
                """
                WITH m AS (INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, content, chunked_der_length)
                           VALUES ($1, $2, 1, 1, 80, '\x0102', 57) RETURNING id)
                INSERT INTO message_chunks (message_id, seq, data) SELECT id, 0, $3 FROM m
                """, box, mailbox, new byte[57]);
            await Sql.ExecuteAsync(connection, "INSERT INTO detached_subscriptions (vaultbox_id, name) VALUES ($1, 'Gone')", box);
            await Sql.ExecuteAsync(connection, "INSERT INTO expunged_messages (mailbox_id, uid, modseq) VALUES ($1, 2, 2)", mailbox);
            await Sql.ExecuteAsync(connection, "SELECT next_uid_validity($1)", box);
            await Sql.ExecuteAsync(connection, "INSERT INTO email_processing_logs (vaultbox_id, outcome, size_bytes, duration_ms) VALUES ($1, 'stored', 2, 1)", box);
            await Sql.ExecuteAsync(connection,
                "INSERT INTO outbound_messages (vaultbox_id, envelope_from, recipients, content) VALUES ($1, 'x@call.example', '{y@example.net}', '\\x01')", box);
        }

        var tables = await Sql.ColumnAsync(db.EncimapOwner,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations' AND NOT (table_name = ANY($1))",
            (object)DomainTables);
        var before = new Dictionary<string, long>();
        foreach (var table in tables)
        {
            before[table] = await Sql.ScalarAsync<long>(connection, $"SELECT count(*) FROM {SqlText.QuoteIdentifier(table)}");
            // Every table got data for both vaultboxes: a new table must be added to this test.
            Assert.True(before[table] == 2, $"Table {table} has {before[table]} rows; give it one row per vaultbox in this test.");
        }

        Assert.Equal(1, await Sql.ExecuteAsync(connection, "DELETE FROM vaultboxes WHERE id = $1", boxes[0]));

        foreach (var table in tables)
        {
            var after = await Sql.ScalarAsync<long>(connection, $"SELECT count(*) FROM {SqlText.QuoteIdentifier(table)}");
            Assert.True(after == 1, $"Table {table}: {after} rows after deleting one of two vaultboxes, expected 1.");
        }
    }

    [Fact]
    public async Task Platform_schema_keeps_its_invariants_and_the_seed_is_idempotent()
    {
        await using var db = await TestDatabases.CreateAsync();
        Assert.Equal(4, await DevelopmentSeed.ApplyAsync(db.PlatformOwner));
        Assert.Equal(0, await DevelopmentSeed.ApplyAsync(db.PlatformOwner));

        await using var connection = new NpgsqlConnection(db.PlatformOwner);
        await connection.OpenAsync();
        Assert.Equal("verified", await Sql.ScalarAsync<string>(connection, "SELECT verification_status FROM domains WHERE domain = $1", DevelopmentSeed.VerifiedDomain));
        Assert.Equal("pending", await Sql.ScalarAsync<string>(connection, "SELECT verification_status FROM domains WHERE domain = $1", DevelopmentSeed.UnverifiedDomain));
        Assert.StartsWith("$2b$", await Sql.ScalarAsync<string>(connection, "SELECT password_hash FROM motor_blocks WHERE username = $1", DevelopmentSeed.MotorBlockUsername), StringComparison.Ordinal);

        await Sql.FailsWithAsync(PostgresErrorCodes.UniqueViolation, () =>
            Sql.ExecuteAsync(connection, "INSERT INTO domains (user_id, domain) VALUES ($1, 'CALL.example')", DevelopmentSeed.UserId));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () =>
            Sql.ExecuteAsync(connection, "INSERT INTO domains (user_id, domain, verification_status) VALUES ($1, 'new.example', 'maybe')", DevelopmentSeed.UserId));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () =>
            Sql.ExecuteAsync(connection, "INSERT INTO users (email) VALUES ('Someone@Example.com')"));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () =>
            Sql.ExecuteAsync(connection, "INSERT INTO motor_blocks (user_id, username, password_hash) VALUES ($1, 'mb2', 'plaintext')", DevelopmentSeed.UserId));
        await Sql.FailsWithAsync(PostgresErrorCodes.CheckViolation, () =>
            Sql.ExecuteAsync(connection, "INSERT INTO motor_blocks (user_id, username, password_hash, rate_limit_per_hour) VALUES ($1, 'mb3', $2, 0)", DevelopmentSeed.UserId, BcryptHash));

        // A user's platform rows go with the user.
        await Sql.ExecuteAsync(connection, "INSERT INTO subscriptions (user_id, plan, status) VALUES ($1, 'pro', 'active')", DevelopmentSeed.UserId);
        await Sql.ExecuteAsync(connection, "DELETE FROM users WHERE id = $1", DevelopmentSeed.UserId);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(connection, "SELECT (SELECT count(*) FROM domains) + (SELECT count(*) FROM motor_blocks) + (SELECT count(*) FROM subscriptions)"));
    }

    [Fact]
    public void Seeded_motor_block_hash_matches_the_documented_password()
    {
        // The hash must be the documented password's, or development logins fail mysteriously.
        // libxcrypt is what the services verify bcrypt with (DESIGN "Password hashes").
        var hash = Marshal.PtrToStringAnsi(Crypt(DevelopmentSeed.MotorBlockPassword, DevelopmentSeed.MotorBlockPasswordHash));
        Assert.Equal(DevelopmentSeed.MotorBlockPasswordHash, hash);
        Assert.NotEqual(DevelopmentSeed.MotorBlockPasswordHash, Marshal.PtrToStringAnsi(Crypt("wrong", DevelopmentSeed.MotorBlockPasswordHash)));
    }

    [DllImport("libcrypt.so.1", EntryPoint = "crypt", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr Crypt(string key, string setting);
}
