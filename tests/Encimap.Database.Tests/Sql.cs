using Npgsql;

namespace Encimap.Database.Tests;

/// <summary>Small helpers for tests that talk SQL.</summary>
internal static class Sql
{
    public static async Task<int> ExecuteAsync(string connectionString, string sql, params object?[] values)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await ExecuteAsync(connection, sql, values);
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, params object?[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        return await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(string connectionString, string sql, params object?[] values)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return await ScalarAsync<T>(connection, sql, values);
    }

    public static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, params object?[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default! : (T)result;
    }

    public static async Task<List<string>> ColumnAsync(string connectionString, string sql, params object?[] values)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        }
        var result = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(reader.GetString(0));
        }
        return result;
    }

    /// <summary>Runs <paramref name="action"/> and returns the PostgreSQL error it must raise.</summary>
    public static async Task<PostgresException> FailsWithAsync(string sqlState, Func<Task> action)
    {
        var ex = await Assert.ThrowsAsync<PostgresException>(action);
        Assert.True(ex.SqlState == sqlState, $"Expected SQLSTATE {sqlState}, got {ex.SqlState}: {ex.MessageText}");
        return ex;
    }
}
