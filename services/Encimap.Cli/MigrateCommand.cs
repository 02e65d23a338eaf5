using System.CommandLine;
using Encimap.Database;

namespace Encimap.Cli;

/// <summary><c>migrate</c>: applies the migration sets (owner rights needed).</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var only = new Option<string?>("--only")
        {
            Description = "Migrate one database only.",
        };
        only.AcceptOnlyFromAmong("encimap", "platform");

        var command = new Command("migrate", "Apply the pending SQL migrations of the Encimap and platform databases (as their owners).")
        {
            only,
        };
        command.SetAction(CliContext.Action(async (context, cancellationToken) =>
        {
            var which = context.ParseResult.GetValue(only);
            // Resolve both first, so that a missing connection string fails before anything changes.
            var targets = new List<(MigrationSet Set, Npgsql.NpgsqlConnectionStringBuilder Connection)>();
            if (which is null or "encimap")
            {
                targets.Add((MigrationSet.Encimap, context.EncimapConnection()));
            }
            if (which is null or "platform")
            {
                targets.Add((MigrationSet.Platform, context.PlatformConnection()));
            }

            var runner = new MigrationRunner();
            foreach (var (set, connection) in targets)
            {
                // Fails early with the target named when the server cannot be reached.
                await (await Sql.OpenAsync(connection, set.Name, cancellationToken).ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
                var result = await runner.ApplyAsync(connection.ConnectionString, set, cancellationToken).ConfigureAwait(false);
                await context.Out.WriteLineAsync(result.Applied.Count == 0
                    ? $"{set.Name}: up to date ({result.AlreadyApplied.Count} applied before)"
                    : $"{set.Name}: applied {string.Join(", ", result.Applied.Select(m => m.FileName))}").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
