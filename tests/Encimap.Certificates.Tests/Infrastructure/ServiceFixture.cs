using Encimap.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Encimap.Certificates.Tests.Infrastructure;

/// <summary>A fresh database pair and a running service on it, shared by one test class.</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    private TestDatabasePair? _databases;
    private CertificatesServer? _server;

    public TestDatabasePair Databases => _databases ?? throw new InvalidOperationException("Not started.");

    public CertificatesServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _databases = await TestDatabases.CreateAsync();
        _server = await CertificatesServer.StartAsync(_databases.EncimapApp);
        using var warm = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _server.Services.GetRequiredService<RsaKeyPool>().WaitUntilFullAsync(warm.Token);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        if (_databases is not null)
        {
            await _databases.DisposeAsync();
        }
    }
}

/// <summary>Test data written the way the API will write it.</summary>
public static class TestData
{
    private static int _counter;

    /// <summary>Inserts a vaultbox as the database owner (the API does not exist yet); returns its id and address.</summary>
    public static async Task<(Guid Id, string Address)> CreateVaultboxAsync(TestDatabasePair databases, string? alias = null, string domain = "call.example")
    {
        alias ??= $"box{Interlocked.Increment(ref _counter)}-{Guid.NewGuid():N}"[..20];
        await using var connection = new NpgsqlConnection(databases.EncimapOwner);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "INSERT INTO vaultboxes (user_id, domain, alias, name) VALUES (gen_random_uuid(), @domain, @alias, 'test') RETURNING id",
            connection);
        command.Parameters.AddWithValue("domain", domain);
        command.Parameters.AddWithValue("alias", alias);
        var id = (Guid)(await command.ExecuteScalarAsync())!;
        return (id, $"{alias}@{domain}");
    }

    /// <summary>Stores <paramref name="issued"/> as the API does (app role, CertificateRecords); returns the certificate id.</summary>
    public static async Task<Guid> StoreAsync(TestDatabasePair databases, Guid vaultboxId, Encimap.Contracts.Certificates.IssuedCertificate issued)
    {
        await using var connection = new NpgsqlConnection(databases.EncimapApp);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var id = await Encimap.Storage.CertificateRecords.InsertAsync(connection, transaction, vaultboxId, issued);
        await transaction.CommitAsync();
        return id;
    }

    public static async Task<T?> ScalarAsync<T>(string connectionString, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }
}
