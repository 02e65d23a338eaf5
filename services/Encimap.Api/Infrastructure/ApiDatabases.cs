namespace Encimap.Api.Infrastructure;

/// <summary>
/// The API's two databases, each a keyed <see cref="Npgsql.NpgsqlDataSource"/> (Aspire.Npgsql)
/// named after its connection string: consumers ask for
/// <c>[FromKeyedServices(ApiDatabases.Encimap)] NpgsqlDataSource</c>.
/// </summary>
public static class ApiDatabases
{
    /// <summary>The encimap database (<c>ConnectionStrings:encimap</c>), as the least-privileged app role.</summary>
    public const string Encimap = "encimap";

    /// <summary>The platform database (<c>ConnectionStrings:platform</c>), read-only: users, domains, MotorBlocks.</summary>
    public const string Platform = "platform";
}
