using System.CommandLine;
using System.Globalization;

namespace Encimap.Cli;

/// <summary><c>users</c>: platform users (development and test data).</summary>
internal static class UsersCommands
{
    public static Command Create()
    {
        var users = new Command("users", "Users of the platform database.");
        users.Add(Add());
        users.Add(List());
        return users;
    }

    private static Command Add()
    {
        var email = new Argument<string>("EMAIL") { Description = "The user's e-mail address (stored lower-case)." };
        var name = new Option<string?>("--name") { Description = "Display name." };
        var command = new Command("add", "Create a user; prints the new user id.") { email, name };
        command.SetAction(CliContext.Action(async (context, cancellationToken) =>
        {
            var address = Input.Email(context.ParseResult.GetValue(email));
            var displayName = Input.Name(context.ParseResult.GetValue(name));
            await using var connection = await Sql.OpenAsync(context.PlatformConnection(), "platform", cancellationToken).ConfigureAwait(false);
            await using var insert = Sql.Command(connection, null,
                "INSERT INTO users (email, name) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING RETURNING id",
                address, displayName);
            if (await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not Guid id)
            {
                throw CliException.Conflict($"a user with e-mail {address} exists already.");
            }
            await context.Out.WriteLineAsync(id.ToString()).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List users: id, e-mail, name, created (tab-separated, by e-mail).");
        command.SetAction(CliContext.Action(async (context, cancellationToken) =>
        {
            await using var connection = await Sql.OpenAsync(context.PlatformConnection(), "platform", cancellationToken).ConfigureAwait(false);
            await using var select = Sql.Command(connection, null,
                "SELECT id, email, coalesce(name, ''), created_at FROM users ORDER BY email COLLATE \"C\"");
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var created = reader.GetFieldValue<DateTime>(3).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
                await context.Out.WriteLineAsync($"{reader.GetGuid(0)}\t{reader.GetString(1)}\t{reader.GetString(2)}\t{created}").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
