using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>Readiness: the intake answers a recipient lookup (found or not) within a short deadline.</summary>
public sealed class IntakeHealthCheck(IntakeDelivery intake) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await intake.RecipientExistsAsync("postmaster@health-check.invalid", Timeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (IntakeException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"the intake is unreachable ({e.Failure})");
        }
    }
}
