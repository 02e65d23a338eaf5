using Encimap.Testing;

namespace Encimap.Database.Tests;

public sealed class MigrationRunnerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("encimap-migrations-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private MigrationSet WriteSet(params (string File, string Sql)[] files)
    {
        foreach (var (file, sql) in files)
        {
            File.WriteAllText(Path.Combine(_directory, file), sql);
        }
        return MigrationSet.FromDirectory(_directory, "test");
    }

    [Fact]
    public void Embedded_sets_start_with_schema_v1_in_version_order()
    {
        Assert.Equal(1, MigrationSet.Encimap.Migrations[0].Version);
        Assert.Equal("schema_v1", MigrationSet.Encimap.Migrations[0].Name);
        Assert.Equal(1, MigrationSet.Platform.Migrations[0].Version);
        Assert.Equal(MigrationSet.Encimap.Migrations.Select(m => m.Version).Order(), MigrationSet.Encimap.Migrations.Select(m => m.Version));
        Assert.Equal(MigrationSet.Encimap.Migrations.Count, MigrationSet.Encimap.Migrations.Select(m => m.Version).Distinct().Count());
        Assert.Contains("CREATE TABLE vaultboxes", MigrationSet.Encimap.Migrations[0].Sql, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLE motor_blocks", MigrationSet.Platform.Migrations[0].Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Checksum_ignores_line_endings_and_bom()
    {
        Assert.Equal(Migration.ComputeChecksum("SELECT 1;\nSELECT 2;\n"), Migration.ComputeChecksum("\uFEFFSELECT 1;\r\nSELECT 2;\r\n"));
        Assert.NotEqual(Migration.ComputeChecksum("SELECT 1;"), Migration.ComputeChecksum("SELECT 2;"));
    }

    [Theory]
    [InlineData("encimap")]
    [InlineData("platform")]
    public async Task Embedded_migrations_apply_once_and_record_checksums(string set)
    {
        var migrations = set == "encimap" ? MigrationSet.Encimap : MigrationSet.Platform;
        var database = await TestDatabases.CreateEmptyDatabaseAsync("mig");
        var runner = new MigrationRunner();

        var first = await runner.ApplyAsync(database, migrations);
        Assert.Equal(migrations.Migrations.Select(m => m.Version), first.Applied.Select(m => m.Version));
        Assert.Empty(first.AlreadyApplied);

        foreach (var migration in migrations.Migrations)
        {
            var checksum = await Sql.ScalarAsync<string>(database, "SELECT checksum FROM schema_migrations WHERE version = $1", migration.Version);
            Assert.Equal(migration.Checksum, checksum);
            Assert.Matches("^[0-9a-f]{64}$", checksum);
        }

        var second = await runner.ApplyAsync(database, migrations);
        Assert.Empty(second.Applied);
        Assert.Equal(migrations.Migrations.Select(m => m.Version), second.AlreadyApplied);
        Assert.Equal((long)migrations.Migrations.Count, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task New_migrations_apply_in_order_after_applied_ones()
    {
        var database = await TestDatabases.CreateEmptyDatabaseAsync("mig");
        var runner = new MigrationRunner();
        var v1 = WriteSet(("0001_first.sql", "CREATE TABLE a (id int);"));
        Assert.Single((await runner.ApplyAsync(database, v1)).Applied);

        var v3 = WriteSet(("0002_second.sql", "CREATE TABLE b (id int);"), ("0003_third.sql", "ALTER TABLE b ADD COLUMN name text;"));
        var result = await runner.ApplyAsync(database, v3);
        Assert.Equal([2, 3], result.Applied.Select(m => m.Version));
        Assert.Equal([1], result.AlreadyApplied);
        Assert.Equal(0L, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM b WHERE name IS NULL"));
    }

    [Fact]
    public async Task A_changed_checksum_of_an_applied_migration_is_an_error()
    {
        var database = await TestDatabases.CreateEmptyDatabaseAsync("mig");
        var runner = new MigrationRunner();
        var set = WriteSet(("0001_first.sql", "CREATE TABLE a (id int);"));
        await runner.ApplyAsync(database, set);

        // The file changed after it was applied.
        var edited = WriteSet(("0001_first.sql", "CREATE TABLE a (id bigint);"), ("0002_second.sql", "CREATE TABLE b (id int);"));
        var ex = await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(database, edited));
        Assert.Equal(1, ex.Version);
        Assert.Contains("changed", ex.Message, StringComparison.Ordinal);
        // Nothing after it was applied.
        Assert.Null(await Sql.ScalarAsync<object?>(database, "SELECT to_regclass('public.b')::text"));

        // The recorded checksum was tampered with.
        WriteSet(("0001_first.sql", "CREATE TABLE a (id int);"));
        File.Delete(Path.Combine(_directory, "0002_second.sql"));
        await Sql.ExecuteAsync(database, "UPDATE schema_migrations SET checksum = repeat('0', 64) WHERE version = 1");
        await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(database, MigrationSet.FromDirectory(_directory, "test")));
    }

    [Fact]
    public async Task Unknown_applied_versions_and_out_of_order_migrations_are_errors()
    {
        var database = await TestDatabases.CreateEmptyDatabaseAsync("mig");
        var runner = new MigrationRunner();
        await runner.ApplyAsync(database, new MigrationSet("t", [new Migration(1, "a", "SELECT 1;"), new Migration(3, "c", "SELECT 3;")]));

        var older = await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(database, new MigrationSet("t", [new Migration(1, "a", "SELECT 1;")])));
        Assert.Equal(3, older.Version);

        var gap = await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(database,
            new MigrationSet("t", [new Migration(1, "a", "SELECT 1;"), new Migration(2, "b", "SELECT 2;"), new Migration(3, "c", "SELECT 3;")])));
        Assert.Equal(2, gap.Version);

        var renamed = await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(database,
            new MigrationSet("t", [new Migration(1, "renamed", "SELECT 1;"), new Migration(3, "c", "SELECT 3;")])));
        Assert.Equal(1, renamed.Version);
    }

    [Fact]
    public void Duplicate_versions_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new MigrationSet("t", [new Migration(1, "a", ""), new Migration(1, "b", "")]));
        Assert.True(MigrationSet.TryParseFileName("0042_add_things.sql", out var version, out var name));
        Assert.Equal((42, "add_things"), (version, name));
        Assert.False(MigrationSet.TryParseFileName("42_x.sql", out _, out _));
        Assert.False(MigrationSet.TryParseFileName("0001_Bad-Name.sql", out _, out _));
    }

    [Fact]
    public async Task Concurrent_runners_apply_each_migration_once()
    {
        var database = await TestDatabases.CreateEmptyDatabaseAsync("mig");
        var set = new MigrationSet("t",
        [
            new Migration(1, "slow", "SELECT pg_sleep(0.2); CREATE TABLE counter (n int NOT NULL); INSERT INTO counter VALUES (1);"),
            new Migration(2, "bump", "UPDATE counter SET n = n + 1;"),
            new Migration(3, "bump_again", "UPDATE counter SET n = n + 1;"),
        ]);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => new MigrationRunner().ApplyAsync(database, set))));

        Assert.Equal(3, results.Sum(r => r.Applied.Count));
        Assert.Equal([1, 2, 3], results.SelectMany(r => r.Applied).Select(m => m.Version).Order());
        Assert.Equal(3, await Sql.ScalarAsync<int>(database, "SELECT n FROM counter"));
        Assert.Equal(3L, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task A_failing_migration_rolls_back_and_leaves_no_partial_schema()
    {
        var database = await TestDatabases.CreateEmptyDatabaseAsync("mig");
        var runner = new MigrationRunner();
        var set = WriteSet(
            ("0001_good.sql", "CREATE TABLE good (id int);"),
            ("0002_bad.sql", "CREATE TABLE partial (id int);\nCREATE INDEX partial_idx ON partial (id);\nINSERT INTO good VALUES (1);\nSELECT 1 / 0;"),
            ("0003_after.sql", "CREATE TABLE after_bad (id int);"));

        var ex = await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(database, set));
        Assert.Equal(2, ex.Version);
        Assert.Contains("0002_bad.sql", ex.Message, StringComparison.Ordinal);
        Assert.Contains("22012", ex.Message, StringComparison.Ordinal);

        Assert.NotNull(await Sql.ScalarAsync<object?>(database, "SELECT to_regclass('public.good')::text"));
        Assert.Null(await Sql.ScalarAsync<object?>(database, "SELECT to_regclass('public.partial')::text"));
        Assert.Null(await Sql.ScalarAsync<object?>(database, "SELECT to_regclass('public.partial_idx')::text"));
        Assert.Null(await Sql.ScalarAsync<object?>(database, "SELECT to_regclass('public.after_bad')::text"));
        Assert.Equal(0L, await Sql.ScalarAsync<long>(database, "SELECT count(*) FROM good"));
        Assert.Equal([1], (await Sql.ColumnAsync(database, "SELECT version::text FROM schema_migrations")).Select(int.Parse));

        // Fixed, it applies from where it stopped.
        WriteSet(("0002_bad.sql", "CREATE TABLE partial (id int);"));
        var fixedResult = await runner.ApplyAsync(database, MigrationSet.FromDirectory(_directory, "test"));
        Assert.Equal([2, 3], fixedResult.Applied.Select(m => m.Version));
    }
}
