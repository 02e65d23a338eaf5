using Encimap.Testing;
using Npgsql;

namespace Encimap.Database.Tests;

public sealed class PrivilegeTests
{
    [Fact]
    public async Task Encimap_app_reads_and_writes_data_but_cannot_change_the_schema()
    {
        await using var db = await TestDatabases.CreateAsync();
        await using var connection = new NpgsqlConnection(db.EncimapApp);
        await connection.OpenAsync();

        var id = await Sql.ScalarAsync<Guid>(connection,
            "INSERT INTO vaultboxes (user_id, domain, alias) VALUES (gen_random_uuid(), 'call.example', 'cat') RETURNING id");
        Assert.Equal(1, await Sql.ExecuteAsync(connection, "UPDATE vaultboxes SET name = 'x' WHERE id = $1", id));
        // Identity sequences work for the app.
        Assert.True(await Sql.ScalarAsync<long>(connection, "INSERT INTO mailboxes (vaultbox_id, name, uid_validity) VALUES ($1, 'INBOX', 1) RETURNING id", id) > 0);
        Assert.Equal(1, await Sql.ExecuteAsync(connection, "DELETE FROM vaultboxes WHERE id = $1", id));
        Assert.Equal((long)MigrationSet.Encimap.Migrations.Count, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM schema_migrations"));

        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "CREATE TABLE evil (id int)"));
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "DROP TABLE messages"));
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "ALTER TABLE vaultboxes ADD COLUMN evil int"));
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "TRUNCATE messages"));
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "CREATE SCHEMA evil"));
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "DELETE FROM schema_migrations"));
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "CREATE TEMP TABLE scratch (id int)"));

        // The app has no business in the platform database.
        await using var platform = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.EncimapApp) { Database = db.PlatformDatabase }.ConnectionString);
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => platform.OpenAsync());
    }

    [Fact]
    public async Task Tables_of_later_migrations_are_covered_by_default_privileges()
    {
        await using var db = await TestDatabases.CreateAsync();
        await Sql.ExecuteAsync(db.EncimapOwner, "CREATE TABLE later_feature (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text)");
        await Sql.ExecuteAsync(db.EncimapApp, "INSERT INTO later_feature (note) VALUES ('ok')");
        Assert.Equal(1L, await Sql.ScalarAsync<long>(db.EncimapApp, "SELECT count(*) FROM later_feature"));
    }

    [Fact]
    public async Task Platform_reader_reads_users_domains_and_motor_blocks_only()
    {
        await using var db = await TestDatabases.CreateAsync(new TestDatabaseOptions { SeedDevelopmentData = true });
        await using var connection = new NpgsqlConnection(db.PlatformReader);
        await connection.OpenAsync();

        Assert.Equal(1L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM users"));
        Assert.Equal(2L, await Sql.ScalarAsync<long>(connection, "SELECT count(*) FROM domains"));
        Assert.Equal(DevelopmentSeed.MotorBlockPasswordHash,
            await Sql.ScalarAsync<string>(connection, "SELECT password_hash FROM motor_blocks WHERE username = $1 AND enabled", DevelopmentSeed.MotorBlockUsername));

        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "SELECT count(*) FROM subscriptions"));
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "INSERT INTO users (email) VALUES ('x@y.example')"));
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "UPDATE motor_blocks SET enabled = false"));
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "DELETE FROM domains"));
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => Sql.ExecuteAsync(connection, "CREATE TABLE evil (id int)"));

        await using var encimap = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(db.PlatformReader) { Database = db.EncimapDatabase }.ConnectionString);
        await Sql.FailsWithAsync(PostgresErrorCodes.InsufficientPrivilege, () => encimap.OpenAsync());
    }

    [Fact]
    public async Task Owners_run_ddl_in_their_own_database_only()
    {
        await using var db = await TestDatabases.CreateAsync();
        await Sql.ExecuteAsync(db.PlatformOwner, "CREATE TABLE platform_extra (id int)");
        await Sql.ExecuteAsync(db.EncimapOwner, "CREATE TABLE encimap_extra (id int)");
        var roles = await Sql.ColumnAsync(db.Superuser(),
            "SELECT rolname || ':' || rolsuper || rolcreatedb || rolcreaterole FROM pg_roles WHERE rolname IN ('encimap', 'encimap_app', 'motorical', 'encimap_platform_reader') ORDER BY 1");
        Assert.Equal(["encimap:falsefalsefalse", "encimap_app:falsefalsefalse", "encimap_platform_reader:falsefalsefalse", "motorical:falsefalsefalse"], roles);
        Assert.Equal("encimap", await Sql.ScalarAsync<string>(db.Superuser(), "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", db.EncimapDatabase));
        Assert.Equal("motorical", await Sql.ScalarAsync<string>(db.Superuser(), "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", db.PlatformDatabase));
    }

    [Fact]
    public void Sql_quoting_validates_identifiers_and_escapes_literals()
    {
        Assert.Equal("\"encimap_t17\"", SqlText.QuoteIdentifier("encimap_t17"));
        foreach (var bad in new[] { "", "Encimap", "1abc", "a-b", "a\"b", "a;drop", new string('a', 64) })
        {
            Assert.Throws<ArgumentException>(() => SqlText.QuoteIdentifier(bad));
        }
        Assert.Equal("'it''s'", SqlText.QuoteLiteral("it's"));
        Assert.Equal(" E'a\\\\b'", SqlText.QuoteLiteral("a\\b"));
        Assert.Throws<ArgumentException>(() => SqlText.QuoteLiteral("a\0b"));
    }

    [Fact]
    public async Task Provisioning_is_idempotent_and_passwords_with_quotes_work()
    {
        var superuser = await PostgresTestCluster.GetSuperuserConnectionStringAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var options = new ProvisioningOptions
        {
            EncimapDatabase = $"prov_enc_{suffix}",
            PlatformDatabase = $"prov_plat_{suffix}",
            // Own roles, so that the shared roles' passwords stay as they are.
            EncimapOwnerRole = $"prov_owner_{suffix}",
            EncimapAppRole = $"prov_app_{suffix}",
            PlatformOwnerRole = $"prov_powner_{suffix}",
            PlatformReaderRole = $"prov_reader_{suffix}",
            Passwords = new RolePasswords("it's", "back\\slash", "ünïcödé pässwörd", "plain-Password-1"),
        };
        var provisioner = new DatabaseProvisioner();
        var first = await provisioner.SetUpAsync(superuser, options);
        var second = await provisioner.SetUpAsync(superuser, options);
        Assert.Equal(MigrationSet.Encimap.Migrations.Count, first.EncimapMigrations.Applied.Count);
        Assert.Empty(second.EncimapMigrations.Applied);
        Assert.Empty(second.PlatformMigrations.Applied);

        foreach (var connectionString in new[] { second.Databases.EncimapOwnerConnectionString, second.Databases.EncimapAppConnectionString,
                     second.Databases.PlatformOwnerConnectionString, second.Databases.PlatformReaderConnectionString })
        {
            Assert.Equal(1, await Sql.ScalarAsync<int>(connectionString, "SELECT 1"));
        }
        Assert.DoesNotContain("Password", second.Databases.ToString(), StringComparison.OrdinalIgnoreCase);
        await Assert.ThrowsAsync<ArgumentException>(() => provisioner.ProvisionAsync(superuser, options with { EncimapDatabase = "bad\"name" }));

        await provisioner.DropDatabasesAsync(superuser, options.EncimapDatabase, options.PlatformDatabase);
        await Sql.ExecuteAsync(superuser,
            $"DROP ROLE {SqlText.QuoteIdentifier(options.EncimapAppRole)}, {SqlText.QuoteIdentifier(options.EncimapOwnerRole)}, " +
            $"{SqlText.QuoteIdentifier(options.PlatformReaderRole)}, {SqlText.QuoteIdentifier(options.PlatformOwnerRole)}");
    }
}
