namespace Encimap.SmtpGateway.Infrastructure;

/// <summary>The API did not verify a login (down, too slow, or failing): a temporary failure, not a wrong password.</summary>
public sealed class CredentialVerificationUnavailableException(string message, Exception inner) : Exception(message, inner);
