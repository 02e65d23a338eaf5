using System.Security.Cryptography.X509Certificates;
using Encimap.Contracts.Certificates;
using Google.Protobuf;
using Npgsql;
using NpgsqlTypes;

namespace Encimap.Storage;

/// <summary>
/// Certificates of vaultboxes and their wrapped private keys (<c>vaultbox_certs</c> +
/// <c>vaultbox_private_keys</c>). Every method runs on the caller's open connection and, where it
/// takes one, the caller's transaction, so that it composes with the caller's other writes.
/// </summary>
public static class CertificateRecords
{
    /// <summary>Status of a certificate that mail is encrypted to.</summary>
    public const string Active = "active";

    /// <summary>Status of a certificate past its <c>not_after</c>.</summary>
    public const string Expired = "expired";

    /// <summary>Status of a certificate withdrawn before its end.</summary>
    public const string Revoked = "revoked";

    private const string SelectColumns = """
        SELECT c.id, c.vaultbox_id, c.certificate_der, c.serial_number, c.thumbprint_sha256, c.subject,
               c.not_before, c.not_after, c.status,
               k.kek_id, k.algorithm, k.nonce, k.ciphertext, k.tag
        FROM vaultbox_certs c
        LEFT JOIN vaultbox_private_keys k ON k.cert_id = c.id
        """;

    /// <summary>
    /// Stores a minted certificate and its wrapped private key (one statement: both rows or neither)
    /// as an active certificate of <paramref name="vaultboxId"/>; returns the certificate's id.
    /// </summary>
    /// <exception cref="ArgumentException">The certificate has no wrapped key or cannot be parsed.</exception>
    public static async Task<Guid> InsertAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        Guid vaultboxId,
        IssuedCertificate issued,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(issued);
        var key = issued.PrivateKey ?? throw new ArgumentException("The certificate has no wrapped private key.", nameof(issued));
        if (issued.CertificateDer.IsEmpty || issued.NotBefore is null || issued.NotAfter is null)
        {
            throw new ArgumentException("The certificate, its validity or its key is missing.", nameof(issued));
        }

        string subject;
        try
        {
            using var certificate = X509CertificateLoader.LoadCertificate(issued.CertificateDer.Span);
            subject = certificate.Subject;
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new ArgumentException("The certificate is not a valid DER X.509 certificate.", nameof(issued), e);
        }

