using Encimap.LoginThrottling;

namespace Encimap.SmtpGateway.Infrastructure;

public sealed class SubmissionOptions : ListenerOptions
{
    /// <summary>AUTH throttling per client address and per address and username (section <c>Smtp:Submission:LoginPenalty</c>).</summary>
    public LoginPenaltyOptions LoginPenalty { get; set; } = new();
}
