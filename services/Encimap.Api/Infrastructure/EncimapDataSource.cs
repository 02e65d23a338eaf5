using Npgsql;

namespace Encimap.Api.Infrastructure;

/// <summary>The encimap database (<c>ConnectionStrings:encimap</c>), as the least-privileged app role.</summary>
public sealed class EncimapDataSource(NpgsqlDataSource dataSource)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        DataSource.OpenConnectionAsync(cancellationToken);
}
