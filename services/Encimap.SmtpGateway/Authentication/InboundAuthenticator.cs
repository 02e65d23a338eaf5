using System.Net;
using Encimap.Smtp;
using Encimap.SmtpGateway.Infrastructure;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// The MX's checks at the end of DATA: SPF for the client address and MAIL FROM (or HELO),
/// DKIM for the message's signatures, DMARC for its From domain; then the deployment's
/// <see cref="DmarcEnforcement"/> turns a failed DMARC policy into a refusal or Junk (a
/// vaultbox may override it: see <see cref="Mx.RecipientDispositions"/>). The result
/// is written into an Authentication-Results field in front of the message, before the intake
/// encrypts it, so that the owner's client sees it. The message is read from its spool: only its
/// header section is ever copied, and MimeKit parses the rest in place (a persistent parse over
/// the seekable spool stream). Each check has <see cref="CheckTimeout"/>;
/// a check that runs out of it is temperror, like a DNS failure: the message is accepted.
/// </summary>
public sealed class InboundAuthenticator(
    ISpfEvaluator spf,
    DkimChecker dkim,
    IDmarcEvaluator dmarc,
    AuthenticationTelemetry telemetry,
    IOptions<GatewayOptions> options,
    ILogger<InboundAuthenticator> logger)
{
    /// <summary>The most a single check (with all its DNS queries) may take.</summary>
    public static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(20);

    private const int MaxFromDomains = 5;

    public string AuthServId => options.Value.Mx.Authentication.AuthServId is { Length: > 0 } id ? id : options.Value.HostName;

    public async Task<AuthenticationVerdict> AuthenticateAsync(
        IPAddress client, string? helo, string reversePath, MessageSpool message, CancellationToken cancellationToken)
    {
        var settings = options.Value.Mx.Authentication;
        var header = SpooledHeaderSection.Read(message);
        var cleaned = AuthenticationResultsField.RemoveClaiming(header, AuthServId);
        if (!settings.Enabled)
        {
            return new AuthenticationVerdict(cleaned.ToArray(), header.Length, MessageDisposition.Accept, null);
        }

        using var activity = AuthenticationTelemetry.Start("authentication");
        await using var content = message.OpenRead();
        var (fromDomains, parsed) = Parse(content);
        using var signed = parsed;

        var heloName = (helo ?? "").Trim();
        var usesHelo = reversePath.Length == 0;
        var identity = usesHelo ? heloName : reversePath;
        var spfDomain = usesHelo ? heloName : reversePath[(reversePath.LastIndexOf('@') + 1)..];
        var spfResult = await RunAsync("spf", AuthResult.TempError, r => r.Name(),
            token => spf.CheckHostAsync(new SpfRequest(client, spfDomain, usesHelo ? $"postmaster@{heloName}" : reversePath, heloName), token),
            cancellationToken);

        IReadOnlyList<DkimSignatureResult> dkimResults = [];
        if (signed is not null)
        {
            dkimResults = await RunAsync("dkim", [new DkimSignatureResult(AuthResult.TempError, "", "")],
                results => results.Count == 0 ? "none" : string.Join(',', results.Select(r => r.Result.Name()).Distinct()),
                token => dkim.VerifyAsync(signed, token), cancellationToken);
        }
        else
        {
            telemetry.Record(null, "dkim", "none");
        }

        var (fromDomain, dmarcOutcome) = await EvaluateDmarcAsync(fromDomains, spfResult, spfDomain, dkimResults, cancellationToken);
        var report = new AuthenticationReport(spfResult, identity, usesHelo, dkimResults, dmarcOutcome, fromDomain);
        var disposition = Disposition(dmarcOutcome, settings.DmarcEnforcement);
        telemetry.Record(activity, "disposition", disposition.ToString().ToLowerInvariant());
        if (disposition != MessageDisposition.Accept)
        {
            logger.LogInformation("DMARC {Result} for {FromDomain} (policy {Policy}): message {Disposition}",
                dmarcOutcome.Result.Name(), fromDomain, dmarcOutcome.Policy, disposition);
        }

        var field = System.Text.Encoding.ASCII.GetBytes(AuthenticationResultsField.Format(AuthServId, report));
        var head = new byte[field.Length + cleaned.Length];
        field.CopyTo(head, 0);
        cleaned.CopyTo(head.AsMemory(field.Length));
        return new AuthenticationVerdict(head, header.Length, disposition, report);
    }

    /// <summary>Whether the DMARC outcome asks for anything at all (a fail under p=quarantine or p=reject).</summary>
    public static bool AsksForAction(DmarcOutcome outcome) => outcome.Result == AuthResult.Fail && outcome.Policy != DmarcPolicy.None;

    /// <summary>What <paramref name="enforcement"/> makes of a DMARC outcome.</summary>
    public static MessageDisposition Disposition(DmarcOutcome outcome, DmarcEnforcement enforcement)
    {
        if (!AsksForAction(outcome) || enforcement == DmarcEnforcement.Monitor)
        {
            return MessageDisposition.Accept;
        }

        return outcome.Policy == DmarcPolicy.Reject && enforcement == DmarcEnforcement.Enforce
            ? MessageDisposition.Reject
            : MessageDisposition.Quarantine;
    }

    /// <summary>DMARC for each From domain (a message may name several): the one asking for the most wins.</summary>
    private async Task<(string Domain, DmarcOutcome Outcome)> EvaluateDmarcAsync(
        IReadOnlyList<string> fromDomains, AuthResult spfResult, string spfDomain, IReadOnlyList<DkimSignatureResult> dkimResults, CancellationToken cancellationToken)
    {
        if (fromDomains.Count == 0)
        {
            telemetry.Record(null, "dmarc", "none");
            return ("", DmarcOutcome.NoRecord);
        }

        (string Domain, DmarcOutcome Outcome)? strictest = null;
        foreach (var domain in fromDomains)
        {
            var outcome = await RunAsync("dmarc", DmarcOutcome.TemporaryError, o => o.Result.Name(),
                token => dmarc.EvaluateAsync(new DmarcRequest(domain, spfResult, spfDomain, dkimResults), token), cancellationToken);
            if (strictest is null || outcome.Policy > strictest.Value.Outcome.Policy)
            {
                strictest = (domain, outcome);
            }
        }

        return strictest!.Value;
    }

    /// <summary>One check in its span, under <see cref="CheckTimeout"/>; running out of time gives <paramref name="timedOut"/>.</summary>
    private async Task<T> RunAsync<T>(string check, T timedOut, Func<T, string> name, Func<CancellationToken, Task<T>> run, CancellationToken cancellationToken)
    {
        using var activity = AuthenticationTelemetry.Start(check);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        T result;
        try
        {
            result = await run(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            result = timedOut;
        }

        telemetry.Record(activity, check, name(result));
        return result;
    }

    /// <summary>
    /// The From domains (from the header section alone), and the whole message parsed by MimeKit
    /// when it carries a DKIM-Signature (null otherwise: nothing to verify, no need to parse the body).
    /// The parse is persistent: the parts' content stays in <paramref name="content"/> (which must
    /// outlive the message) instead of being copied into memory.
    /// </summary>
    private (IReadOnlyList<string> FromDomains, MimeMessage? Signed) Parse(Stream content)
    {
        try
        {
            var headers = HeaderList.Load(content);
            var domains = headers.Where(h => h.Id == HeaderId.From)
                .SelectMany(h => InternetAddressList.TryParse(h.Value, out var list) ? list.Mailboxes : [])
                .Select(m => m.Domain.Trim().TrimEnd('.').ToLowerInvariant())
                .Where(d => d.Length > 0)
                .Distinct()
                .Take(MaxFromDomains)
                .ToArray();
            if (!headers.Contains(HeaderId.DkimSignature))
            {
                return (domains, null);
            }

            content.Position = 0;
            return (domains, MimeMessage.Load(content, persistent: true));
        }
        catch (FormatException e)
        {
            logger.LogInformation("The message could not be parsed for authentication checks: {Reason}", e.Message);
            return ([], null);
        }
    }
}
