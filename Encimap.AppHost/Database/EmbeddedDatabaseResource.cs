using System.Globalization;

namespace Encimap.AppHost.Database;

/// <summary>
/// One database of the embedded cluster as a connection string for the services: the role it
/// names is the least-privileged one a service needs (SPEC.md "Two databases"), with its
/// password from a secret parameter. Idle pooled connections close after 15 s: an idle
/// development fleet then keeps only the connections its listeners and pollers use (each
/// PostgreSQL backend is ~15-20 MB resident), where Npgsql's default keeps every connection that
/// startup opened for 5 minutes.
/// </summary>
public sealed class EmbeddedDatabaseResource(
    string name, string databaseName, string roleName, ParameterResource password, EmbeddedPostgresResource parent)
    : Resource(name), IResourceWithParent<EmbeddedPostgresResource>, IResourceWithConnectionString
{
    public EmbeddedPostgresResource Parent { get; } = parent;

    public string DatabaseName { get; } = databaseName;

    public string RoleName { get; } = roleName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"Host=127.0.0.1;Port={Parent.Port.ToString(CultureInfo.InvariantCulture)};Database={DatabaseName};Username={RoleName};Password={password};Connection Idle Lifetime=15;Connection Pruning Interval=5");
}
