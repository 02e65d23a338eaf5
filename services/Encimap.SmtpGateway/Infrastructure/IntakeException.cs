namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>
/// A call to the intake that did not succeed; nothing was stored. <see cref="Detail"/> is what the
/// intake said, for the logs.
/// </summary>
public sealed class IntakeException(IntakeFailure failure, string detail, Exception? inner = null)
    : Exception($"The intake call failed ({failure}): {detail}", inner)
{
    public IntakeFailure Failure { get; } = failure;

    public string Detail { get; } = detail;
}
