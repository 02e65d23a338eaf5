using System.Net.Sockets;
using Npgsql;

namespace Encimap.Intake.Infrastructure;

/// <summary>Which database errors mean "the database is not there right now" (retry later) rather than a defect.</summary>
public static class DatabaseErrors
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException postgres => IsTransientState(postgres.SqlState),
        // Not a server error: the connection itself failed (refused, reset, timed out, pool exhausted).
        NpgsqlException => true,
        SocketException or TimeoutException or IOException => true,
        _ => false,
    };

    private static bool IsTransientState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal)     // connection exception
        || state.StartsWith("53", StringComparison.Ordinal)  // insufficient resources
        || state.StartsWith("57", StringComparison.Ordinal)  // operator intervention (admin shutdown, cannot connect now)
        || state.StartsWith("58", StringComparison.Ordinal)  // system error
        || state is "55000"                                  // "database is not currently accepting connections"
            or "3D000"                                       // database dropped or not yet created
            or "40001" or "40P01";                           // serialization failure, deadlock
}
