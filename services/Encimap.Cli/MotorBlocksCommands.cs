using System.CommandLine;
using Encimap.Passwords;

namespace Encimap.Cli;

/// <summary><c>motorblocks</c>: the platform's SMTP accounts (development and test data).</summary>
internal static class MotorBlocksCommands
{
    public static Command Create()
    {
        var motorBlocks = new Command("motorblocks", "MotorBlock SMTP accounts of the platform database.");
        motorBlocks.Add(Add());
        return motorBlocks;
    }

    private static Command Add()
    {
        var username = new Argument<string>("USERNAME") { Description = "The SMTP login name." };
        var user = new Option<Guid>("--user") { Description = "Id of the owning user.", Required = true };
        var domain = new Option<string>("--domain") { Description = "Sending domain: one of the user's domains.", Required = true };
        var rateLimit = new Option<int>("--rate-limit")
        {
            Description = "Messages per hour.",
            DefaultValueFactory = _ => 100,
            CustomParser = ParsePositive,
        };
        var command = new Command(
            "add",
            "Create a MotorBlock with a generated password: the password is printed once on stdout and only its bcrypt hash is stored.")
        {
            username, user, domain, rateLimit,
        };
        command.SetAction(CliContext.Action(async (context, cancellationToken) =>
        {
            var login = Input.Username(context.ParseResult.GetValue(username));
            var userId = context.ParseResult.GetValue(user);
            var sendingDomain = Input.Domain(context.ParseResult.GetValue(domain));
            var limit = context.ParseResult.GetValue(rateLimit);

            await using var connection = await Sql.OpenAsync(context.PlatformConnection(), "platform", cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (!await Sql.ExistsAsync(connection, transaction, "SELECT 1 FROM users WHERE id = $1", cancellationToken, userId).ConfigureAwait(false))
            {
                throw CliException.NotFound($"no user with id {userId}.");
            }
            // A MotorBlock sends as its user's domain only: another tenant's domain is refused.
            if (!await Sql.ExistsAsync(connection, transaction,
                    "SELECT 1 FROM domains WHERE user_id = $1 AND lower(domain) = $2", cancellationToken, userId, sendingDomain).ConfigureAwait(false))
            {
                throw CliException.NotFound($"the user {userId} has no domain {sendingDomain}.");
            }

            var password = PasswordGenerator.Generate();
            var hash = new BcryptPasswordHasher().Hash(password);
            await using var insert = Sql.Command(connection, transaction,
                """
                INSERT INTO motor_blocks (user_id, username, password_hash, enabled, rate_limit_per_hour, sending_domain)
                VALUES ($1, $2, $3, true, $4, $5)
                ON CONFLICT (username) DO NOTHING
                RETURNING id
                """,
                userId, login, hash, limit, sendingDomain);
            if (await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not Guid id)
            {
                throw CliException.Conflict($"a MotorBlock named {login} exists already.");
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

            // stdout carries the password alone, so that scripts can capture it; the note goes to stderr.
            await context.Out.WriteLineAsync(password).ConfigureAwait(false);
            await context.Error.WriteLineAsync(
                $"MotorBlock {login} created ({id}). The password above is shown only this once: it is not stored, only its bcrypt hash is.")
                .ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    // A custom parser rather than a validator: a validator asking for the value of a token that
    // does not parse ("many") throws instead of reporting.
    private static int ParsePositive(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            result.AddError($"--rate-limit: '{text}' is not a positive number of messages per hour.");
            return default;
        }
        return value;
    }
}
