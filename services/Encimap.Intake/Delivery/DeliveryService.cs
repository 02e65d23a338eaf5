using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Encimap.Intake.Encryption;
using Encimap.Intake.Grpc;
using Encimap.Intake.Infrastructure;
using Encimap.Smtp;
using Microsoft.Extensions.Options;

namespace Encimap.Intake.Delivery;

/// <summary>
/// One delivery, whatever the transport: per vaultbox, fetch its active certificates, build the
/// encrypted copy, then store every copy in one transaction. Either every vaultbox's copy is
/// committed (or found to be a duplicate) and the report says so, or
/// <see cref="DeliveryFailedException"/> is thrown and nothing was stored.
/// </summary>
public sealed partial class DeliveryService(
    MessageStore store,
    GroupCommitQueue commits,
    CertificateServiceClient certificates,
    RecipientCertificateCache certificateCache,
    EncryptedMessageBuilder builder,
    DeliveryTelemetry telemetry,
    IOptions<IntakeOptions> options,
    TimeProvider time,
    ILogger<DeliveryService> logger)
{
    private readonly IntakeOptions _options = options.Value;

    public async Task<DeliveryReport> DeliverAsync(InboundMessage message, IReadOnlyList<RecipientTarget> targets, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        using var activity = DeliveryTelemetry.Start("intake.deliver");
        activity?.SetTag(DeliveryTelemetry.SizeTag, message.Raw.Length);
        activity?.SetTag(DeliveryTelemetry.RecipientCountTag, targets.Count);
        activity?.SetTag(DeliveryTelemetry.ChannelTag, message.Channel);

        // Several recipients may route to one vaultbox: it gets one copy.
        var routes = targets.Where(t => t.Route is not null).Select(t => t.Route!)
            .GroupBy(r => r.VaultboxId).Select(g => g.First()).ToArray();
        var unknown = targets.Count(t => t.Route is null);
        if (routes.Length == 1)
        {
            activity?.SetTag(DeliveryTelemetry.VaultboxIdTag, routes[0].VaultboxId.ToString());
        }

        if (routes.Length == 0)
        {
            await store.TryLogAsync(null, DeliveryOutcomes.UnknownRecipient, Size(message), start, null);
            telemetry.Count(DeliveryOutcomes.UnknownRecipient, unknown);
            activity?.SetTag(DeliveryTelemetry.OutcomeTag, DeliveryOutcomes.UnknownRecipient);
            return new DeliveryReport(targets.Select(t => (t, (CopyResult?)null)).ToArray());
        }

        var copies = new List<PreparedCopy>(routes.Length);
        StoreRequest? request = null;
        try
        {
            // The header alone: the body is only read to hash and to encrypt, a buffer at a time.
            var original = OriginalHeader.Read(message.Raw);
            var received = ReceivedField.Format(message.ClientHelo, message.ClientAddress, _options.EffectiveHostName,
                message.Protocol, Guid.CreateVersion7().ToString("N"), time.GetUtcNow());
            foreach (var route in routes)
            {
                var (recipientCertificates, cached) = await GetCertificatesAsync(route.VaultboxId, Remembered(targets, route.VaultboxId), cancellationToken);
                try
                {
                    copies.Add(await EncryptAsync(message, original, route, recipientCertificates, received, cancellationToken));
                }
                finally
                {
                    if (!cached)
                    {
                        foreach (var certificate in recipientCertificates)
                        {
                            certificate.Dispose();
                        }
                    }
                }
            }

            var dedupKey = DedupKey.Compute(message.Mailbox, message.EnvelopeSender, message.Recipients, message.Raw);
            IReadOnlyList<CopyResult> results;
            using (var commit = DeliveryTelemetry.Start("intake.commit"))
            {
                var commitStart = Stopwatch.GetTimestamp();
                // From here the request owns the copies and releases them when it completes.
                request = new StoreRequest(copies, message.Mailbox, dedupKey, _options.DuplicateWindow, Size(message), unknown, start, message.Append, RouteAddresses(targets));
                results = await commits.StoreAsync(request, cancellationToken);
                telemetry.CommitDuration.Record(Stopwatch.GetElapsedTime(commitStart).TotalSeconds);
            }

            var stored = results.Count(r => r.Outcome == CopyOutcome.Stored);
            telemetry.Count(DeliveryOutcomes.Stored, stored);
            telemetry.Count(DeliveryOutcomes.Duplicate, results.Count - stored);
            telemetry.Count(DeliveryOutcomes.UnknownRecipient, unknown);
            if (stored > 0)
            {
                telemetry.Bytes.Add(message.Raw.Length * stored);
            }

            activity?.SetTag(DeliveryTelemetry.OutcomeTag, stored > 0 ? DeliveryOutcomes.Stored : DeliveryOutcomes.Duplicate);
            var byVaultbox = results.ToDictionary(r => r.VaultboxId);
            return new DeliveryReport(targets.Select(t => (t, t.Route is null ? null : (CopyResult?)byVaultbox[t.Route.VaultboxId])).ToArray());
        }
        catch (DeliveryFailedException e) when (e.Failure == DeliveryFailure.RouteChanged)
        {
            // Nothing was stored; the caller resolves the recipients again and retries.
            activity?.SetTag(DeliveryTelemetry.OutcomeTag, "route_changed");
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var failure = e as DeliveryFailedException
                ?? new DeliveryFailedException(DeliveryFailure.Internal, "internal", "the message could not be stored", e);
            if (failure.Failure == DeliveryFailure.Internal)
            {
                LogDefect(logger, e, Activity.Current?.TraceId.ToString());
            }
            else
            {
                LogFailure(logger, failure.Reason);
            }

            DeliveryTelemetry.Fail(activity, failure.Reason);
            activity?.SetTag(DeliveryTelemetry.OutcomeTag, DeliveryOutcomes.Failed);
            telemetry.Count(DeliveryOutcomes.Failed);
            await store.TryLogAsync(routes.Length == 1 ? routes[0].VaultboxId : null, DeliveryOutcomes.Failed, Size(message), start, failure.Reason);
            throw failure;
        }
        finally
        {
            if (request is null)
            {
                ReleaseCopies(copies);
            }
        }
    }

    /// <summary>
    /// Per vaultbox, the addresses its route was found through, for the commit to confirm; a
    /// vaultbox that any target chose by id is not checked.
    /// </summary>
    private static Dictionary<Guid, string[]> RouteAddresses(IReadOnlyList<RecipientTarget> targets) =>
        targets.Where(t => t.Route is not null)
            .GroupBy(t => t.Route!.VaultboxId)
            .Where(g => g.All(t => t.RouteAddress is not null))
            .ToDictionary(g => g.Key, g => g.Select(t => t.RouteAddress!).Distinct(StringComparer.Ordinal).ToArray());

    private static int Size(InboundMessage message) => (int)Math.Min(int.MaxValue, message.Raw.Length);

    // Copies encrypted before a failure that came before their store request.
    private static void ReleaseCopies(List<PreparedCopy> copies)
    {
        foreach (var copy in copies)
        {
            copy.Stored.Dispose();
        }
    }

    private async Task<PreparedCopy> EncryptAsync(InboundMessage message, MimeKit.HeaderList original, VaultboxRoute route, IReadOnlyList<X509Certificate2> recipients, string received, CancellationToken cancellationToken)
    {
        using var activity = DeliveryTelemetry.Start("intake.encrypt", route.VaultboxId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var settings = new EncryptionSettings(recipients, route.KeyTransport, route.HideSubject, received, message.EnvelopeSender);
            var encrypted = await builder.BuildAsync(message.Raw, original, settings, cancellationToken);
            activity?.SetTag("encimap.message.already_encrypted", encrypted.AlreadyEncrypted);
            PreparedCopy copy;
            try
            {
                copy = StoredMetadata.Prepare(route, encrypted, original);
            }
            catch
            {
                encrypted.Dispose();
                throw;
            }

            telemetry.EncryptionDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
            return copy;
        }
        catch (CryptographicException e)
        {
            DeliveryTelemetry.Fail(activity, "unusable_certificate");
            throw new DeliveryFailedException(DeliveryFailure.NoCertificate, "unusable_certificate",
                "a recipient's certificate cannot be used for encryption; nothing was stored", e);
        }
    }

    /// <summary>The vaultbox's certificates, and whether they belong to the cache (then they are shared and not disposed).</summary>
    private async Task<(IReadOnlyList<X509Certificate2> Certificates, bool Cached)> GetCertificatesAsync(Guid vaultboxId, bool rememberedRoute, CancellationToken cancellationToken)
    {
        try
        {
            return await GetCertificatesCoreAsync(vaultboxId, cancellationToken);
        }
        catch (DeliveryFailedException e) when (e.Failure == DeliveryFailure.NoCertificate && rememberedRoute)
        {
            // A remembered route may name a vaultbox deleted since: let the caller resolve again
            // before calling this a vaultbox without a certificate.
            throw new DeliveryFailedException(DeliveryFailure.RouteChanged, "route_changed",
                "a recipient's vaultbox has no certificate; its route is resolved again", e);
        }
    }

    private static bool Remembered(IReadOnlyList<RecipientTarget> targets, Guid vaultboxId) =>
        targets.Any(t => t.Remembered && t.Route?.VaultboxId == vaultboxId);

    private async Task<(IReadOnlyList<X509Certificate2> Certificates, bool Cached)> GetCertificatesCoreAsync(Guid vaultboxId, CancellationToken cancellationToken)
    {
        using var activity = DeliveryTelemetry.Start("intake.certificates", vaultboxId);
        try
        {
            if (certificateCache.TryGet(vaultboxId, out var cached))
            {
                activity?.SetTag("encimap.certificates.count", cached.Count);
                activity?.SetTag("encimap.certificates.cached", true);
                return (cached, true);
            }

            var active = await certificates.GetRecipientCertificatesAsync(vaultboxId, cancellationToken);
            activity?.SetTag("encimap.certificates.count", active.Count);
            if (active.Count == 0)
            {
                DeliveryTelemetry.Fail(activity, "no_active_certificate");
                throw new DeliveryFailedException(DeliveryFailure.NoCertificate, "no_active_certificate",
                    "a recipient's vaultbox has no active certificate; nothing was stored");
            }

            var loaded = active.Select(c => X509CertificateLoader.LoadCertificate(c.CertificateDer.Span)).ToArray();
            var kept = certificateCache.Set(vaultboxId, loaded
                .Select((certificate, i) => (certificate, active[i].NotAfter?.ToDateTimeOffset() ?? DateTimeOffset.MaxValue))
                .ToArray());
            return (loaded, kept);
        }
        catch (CertificateServiceUnavailableException e) when (!cancellationToken.IsCancellationRequested)
        {
            DeliveryTelemetry.Fail(activity, "certificates_unavailable");
            throw new DeliveryFailedException(DeliveryFailure.Unavailable, "certificates_unavailable",
                "the certificate service is unavailable; nothing was stored", e);
        }
        catch (CryptographicException e)
        {
            DeliveryTelemetry.Fail(activity, "unusable_certificate");
            throw new DeliveryFailedException(DeliveryFailure.NoCertificate, "unusable_certificate",
                "a recipient's certificate cannot be read; nothing was stored", e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery failed ({Reason}); nothing was stored")]
    private static partial void LogFailure(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery failed unexpectedly (trace {TraceId}); nothing was stored")]
    private static partial void LogDefect(ILogger logger, Exception exception, string? traceId);
}
