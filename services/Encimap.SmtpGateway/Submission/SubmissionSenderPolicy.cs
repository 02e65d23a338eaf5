using Encimap.Smtp;
using Encimap.SmtpGateway.Infrastructure;
using Encimap.SmtpGateway.Relay;
using Npgsql;

namespace Encimap.SmtpGateway.Submission;

/// <summary>
/// MAIL FROM on the submission port: a vaultbox sends only as its own address, a MotorBlock only
/// at its sending domain and within its hourly rate limit.
/// </summary>
public sealed class SubmissionSenderPolicy(OutboundQueue queue, GatewayTelemetry telemetry, ILogger<SubmissionSenderPolicy> logger) : ISenderPolicy
{
    public static SmtpReply RateLimited(int limit) => new(450, "4.7.1", $"Error: hourly sending limit of {limit} messages reached, try again later");

    public async ValueTask<SmtpReply?> CheckSenderAsync(SmtpSessionContext session, MailCommand mail, CancellationToken cancellationToken)
    {
        if (session.Principal is not Submitter submitter)
        {
            return SmtpReply.AuthRequired;
        }

        if (mail.ReversePath.Length == 0 || !submitter.MaySendAs(mail.ReversePath))
        {
            telemetry.SubmissionsRefused.Add(1, new KeyValuePair<string, object?>("reason", "sender_not_owned"));
            return new SmtpReply(553, "5.7.1", $"<{mail.ReversePath}>: Sender address rejected: not owned by user {submitter.Name}");
        }

        if (submitter.MotorBlockId is { } motorBlockId && submitter.RateLimitPerHour > 0)
        {
            try
            {
                if (await queue.CountSinceAsync(motorBlockId, TimeSpan.FromHours(1), cancellationToken) >= submitter.RateLimitPerHour)
                {
                    telemetry.SubmissionsRefused.Add(1, new KeyValuePair<string, object?>("reason", "rate_limit"));
                    return RateLimited(submitter.RateLimitPerHour);
                }
            }
            catch (NpgsqlException e)
            {
                logger.LogWarning(e, "Rate limit check failed");
                return SmtpReply.TemporaryError;
            }
        }

        return null;
    }
}
