using Encimap.Contracts.Certificates;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Certificates.Dkim;

/// <summary>The domains' DKIM keys in <c>dkim_keys</c>: the current key of a domain, and the insert of a first one.</summary>
public sealed class DkimKeyStore([FromKeyedServices(CertificatesApplication.ConnectionStringName)] NpgsqlDataSource dataSource)
{
    /// <summary>The domain's current (not retired) key; null if it has none yet.</summary>
    public async Task<StoredDkimKey?> FindCurrentAsync(string domain, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("""
            SELECT id, domain, selector, algorithm, public_key, kek_id, wrap_algorithm, nonce, ciphertext, tag, created_at
            FROM dkim_keys
            WHERE domain = @domain AND retired_at IS NULL
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string>("domain", NpgsqlDbType.Text) { TypedValue = domain });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new StoredDkimKey(
            reader.GetGuid(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetString(3),
            reader.GetFieldValue<byte[]>(4),
            new WrappedPrivateKey
            {
                KekId = reader.GetString(5),
                Algorithm = reader.GetString(6),
                Nonce = ByteString.CopyFrom(reader.GetFieldValue<byte[]>(7)),
                Ciphertext = ByteString.CopyFrom(reader.GetFieldValue<byte[]>(8)),
                Tag = ByteString.CopyFrom(reader.GetFieldValue<byte[]>(9)),
            },
            new DateTimeOffset(reader.GetFieldValue<DateTime>(10), TimeSpan.Zero));
    }

    /// <summary>
    /// Stores a key as the domain's current one unless the domain already has one (another
    /// instance or call got there first): true when this one was stored.
    /// </summary>
    public async Task<bool> InsertIfNoneAsync(
        string domain, string selector, string algorithm, byte[] publicKey, WrappedPrivateKey privateKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("""
            INSERT INTO dkim_keys (domain, selector, algorithm, public_key, kek_id, wrap_algorithm, nonce, ciphertext, tag)
            VALUES (@domain, @selector, @algorithm, @public_key, @kek_id, @wrap_algorithm, @nonce, @ciphertext, @tag)
            ON CONFLICT DO NOTHING
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<string>("domain", NpgsqlDbType.Text) { TypedValue = domain });
        command.Parameters.Add(new NpgsqlParameter<string>("selector", NpgsqlDbType.Text) { TypedValue = selector });
        command.Parameters.Add(new NpgsqlParameter<string>("algorithm", NpgsqlDbType.Text) { TypedValue = algorithm });
        command.Parameters.Add(new NpgsqlParameter<byte[]>("public_key", NpgsqlDbType.Bytea) { TypedValue = publicKey });
        command.Parameters.Add(new NpgsqlParameter<string>("kek_id", NpgsqlDbType.Text) { TypedValue = privateKey.KekId });
        command.Parameters.Add(new NpgsqlParameter<string>("wrap_algorithm", NpgsqlDbType.Text) { TypedValue = privateKey.Algorithm });
        command.Parameters.Add(new NpgsqlParameter<byte[]>("nonce", NpgsqlDbType.Bytea) { TypedValue = privateKey.Nonce.ToByteArray() });
        command.Parameters.Add(new NpgsqlParameter<byte[]>("ciphertext", NpgsqlDbType.Bytea) { TypedValue = privateKey.Ciphertext.ToByteArray() });
        command.Parameters.Add(new NpgsqlParameter<byte[]>("tag", NpgsqlDbType.Bytea) { TypedValue = privateKey.Tag.ToByteArray() });
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }
}
