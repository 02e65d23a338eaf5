using System.CommandLine;

namespace Encimap.Cli;

/// <summary><c>domains</c>: users' domains in the platform database (development and test data).</summary>
internal static class DomainsCommands
{
    public static Command Create()
    {
        var domains = new Command("domains", "Domains of the platform database.");
        domains.Add(Add());
        domains.Add(Verify());
        domains.Add(List());
        return domains;
    }

    private static Command Add()
    {
        var domain = new Argument<string>("DOMAIN") { Description = "The domain name (stored lower-case)." };
        var user = new Option<Guid>("--user") { Description = "Id of the owning user.", Required = true };
        var verified = new Option<bool>("--verified") { Description = "Mark it verified now (default: pending)." };
        var command = new Command("add", "Give a user a domain; prints the new domain id.") { domain, user, verified };
        command.SetAction(CliContext.Action(async (context, cancellationToken) =>
        {
            var name = Input.Domain(context.ParseResult.GetValue(domain));
            var userId = context.ParseResult.GetValue(user);
            var status = context.ParseResult.GetValue(verified) ? "verified" : "pending";

            await using var connection = await Sql.OpenAsync(context.PlatformConnection(), "platform", cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (!await Sql.ExistsAsync(connection, transaction, "SELECT 1 FROM users WHERE id = $1", cancellationToken, userId).ConfigureAwait(false))
            {
                throw CliException.NotFound($"no user with id {userId}.");
            }
            await using var insert = Sql.Command(connection, transaction,
                """
                INSERT INTO domains (user_id, domain, verification_status) VALUES ($1, $2, $3)
                ON CONFLICT (lower(domain)) DO NOTHING
                RETURNING id
                """,
                userId, name, status);
            if (await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not Guid id)
            {
                throw CliException.Conflict($"the domain {name} exists already.");
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            await context.Out.WriteLineAsync(id.ToString()).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Verify()
    {
        var domain = new Argument<string>("DOMAIN") { Description = "The domain name." };
        var command = new Command("verify", "Mark a domain verified (vaultboxes may then be created on it).") { domain };
        command.SetAction(CliContext.Action(async (context, cancellationToken) =>
        {
            var name = Input.Domain(context.ParseResult.GetValue(domain));
            await using var connection = await Sql.OpenAsync(context.PlatformConnection(), "platform", cancellationToken).ConfigureAwait(false);
            await using var update = Sql.Command(connection, null,
                "UPDATE domains SET verification_status = 'verified' WHERE lower(domain) = $1 RETURNING id", name);
            if (await update.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not Guid id)
            {
                throw CliException.NotFound($"no domain {name}.");
            }
            await context.Out.WriteLineAsync($"{name} verified ({id})").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command List()
    {
        var user = new Option<Guid?>("--user") { Description = "Only this user's domains." };
        var command = new Command("list", "List domains: id, domain, status, user id (tab-separated, by domain).") { user };
        command.SetAction(CliContext.Action(async (context, cancellationToken) =>
        {
            await using var connection = await Sql.OpenAsync(context.PlatformConnection(), "platform", cancellationToken).ConfigureAwait(false);
            await using var select = Sql.Command(connection, null,
                """
                SELECT id, domain, verification_status, user_id FROM domains
                WHERE $1::uuid IS NULL OR user_id = $1::uuid
                ORDER BY lower(domain) COLLATE "C"
                """,
                context.ParseResult.GetValue(user));
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                await context.Out.WriteLineAsync($"{reader.GetGuid(0)}\t{reader.GetString(1)}\t{reader.GetString(2)}\t{reader.GetGuid(3)}").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
