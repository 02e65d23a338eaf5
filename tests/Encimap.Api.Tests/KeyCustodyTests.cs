using Encimap.Testing;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Api.Tests;

/// <summary>No private key is in clear anywhere in the database: every column of every row is scanned.</summary>
[Collection(ApiFleetCollection.Name)]
public sealed class KeyCustodyTests(ApiFixture fleet) : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("encimap-custody-").FullName;

    [Fact]
    public async Task The_private_key_appears_in_no_column_of_any_row()
    {
        var tenant = await Tenant.CreateAsync(fleet);
        using var http = fleet.ApiClientFor(tenant.UserId);
        var id = await http.CreateVaultboxAsync(tenant.Domain, "custody");
        using var download = await http.PostJsonAsync("/s2s/v1/p12", new { vaultbox_id = id, password = "custody password" });
        download.EnsureSuccessStatusCode();
        var p12 = Path.Combine(_work, "key.p12");
        await File.WriteAllBytesAsync(p12, await download.Content.ReadAsByteArrayAsync());
        var pem = Path.Combine(_work, "key.pem");
        await Openssl.SucceedAsync("pkcs12", "-in", p12, "-nocerts", "-nodes", "-passin", "pass:custody password", "-out", pem);
        var der = (await Openssl.SucceedAsync("pkey", "-in", pem, "-outform", "DER")).Output;
        var traditional = (await Openssl.SucceedAsync("rsa", "-in", pem, "-outform", "DER", "-traditional")).Output;
        var pemBody = (await File.ReadAllLinesAsync(pem)).SkipWhile(l => !l.StartsWith("-----BEGIN PRIVATE KEY")).Skip(1).First();

        var needles = new Needles(der, traditional, Convert.ToBase64String(der), pemBody, Convert.ToHexString(der).ToLowerInvariant());
        var hits = await ScanAsync(needles);

        Assert.True(hits.Count == 0, "private key material found in: " + string.Join(", ", hits));
        Assert.True(der.Length > 1000);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private async Task<List<string>> ScanAsync(Needles needles)
    {
        await using var connection = new NpgsqlConnection(fleet.EncimapOwnerConnectionString);
        await connection.OpenAsync();
        var columns = new List<(string Table, string Column, string Type)>();
        await using (var catalog = new NpgsqlCommand(
            """
            SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
            """,
            connection))
        await using (var reader = await catalog.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        Assert.Contains(columns, c => c is { Table: "vaultbox_private_keys", Column: "ciphertext" });
        var hits = new List<string>();
        foreach (var (table, column, type) in columns)
        {
            // Identifiers come from the catalog; the needles are parameters.
            var sql = type == "bytea"
                ? $"SELECT count(*) FROM \"{table}\" WHERE position($1 in \"{column}\") > 0 OR position($2 in \"{column}\") > 0"
                : $"SELECT count(*) FROM \"{table}\" WHERE position($3 in \"{column}\"::text) > 0 OR position($4 in \"{column}\"::text) > 0 OR position($5 in \"{column}\"::text) > 0";
            await using var search = new NpgsqlCommand(sql, connection);
            search.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = needles.Der });
            search.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bytea, Value = needles.Traditional });
            search.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = needles.Base64 });
            search.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = needles.PemLine });
            search.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = needles.Hex });
            if ((long)(await search.ExecuteScalarAsync())! > 0)
            {
                hits.Add($"{table}.{column}");
            }
        }

        return hits;
    }

    private sealed record Needles(byte[] Der, byte[] Traditional, string Base64, string PemLine, string Hex);
}
