namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// The checked message: what goes to the intake is <see cref="Head"/> (our Authentication-Results
/// field, then the message's header section without incoming fields claiming our authserv-id)
/// followed by the spooled message from <see cref="BodyOffset"/> on, so that only the header
/// section is ever copied. <see cref="Disposition"/> is what the deployment's policy gives it.
/// </summary>
public sealed record AuthenticationVerdict(byte[] Head, long BodyOffset, MessageDisposition Disposition, AuthenticationReport? Report);
