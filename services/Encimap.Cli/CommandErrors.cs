using Encimap.Database;
using Npgsql;

namespace Encimap.Cli;

/// <summary>Turns an exception into an exit code and a one-line message (never a stack trace).</summary>
internal static class CommandErrors
{
    public static (int ExitCode, string Message) Describe(Exception exception) => exception switch
    {
        CliException cli => (cli.ExitCode, cli.Message),
        MigrationException migration => (ExitCodes.NotFoundOrConflict, migration.Message),
        PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg =>
            (ExitCodes.NotFoundOrConflict, $"already exists ({pg.ConstraintName ?? pg.MessageText})"),
        PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } pg =>
            (ExitCodes.NotFoundOrConflict, $"refers to something that does not exist ({pg.ConstraintName ?? pg.MessageText})"),
        // Class 22 (data exception) and 23514 (check violation): input the database refused.
        PostgresException pg when pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState == PostgresErrorCodes.CheckViolation =>
            (ExitCodes.Usage, $"invalid input: {pg.MessageText}{(pg.ConstraintName is null ? "" : $" ({pg.ConstraintName})")}"),
        PostgresException pg => (ExitCodes.Failure, $"database error {pg.SqlState}: {pg.MessageText}"),
        NpgsqlException npgsql => (ExitCodes.Failure, $"database error: {npgsql.Message}"),
        OperationCanceledException => (ExitCodes.Failure, "cancelled"),
        _ => (ExitCodes.Failure, $"unexpected error ({exception.GetType().Name}): {exception.Message}"),
    };
}