        await using var command = new NpgsqlCommand("""
            WITH cert AS (
                INSERT INTO vaultbox_certs (vaultbox_id, certificate_der, serial_number, thumbprint_sha256, subject, not_before, not_after, status)
                VALUES (@vaultbox_id, @der, @serial, @thumbprint, @subject, @not_before, @not_after, 'active')
                RETURNING id
            )
            INSERT INTO vaultbox_private_keys (cert_id, kek_id, algorithm, nonce, ciphertext, tag)
            SELECT id, @kek_id, @algorithm, @nonce, @ciphertext, @tag FROM cert
            RETURNING cert_id
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid>("vaultbox_id", NpgsqlDbType.Uuid) { TypedValue = vaultboxId });
        command.Parameters.Add(new NpgsqlParameter<byte[]>("der", NpgsqlDbType.Bytea) { TypedValue = issued.CertificateDer.ToByteArray() });
        command.Parameters.Add(new NpgsqlParameter<string>("serial", NpgsqlDbType.Text) { TypedValue = issued.SerialNumber });
        command.Parameters.Add(new NpgsqlParameter<string>("thumbprint", NpgsqlDbType.Text) { TypedValue = issued.ThumbprintSha256 });
        command.Parameters.Add(new NpgsqlParameter<string>("subject", NpgsqlDbType.Text) { TypedValue = subject });
        command.Parameters.Add(new NpgsqlParameter<DateTime>("not_before", NpgsqlDbType.TimestampTz) { TypedValue = issued.NotBefore.ToDateTime() });
        command.Parameters.Add(new NpgsqlParameter<DateTime>("not_after", NpgsqlDbType.TimestampTz) { TypedValue = issued.NotAfter.ToDateTime() });
        command.Parameters.Add(new NpgsqlParameter<string>("kek_id", NpgsqlDbType.Text) { TypedValue = key.KekId });
        command.Parameters.Add(new NpgsqlParameter<string>("algorithm", NpgsqlDbType.Text) { TypedValue = key.Algorithm });
        command.Parameters.Add(new NpgsqlParameter<byte[]>("nonce", NpgsqlDbType.Bytea) { TypedValue = key.Nonce.ToByteArray() });
        command.Parameters.Add(new NpgsqlParameter<byte[]>("ciphertext", NpgsqlDbType.Bytea) { TypedValue = key.Ciphertext.ToByteArray() });
        command.Parameters.Add(new NpgsqlParameter<byte[]>("tag", NpgsqlDbType.Bytea) { TypedValue = key.Tag.ToByteArray() });
        var id = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return (Guid)id!;
    }

    /// <summary>
    /// The certificates of <paramref name="vaultboxId"/> that mail is encrypted to: status
    /// <c>active</c> and <c>not_after</c> in the future, newest first, with their wrapped keys.
    /// </summary>
    public static Task<IReadOnlyList<StoredCertificate>> ListActiveAsync(
        NpgsqlConnection connection,
        Guid vaultboxId,
        CancellationToken cancellationToken = default) =>
        ListActiveAsync(connection, transaction: null, vaultboxId, cancellationToken);

    /// <summary>As <see cref="ListActiveAsync(NpgsqlConnection, Guid, CancellationToken)"/>, inside a transaction.</summary>
    public static async Task<IReadOnlyList<StoredCertificate>> ListActiveAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        Guid vaultboxId,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(SelectColumns + """

            WHERE c.vaultbox_id = @vaultbox_id AND c.status = 'active' AND c.not_after > now()
            ORDER BY c.not_after DESC, c.created_at DESC, c.id
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid>("vaultbox_id", NpgsqlDbType.Uuid) { TypedValue = vaultboxId });
        return await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One certificate by id (any status), with its wrapped key; null if there is none.</summary>
    public static async Task<StoredCertificate?> GetAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        Guid certificateId,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(SelectColumns + """

            WHERE c.id = @id
            """, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<Guid>("id", NpgsqlDbType.Uuid) { TypedValue = certificateId });
        var rows = await ReadAllAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>
    /// Vaultboxes due for renewal: those whose newest active or expired certificate ends before
    /// <paramref name="renewBefore"/> (revoked certificates are not renewed), soonest first.
    /// </summary>
    public static async Task<IReadOnlyList<RenewalCandidate>> ListRenewalCandidatesAsync(
        NpgsqlConnection connection,
        DateTimeOffset renewBefore,
        int limit,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        await using var command = new NpgsqlCommand("""
            SELECT v.id, v.alias || '@' || v.domain, max(c.not_after) AS newest
            FROM vaultboxes v
            JOIN vaultbox_certs c ON c.vaultbox_id = v.id AND c.status IN ('active', 'expired')
            GROUP BY v.id, v.alias, v.domain
            HAVING max(c.not_after) < @renew_before
            ORDER BY newest, v.id
            LIMIT @limit
            """, connection);
        command.Parameters.Add(new NpgsqlParameter<DateTime>("renew_before", NpgsqlDbType.TimestampTz) { TypedValue = renewBefore.UtcDateTime });
        command.Parameters.Add(new NpgsqlParameter<int>("limit", NpgsqlDbType.Integer) { TypedValue = limit });
        var candidates = new List<RenewalCandidate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            candidates.Add(new RenewalCandidate(
                reader.GetGuid(0),
                reader.GetString(1),
                new DateTimeOffset(reader.GetFieldValue<DateTime>(2), TimeSpan.Zero)));
        }
        return candidates;
    }

    /// <summary>
    /// Inside <paramref name="transaction"/>: locks the vaultbox row (skipping it if another
    /// renewer holds it) and checks again that it is still due. True means the caller may issue
    /// and insert its successor before committing; false means someone else did or is doing it.
    /// </summary>
    public static async Task<bool> TryLockForRenewalAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Guid vaultboxId,
        DateTimeOffset renewBefore,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(transaction);
        // Two statements, not one: under READ COMMITTED a statement reads the snapshot taken when
        // it starts. A single "lock and check" statement could start before another renewer
        // commits, get the lock the moment that renewer releases it, and still not see the
        // successor it inserted. The check below starts after the lock is held, so it does.
        await using (var lockCommand = new NpgsqlCommand(
            "SELECT 1 FROM vaultboxes WHERE id = @vaultbox_id FOR UPDATE SKIP LOCKED", connection, transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<Guid>("vaultbox_id", NpgsqlDbType.Uuid) { TypedValue = vaultboxId });
            if (await lockCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }
        }
        await using var checkCommand = new NpgsqlCommand("""
            SELECT NOT EXISTS (
                SELECT 1 FROM vaultbox_certs
                WHERE vaultbox_id = @vaultbox_id AND status = 'active' AND not_after >= @renew_before)
            """, connection, transaction);
        checkCommand.Parameters.Add(new NpgsqlParameter<Guid>("vaultbox_id", NpgsqlDbType.Uuid) { TypedValue = vaultboxId });
        checkCommand.Parameters.Add(new NpgsqlParameter<DateTime>("renew_before", NpgsqlDbType.TimestampTz) { TypedValue = renewBefore.UtcDateTime });
        return (bool)(await checkCommand.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <summary>Marks active certificates whose <c>not_after</c> has passed as expired; returns how many.</summary>
    public static async Task<int> MarkExpiredAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new NpgsqlCommand(
            "UPDATE vaultbox_certs SET status = 'expired' WHERE status = 'active' AND not_after <= now()",
            connection, transaction);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<StoredCertificate>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<StoredCertificate>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            WrappedPrivateKey? key = null;
            if (!await reader.IsDBNullAsync(9, cancellationToken).ConfigureAwait(false))
            {
                key = new WrappedPrivateKey
                {
                    KekId = reader.GetString(9),
                    Algorithm = reader.GetString(10),
                    Nonce = ByteString.CopyFrom(reader.GetFieldValue<byte[]>(11)),
                    Ciphertext = ByteString.CopyFrom(reader.GetFieldValue<byte[]>(12)),
                    Tag = ByteString.CopyFrom(reader.GetFieldValue<byte[]>(13)),
                };
            }
            rows.Add(new StoredCertificate(
                reader.GetGuid(0),
                reader.GetGuid(1),
                reader.GetFieldValue<byte[]>(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                new DateTimeOffset(reader.GetFieldValue<DateTime>(6), TimeSpan.Zero),
                new DateTimeOffset(reader.GetFieldValue<DateTime>(7), TimeSpan.Zero),
                reader.GetString(8),
                key));
        }
        return rows;
    }
}
