namespace Encimap.SmtpGateway.Authentication;

/// <summary>DMARC (RFC 7489 §6.6): the From domain's policy and whether SPF or DKIM passed aligned with it.</summary>
public interface IDmarcEvaluator
{
    Task<DmarcOutcome> EvaluateAsync(DmarcRequest request, CancellationToken cancellationToken);
}
