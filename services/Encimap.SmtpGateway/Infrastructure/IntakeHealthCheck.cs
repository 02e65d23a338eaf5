using Encimap.Contracts.Intake;
using Encimap.Grpc;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>Readiness: the intake answers a recipient lookup (found or not) within a short deadline.</summary>
public sealed class IntakeHealthCheck(IServiceProvider services) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await services.GetRequiredService<IntakeClient>().ResolveRecipientAsync(
                new ResolveRecipientRequest { Address = "postmaster@health-check.invalid" },
                GrpcCallOptions.WithTimeout(Timeout, cancellationToken));
            return HealthCheckResult.Healthy();
        }
        catch (GrpcStatusException e)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"the intake is unreachable ({e.StatusCode})");
        }
    }
}
