using Npgsql;

namespace Encimap.Cli;

/// <summary>Connections and positional-parameter commands: every value travels as a parameter.</summary>
internal static class Sql
{
    /// <summary>Opens a connection; a failure names the target (never the password).</summary>
    public static async Task<NpgsqlConnection> OpenAsync(NpgsqlConnectionStringBuilder builder, string name, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(builder.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            var reason = ex is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : ex.Message;
            throw CliException.Failure(
                $"cannot connect to the {name} database (host {builder.Host}, port {builder.Port}, database {builder.Database}, user {builder.Username}): {reason}");
        }
    }

    /// <summary>A command with <c>$1</c>, <c>$2</c> … bound to <paramref name="values"/> (null → SQL NULL).</summary>
    public static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        return command;
    }

    /// <summary>Whether a row answers <paramref name="sql"/>.</summary>
    public static async Task<bool> ExistsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params object?[] values)
    {
        await using var command = Command(connection, transaction, sql, values);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }
}
