using Npgsql;

namespace Encimap.Api.Infrastructure;

/// <summary>The platform database (<c>ConnectionStrings:platform</c>), read-only: users, domains, MotorBlocks.</summary>
public sealed class PlatformDataSource(NpgsqlDataSource dataSource)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        DataSource.OpenConnectionAsync(cancellationToken);
}
