namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// The checked message: <see cref="Message"/> is what goes to the intake (our
/// Authentication-Results field first, incoming ones claiming our authserv-id removed), with
/// the <see cref="Disposition"/> the deployment's policy gives it.
/// </summary>
public sealed record AuthenticationVerdict(ReadOnlyMemory<byte> Message, MessageDisposition Disposition, AuthenticationReport? Report);
