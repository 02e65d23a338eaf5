using System.Globalization;

namespace Encimap.AppHost.Database;

/// <summary>
/// One database of the embedded cluster as a connection string for the services: the role it
/// names is the least-privileged one a service needs (SPEC.md "Two databases"), with its
/// password from a secret parameter. Idle pooled connections close after 15 s: an idle
/// development fleet then keeps only the connections its listeners and pollers use (each
/// PostgreSQL backend is ~15-20 MB resident), where Npgsql's default keeps every connection that
/// startup opened for 5 minutes.
/// <para>
/// With a standby, both hosts are named and <c>Target Session Attributes=primary</c> makes Npgsql
/// open connections only where <c>pg_is_in_recovery()</c> is false, so that after a promotion the
/// services find the new primary by reconnecting. Npgsql remembers each host's role for
/// <c>Host Recheck Seconds</c> (10 by default): 1 s lets a promoted standby be taken as the
/// primary a second after the promotion rather than ten.
/// </para>
/// </summary>
public sealed class EmbeddedDatabaseResource(
    string name, string databaseName, string roleName, ParameterResource password, EmbeddedPostgresResource parent,
    EmbeddedPostgresResource? standby = null)
    : Resource(name), IResourceWithParent<EmbeddedPostgresResource>, IResourceWithConnectionString
{
    public EmbeddedPostgresResource Parent { get; } = parent;

    /// <summary>The synchronous standby, when the AppHost runs one.</summary>
    public EmbeddedPostgresResource? Standby { get; } = standby;

    public string DatabaseName { get; } = databaseName;

    public string RoleName { get; } = roleName;

    public ReferenceExpression ConnectionStringExpression => Standby is null
        ? ReferenceExpression.Create(
            $"Host=127.0.0.1;Port={Port(Parent)};Database={DatabaseName};Username={RoleName};Password={password};Connection Idle Lifetime=15;Connection Pruning Interval=5")
        : ReferenceExpression.Create(
            $"Host=127.0.0.1:{Port(Parent)},127.0.0.1:{Port(Standby)};Target Session Attributes=primary;Host Recheck Seconds=1;Database={DatabaseName};Username={RoleName};Password={password};Connection Idle Lifetime=15;Connection Pruning Interval=5");

    private static string Port(EmbeddedPostgresResource postgres) => postgres.Port.ToString(CultureInfo.InvariantCulture);
}
