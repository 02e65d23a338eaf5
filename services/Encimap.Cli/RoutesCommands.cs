using System.CommandLine;

namespace Encimap.Cli;

/// <summary><c>routes</c>: inbound mail routes of the Encimap database.</summary>
internal static class RoutesCommands
{
    /// <summary>The Postfix transport (master.cf service) that pipes mail to the HTTP intake.</summary>
    public const string PostfixTransport = "encimap-pipe";

    public static Command Create()
    {
        var routes = new Command("routes", "Inbound mail routes (address → vaultbox).");
        routes.Add(Export());
        return routes;
    }

    private static Command Export()
    {
        var postfix = new Option<bool>("--postfix")
        {
            Description = $"Postfix transport map: 'alias@domain  {PostfixTransport}:VAULTBOX_ID', one line per active route, sorted.",
        };
        var command = new Command("export", "Print the active routes in a mail server's format.") { postfix };
        command.Validators.Add(result =>
        {
            if (!result.GetValue(postfix))
            {
                result.AddError("routes export: choose a format (--postfix).");
            }
        });
        command.SetAction(CliContext.Action(async (context, cancellationToken) =>
        {
            await using var connection = await Sql.OpenAsync(context.EncimapConnection(), "encimap", cancellationToken).ConfigureAwait(false);
            await using var select = Sql.Command(connection, null,
                "SELECT address, vaultbox_id FROM mail_routes WHERE active ORDER BY address COLLATE \"C\"");
            var lines = new List<string>();
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var address = reader.GetString(0);
                    // A key with whitespace, a control character or a leading '#' would corrupt the map.
                    if (address.StartsWith('#') || address.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                    {
                        throw CliException.Failure($"the route address '{address.ReplaceLineEndings(" ")}' cannot be written to a transport map; nothing was exported.");
                    }
                    lines.Add($"{address}  {PostfixTransport}:{reader.GetGuid(1)}");
                }
            }
            // Printed only once complete: a failure never leaves a partial map on stdout.
            foreach (var line in lines)
            {
                await context.Out.WriteLineAsync(line).ConfigureAwait(false);
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
