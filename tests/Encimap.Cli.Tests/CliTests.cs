using System.Text.Json;
using Encimap.Database;
using Encimap.Passwords;
using Encimap.ServiceDefaults.Security;
using Encimap.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Npgsql;

namespace Encimap.Cli.Tests;

public sealed class MigrateTests
{
    [Fact]
    public async Task Migrate_applies_both_sets_once_and_is_idempotent()
    {
        var encimap = await TestDatabases.CreateEmptyDatabaseAsync("cli_enc");
        var platform = await TestDatabases.CreateEmptyDatabaseAsync("cli_plat");

        var first = await EncimapCtl.RunAsync("migrate", "--encimap", encimap, "--platform", platform);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Equal($"encimap: applied {Files(MigrationSet.Encimap)}\nplatform: applied {Files(MigrationSet.Platform)}\n", first.StdOut);

        var second = await EncimapCtl.RunAsync("migrate", "--encimap", encimap, "--platform", platform);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Equal(
            $"encimap: up to date ({MigrationSet.Encimap.Migrations.Count} applied before)\nplatform: up to date ({MigrationSet.Platform.Migrations.Count} applied before)\n",
            second.StdOut);

        await using var connection = new NpgsqlConnection(platform);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM schema_migrations", connection);
        Assert.Equal((long)MigrationSet.Platform.Migrations.Count, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Migrate_reads_connection_strings_from_the_environment()
    {
        await using var db = await TestDatabases.CreateAsync();

        var result = await EncimapCtl.RunAsync(["migrate"], new Dictionary<string, string?>
        {
            ["ConnectionStrings__encimap"] = db.EncimapOwner,
            ["ConnectionStrings__platform"] = db.PlatformOwner,
        });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("encimap: up to date", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("platform: up to date", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_only_one_database()
    {
        await using var db = await TestDatabases.CreateAsync();

        var result = await EncimapCtl.RunAsync("migrate", "--only", "encimap", "--encimap", db.EncimapOwner);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal($"encimap: up to date ({MigrationSet.Encimap.Migrations.Count} applied before)\n", result.StdOut);
    }

    // The files of a set as the CLI names them: "0001_schema_v1.sql, 0002_….sql".
    private static string Files(MigrationSet set) =>
        string.Join(", ", set.Migrations.Select(m => m.FileName));
}

public sealed class PlatformSeedTests
{
    private static async Task<CliResult> Run(TestDatabasePair db, params string[] args) =>
        await EncimapCtl.RunAsync([.. args, "--platform", db.PlatformOwner]);

    private static async Task<T?> Scalar<T>(string connectionString, string sql, params object[] values)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    private static async Task<Guid> AddUser(TestDatabasePair db, string email)
    {
        var result = await Run(db, "users", "add", email);
        Assert.True(result.ExitCode == 0, result.ToString());
        return Guid.Parse(result.StdOut.Trim());
    }

    [Fact]
    public async Task Users_add_prints_the_id_and_stores_the_user_lower_case()
    {
        await using var db = await TestDatabases.CreateAsync();

        var result = await Run(db, "users", "add", "Owner@Customer.Example", "--name", "Ada Owner");

        Assert.True(result.ExitCode == 0, result.ToString());
        var id = Guid.Parse(result.StdOut.Trim());
        Assert.Equal("owner@customer.example", await Scalar<string>(db.PlatformOwner, "SELECT email FROM users WHERE id = $1", id));
        Assert.Equal("Ada Owner", await Scalar<string>(db.PlatformOwner, "SELECT name FROM users WHERE id = $1", id));

        var list = await Run(db, "users", "list");
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.StartsWith($"{id}\towner@customer.example\tAda Owner\t", list.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_add_duplicate_is_a_conflict()
    {
        await using var db = await TestDatabases.CreateAsync();
        await AddUser(db, "owner@customer.example");

        var duplicate = await Run(db, "users", "add", "OWNER@customer.example");

        Assert.Equal(2, duplicate.ExitCode);
        Assert.Equal("", duplicate.StdOut);
        Assert.Contains("exists already", duplicate.StdErr, StringComparison.Ordinal);
        Assert.Equal(1L, await Scalar<long>(db.PlatformOwner, "SELECT count(*) FROM users"));
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("a@b@c.example")]
    [InlineData("@customer.example")]
    [InlineData("owner@")]
    [InlineData("own er@customer.example")]
    [InlineData("owner@customer")]
    [InlineData("@/etc/passwd")]
    [InlineData("owner@customer.example'; DROP TABLE users; --")]
    public async Task Users_add_bad_email_is_a_usage_error(string email)
    {
        await using var db = await TestDatabases.CreateAsync();

        var result = await Run(db, "users", "add", email);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is not an e-mail address", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
        Assert.Equal(0L, await Scalar<long>(db.PlatformOwner, "SELECT count(*) FROM users"));
    }

    [Fact]
    public async Task Domains_add_verify_and_list()
    {
        await using var db = await TestDatabases.CreateAsync();
        var user = await AddUser(db, "owner@customer.example");

        var pending = await Run(db, "domains", "add", "Shop.Example", "--user", user.ToString());
        var verified = await Run(db, "domains", "add", "call.example", "--user", user.ToString(), "--verified");

        Assert.True(pending.ExitCode == 0, pending.ToString());
        Assert.True(verified.ExitCode == 0, verified.ToString());
        var shopId = Guid.Parse(pending.StdOut.Trim());
        var callId = Guid.Parse(verified.StdOut.Trim());
        Assert.Equal("pending", await Scalar<string>(db.PlatformOwner, "SELECT verification_status FROM domains WHERE id = $1", shopId));
        Assert.Equal("shop.example", await Scalar<string>(db.PlatformOwner, "SELECT domain FROM domains WHERE id = $1", shopId));
        Assert.Equal("verified", await Scalar<string>(db.PlatformOwner, "SELECT verification_status FROM domains WHERE id = $1", callId));
        Assert.Equal(user, await Scalar<Guid>(db.PlatformOwner, "SELECT user_id FROM domains WHERE id = $1", callId));

        var verify = await Run(db, "domains", "verify", "SHOP.example");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Equal("verified", await Scalar<string>(db.PlatformOwner, "SELECT verification_status FROM domains WHERE id = $1", shopId));

        var list = await Run(db, "domains", "list", "--user", user.ToString());
        Assert.Equal(
            $"{callId}\tcall.example\tverified\t{user}\n{shopId}\tshop.example\tverified\t{user}\n",
            list.StdOut);
    }

    [Fact]
    public async Task Domains_not_found_and_conflicts_exit_2()
    {
        await using var db = await TestDatabases.CreateAsync();
        var user = await AddUser(db, "owner@customer.example");
        Assert.Equal(0, (await Run(db, "domains", "add", "call.example", "--user", user.ToString())).ExitCode);

        var duplicate = await Run(db, "domains", "add", "CALL.example", "--user", user.ToString());
        var unknownUser = await Run(db, "domains", "add", "other.example", "--user", Guid.NewGuid().ToString());
        var unknownDomain = await Run(db, "domains", "verify", "nowhere.example");

        Assert.Equal(2, duplicate.ExitCode);
        Assert.Contains("exists already", duplicate.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, unknownUser.ExitCode);
        Assert.Contains("no user", unknownUser.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, unknownDomain.ExitCode);
        Assert.Contains("no domain nowhere.example", unknownDomain.StdErr, StringComparison.Ordinal);
        Assert.Equal(1L, await Scalar<long>(db.PlatformOwner, "SELECT count(*) FROM domains"));
    }

    [Fact]
    public async Task Motorblocks_add_prints_a_password_that_verifies_against_the_stored_hash()
    {
        await using var db = await TestDatabases.CreateAsync();
        var user = await AddUser(db, "owner@customer.example");
        Assert.Equal(0, (await Run(db, "domains", "add", "call.example", "--user", user.ToString(), "--verified")).ExitCode);

        var result = await Run(db, "motorblocks", "add", "mb-sender", "--user", user.ToString(), "--domain", "call.example", "--rate-limit", "250");

        Assert.True(result.ExitCode == 0, result.ToString());
        var password = result.StdOut.TrimEnd('\n');
        Assert.DoesNotContain('\n', password);
        Assert.Equal(PasswordGenerator.DefaultLength, password.Length);
        Assert.Contains("not stored", result.StdErr, StringComparison.Ordinal);

        var hash = await Scalar<string>(db.PlatformOwner, "SELECT password_hash FROM motor_blocks WHERE username = 'mb-sender'");
        Assert.NotNull(hash);
        Assert.StartsWith("$2b$12$", hash, StringComparison.Ordinal);
        Assert.DoesNotContain(password, hash, StringComparison.Ordinal);
        var hasher = new BcryptPasswordHasher();
        Assert.True(hasher.Verify(password, hash));
        Assert.False(hasher.Verify(password + "x", hash));
        Assert.Equal(250, await Scalar<int>(db.PlatformOwner, "SELECT rate_limit_per_hour FROM motor_blocks WHERE username = 'mb-sender'"));
        Assert.Equal("call.example", await Scalar<string>(db.PlatformOwner, "SELECT sending_domain FROM motor_blocks WHERE username = 'mb-sender'"));
        Assert.True(await Scalar<bool>(db.PlatformOwner, "SELECT enabled FROM motor_blocks WHERE username = 'mb-sender'"));
    }

    [Fact]
    public async Task Motorblocks_duplicates_unknown_users_and_foreign_domains_exit_2()
    {
        await using var db = await TestDatabases.CreateAsync();
        var owner = await AddUser(db, "owner@customer.example");
        var other = await AddUser(db, "other@customer.example");
        Assert.Equal(0, (await Run(db, "domains", "add", "call.example", "--user", owner.ToString())).ExitCode);
        Assert.Equal(0, (await Run(db, "motorblocks", "add", "mb", "--user", owner.ToString(), "--domain", "call.example")).ExitCode);

        var duplicate = await Run(db, "motorblocks", "add", "mb", "--user", owner.ToString(), "--domain", "call.example");
        var unknownUser = await Run(db, "motorblocks", "add", "mb2", "--user", Guid.NewGuid().ToString(), "--domain", "call.example");
        var foreignDomain = await Run(db, "motorblocks", "add", "mb3", "--user", other.ToString(), "--domain", "call.example");

        Assert.Equal(2, duplicate.ExitCode);
        Assert.Equal("", duplicate.StdOut);
        Assert.Contains("exists already", duplicate.StdErr, StringComparison.Ordinal);
        Assert.Equal(2, unknownUser.ExitCode);
        Assert.Equal(2, foreignDomain.ExitCode);
        Assert.Contains("has no domain call.example", foreignDomain.StdErr, StringComparison.Ordinal);
        Assert.Equal(1L, await Scalar<long>(db.PlatformOwner, "SELECT count(*) FROM motor_blocks"));
    }

    [Theory]
    [InlineData("--rate-limit", "0")]
    [InlineData("--rate-limit", "-5")]
    [InlineData("--rate-limit", "many")]
    [InlineData("--user", "not-a-guid")]
    public async Task Motorblocks_bad_options_are_usage_errors(string option, string value)
    {
        await using var db = await TestDatabases.CreateAsync();
        var args = new Dictionary<string, string>
        {
            ["--user"] = Guid.NewGuid().ToString(),
            ["--domain"] = "call.example",
            ["--rate-limit"] = "10",
        };
        args[option] = value;

        var result = await Run(db, ["motorblocks", "add", "mb", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
    }
}

public sealed class TokenTests
{
    private const string SigningKey = "test-signing-key-that-is-long-enough-0123456789";

    [Fact]
    public async Task Token_validates_with_the_S2S_options()
    {
        var user = Guid.NewGuid();

        var result = await EncimapCtl.RunAsync("token", "--user", user.ToString(), "--lifetime", "2h", "--signing-key", SigningKey);

        Assert.True(result.ExitCode == 0, result.ToString());
        var options = new JwtOptions { SigningKey = SigningKey };
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(result.StdOut.Trim(), S2sAuthenticationExtensions.ValidationParameters(options));
        Assert.True(validation.IsValid, validation.Exception?.Message);
        var token = (JsonWebToken)validation.SecurityToken;
        Assert.Equal(user.ToString(), token.Subject);
        Assert.Equal("encimap-gateway", token.Issuer);
        Assert.Contains("encimap-api", token.Audiences);
        Assert.InRange(token.ValidTo - token.ValidFrom, TimeSpan.FromHours(2) - TimeSpan.FromSeconds(2), TimeSpan.FromHours(2) + TimeSpan.FromSeconds(2));

        var otherKey = new JwtOptions { SigningKey = SigningKey + "-other" };
        var wrong = await new JsonWebTokenHandler().ValidateTokenAsync(result.StdOut.Trim(), S2sAuthenticationExtensions.ValidationParameters(otherKey));
        Assert.False(wrong.IsValid);
    }

    [Fact]
    public async Task Token_takes_key_issuer_and_audience_from_the_environment()
    {
        var user = Guid.NewGuid();

        var result = await EncimapCtl.RunAsync(["token", "--user", user.ToString()], new Dictionary<string, string?>
        {
            ["Jwt__S2S__SigningKey"] = SigningKey,
            ["Jwt__S2S__Issuer"] = "issuer-x",
            ["Jwt__S2S__Audience"] = "audience-y",
        });

        Assert.True(result.ExitCode == 0, result.ToString());
        var options = new JwtOptions { SigningKey = SigningKey, Issuer = "issuer-x", Audience = "audience-y" };
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(result.StdOut.Trim(), S2sAuthenticationExtensions.ValidationParameters(options));
        Assert.True(validation.IsValid, validation.Exception?.Message);
        var token = (JsonWebToken)validation.SecurityToken;
        Assert.InRange(token.ValidTo - token.ValidFrom, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
    }

    [Theory]
    [InlineData("--user", "nobody")]
    [InlineData("--lifetime", "forever")]
    [InlineData("--lifetime", "0s")]
    [InlineData("--lifetime", "31d")]
    [InlineData("--signing-key", "too-short")]
    public async Task Token_bad_input_is_a_usage_error(string option, string value)
    {
        var args = new Dictionary<string, string>
        {
            ["--user"] = Guid.NewGuid().ToString(),
            ["--lifetime"] = "1h",
            ["--signing-key"] = SigningKey,
        };
        args[option] = value;

        var result = await EncimapCtl.RunAsync(["token", .. args.SelectMany(a => new[] { a.Key, a.Value })]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("", result.StdOut.Split("Description:")[0].Trim());
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_without_a_key_says_where_to_put_one()
    {
        var result = await EncimapCtl.RunAsync("token", "--user", Guid.NewGuid().ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Jwt__S2S__SigningKey", result.StdErr, StringComparison.Ordinal);
    }
}

public sealed class RoutesTests
{
    [Fact]
    public async Task Routes_export_postfix_prints_the_active_routes_sorted()
    {
        await using var db = await TestDatabases.CreateAsync();
        var fox = Guid.Parse("e26f0000-0000-4000-8000-000000000002");
        var cat = Guid.Parse("7e280000-0000-4000-8000-000000000001");
        await using (var connection = new NpgsqlConnection(db.EncimapOwner))
        {
            await connection.OpenAsync();
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(
                        "INSERT INTO vaultboxes (id, user_id, domain, alias, name) VALUES ($1, $3, 'call.example', 'fox', 'Fox'), ($2, $3, 'call.example', 'cat', 'Cat')")
                    {
                        Parameters = { new() { Value = fox }, new() { Value = cat }, new() { Value = Guid.NewGuid() } },
                    },
                    new NpgsqlBatchCommand(
                        "INSERT INTO mail_routes (address, vaultbox_id, active) VALUES ('fox@call.example', $1, true), ('cat@call.example', $2, true), ('old-cat@call.example', $2, false)")
                    {
                        Parameters = { new() { Value = fox }, new() { Value = cat } },
                    },
                },
            };
            await batch.ExecuteNonQueryAsync();
        }

        // The application role (read rights) is enough for an export.
        var result = await EncimapCtl.RunAsync("routes", "export", "--postfix", "--encimap", db.EncimapApp);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(
            "cat@call.example  encimap-pipe:7e280000-0000-4000-8000-000000000001\n" +
            "fox@call.example  encimap-pipe:e26f0000-0000-4000-8000-000000000002\n",
            result.StdOut);
    }

    [Fact]
    public async Task Routes_export_of_an_empty_database_prints_nothing()
    {
        await using var db = await TestDatabases.CreateAsync();

        var result = await EncimapCtl.RunAsync("routes", "export", "--postfix", "--encimap", db.EncimapOwner);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.StdOut);
    }

    [Fact]
    public async Task Routes_export_needs_a_format()
    {
        var result = await EncimapCtl.RunAsync("routes", "export", "--encimap", "Host=127.0.0.1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--postfix", result.StdErr, StringComparison.Ordinal);
    }
}

public sealed class ConnectionTests
{
    [Fact]
    public async Task No_connection_string_is_a_usage_error_naming_the_options()
    {
        var result = await EncimapCtl.RunAsync("users", "list");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--platform", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__platform", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Development_state_is_the_fallback_and_its_password_is_never_printed()
    {
        var state = Directory.CreateTempSubdirectory("encimapctl-state-").FullName;
        try
        {
            const string secret = "dev-password-that-must-not-appear";
            await File.WriteAllTextAsync(Path.Combine(state, "dev-secrets.json"), JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["postgres-encimap-owner"] = secret,
                ["postgres-platform-owner"] = secret,
                ["s2s-signing-key"] = "development-signing-key-0123456789abcdef",
            }));
            var environment = new Dictionary<string, string?> { ["Encimap__StateDirectory"] = state };

            // The key is taken from the state: a token that validates with it.
            var token = await EncimapCtl.RunAsync(["token", "--user", Guid.NewGuid().ToString()], environment);
            Assert.True(token.ExitCode == 0, token.ToString());
            var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token.StdOut.Trim(),
                S2sAuthenticationExtensions.ValidationParameters(new JwtOptions { SigningKey = "development-signing-key-0123456789abcdef" }));
            Assert.True(validation.IsValid, validation.Exception?.Message);

            // The connection goes to the development cluster's address as the platform owner.
            // Whether or not a development fleet runs there, these random credentials cannot log in.
            var list = await EncimapCtl.RunAsync(["users", "list"], environment);
            Assert.Equal(3, list.ExitCode);
            Assert.Contains("host 127.0.0.1, port 55432, database motorical_db, user motorical", list.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, list.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public async Task Unreachable_database_exits_3_without_a_stack_trace()
    {
        var result = await EncimapCtl.RunAsync("users", "list", "--platform", "Host=127.0.0.1;Port=1;Database=x;Username=u;Password=hidden-pw;Timeout=3");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("cannot connect to the platform database", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden-pw", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invalid_connection_string_is_a_usage_error()
    {
        var result = await EncimapCtl.RunAsync("users", "list", "--platform", "Hots=127.0.0.1;Password=hidden-pw");

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("hidden-pw", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_command_is_a_usage_error()
    {
        var result = await EncimapCtl.RunAsync("frobnicate");

        Assert.Equal(1, result.ExitCode);
    }
}
