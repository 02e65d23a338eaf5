using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Encimap.Contracts.Certificates;
using Encimap.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;
using Microsoft.Extensions.DependencyInjection;

namespace Encimap.Certificates;

/// <summary>
/// Reads the stored certificates of a vaultbox: the public ones for encryption, and, for
/// exports, the private keys, unwrapped only here and only for the time it takes to build the
/// PKCS#12 file.
/// </summary>
public sealed partial class CertificateVault(
    [FromKeyedServices(CertificatesApplication.ConnectionStringName)] NpgsqlDataSource dataSource,
    PrivateKeyCustody custody,
    CertificateTelemetry telemetry,
    TimeProvider time,
    ILogger<CertificateVault> logger)
{
    /// <summary>Active, unexpired certificates of the vaultbox, newest first (empty if none).</summary>
    public async Task<IReadOnlyList<StoredCertificate>> GetActiveAsync(Guid vaultboxId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await CertificateRecords.ListActiveAsync(connection, vaultboxId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The PKCS#12 file of the vaultbox's active certificates and keys; null if it has none.</summary>
    public async Task<byte[]?> ExportPkcs12Async(Guid vaultboxId, string password, Pkcs12Profile profile, CancellationToken cancellationToken)
    {
        using var activity = StartExport("certificates.export_pkcs12", vaultboxId, profile);
        var stored = await GetActiveAsync(vaultboxId, cancellationToken).ConfigureAwait(false);
        if (stored.Count == 0)
        {
            return null;
        }
        var (pkcs12, certificates, _) = BuildPkcs12(stored, password, profile);
        Dispose(certificates);
        telemetry.Exports.Add(1, new KeyValuePair<string, object?>("kind", "pkcs12"), new KeyValuePair<string, object?>("profile", ProfileName(profile)));
        return pkcs12;
    }

    /// <summary>The ZIP bundle (PKCS#12, PEM, notes) of the vaultbox; null if it has no certificate.</summary>
    public async Task<byte[]?> ExportBundleAsync(Guid vaultboxId, string password, Pkcs12Profile profile, CancellationToken cancellationToken)
    {
        using var activity = StartExport("certificates.export_bundle", vaultboxId, profile);
        var stored = await GetActiveAsync(vaultboxId, cancellationToken).ConfigureAwait(false);
        if (stored.Count == 0)
        {
            return null;
        }
        var (pkcs12, certificates, address) = BuildPkcs12(stored, password, profile);
        try
        {
            var zip = CertificateBundle.Build(pkcs12, certificates, address, time.GetUtcNow());
            telemetry.Exports.Add(1, new KeyValuePair<string, object?>("kind", "bundle"), new KeyValuePair<string, object?>("profile", ProfileName(profile)));
            return zip;
        }
        finally
        {
            Dispose(certificates);
        }
    }

    public static string ProfileName(Pkcs12Profile profile) => profile switch
    {
        Pkcs12Profile.Compatible => "compatible",
        Pkcs12Profile.Modern => "modern",
        _ => "unknown",
    };

    private (byte[] Pkcs12, List<X509Certificate2> Certificates, string Address) BuildPkcs12(
        IReadOnlyList<StoredCertificate> stored, string password, Pkcs12Profile profile)
    {
        var certificates = new List<X509Certificate2>();
        var items = new List<KeyedCertificate>();
        try
        {
            foreach (var row in stored)
            {
                if (row.PrivateKey is null)
                {
                    LogMissingKey(logger, row.Id);
                    continue;
                }
                var certificate = X509CertificateLoader.LoadCertificate(row.CertificateDer);
                certificates.Add(certificate);
                RSA key;
                try
                {
                    key = custody.UnwrapRsa(row.PrivateKey, row.ThumbprintSha256);
                }
                catch (CryptographicException e)
                {
                    // Which row and which KEK: enough for an operator, nothing about the key itself.
                    LogUnwrapFailed(logger, row.Id, row.PrivateKey.KekId, e.GetType().Name);
                    throw;
                }
                // Refuses a key that does not belong to the certificate.
                using (certificate.CopyWithPrivateKey(key))
                {
                }
                var address = certificate.GetNameInfo(X509NameType.EmailName, forIssuer: false);
                items.Add(new KeyedCertificate(certificate, key, string.IsNullOrEmpty(address) ? certificate.Subject : address));
            }
            if (items.Count == 0)
            {
                throw new InvalidOperationException("None of the vaultbox's active certificates has a stored private key.");
            }
            var pkcs12 = Pkcs12Exporter.Build(items, password, profile);
            return (pkcs12, certificates, items[0].FriendlyName);
        }
        catch
        {
            Dispose(certificates);
            throw;
        }
        finally
        {
            foreach (var item in items)
            {
                item.PrivateKey.Dispose();
            }
        }
    }

    private static Activity? StartExport(string name, Guid vaultboxId, Pkcs12Profile profile)
    {
        var activity = CertificateTelemetry.Start(name, vaultboxId);
        activity?.SetTag(CertificateTelemetry.ProfileTag, ProfileName(profile));
        return activity;
    }

    private static void Dispose(List<X509Certificate2> certificates)
    {
        foreach (var certificate in certificates)
        {
            certificate.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Certificate {CertificateId} has no stored private key; left out of the export")]
    private static partial void LogMissingKey(ILogger logger, Guid certificateId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The private key of certificate {CertificateId} (KEK {KekId}) could not be unwrapped: {Error}")]
    private static partial void LogUnwrapFailed(ILogger logger, Guid certificateId, string kekId, string error);
}
