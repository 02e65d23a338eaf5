namespace Encimap.SmtpGateway.Authentication;

/// <summary>
/// The signer's key could not be had: <see cref="Temporary"/> when DNS failed (dkim=temperror),
/// otherwise there is no usable key record (dkim=permerror, RFC 6376 §6.1.2).
/// </summary>
public sealed class DkimKeyUnavailableException(string message, bool temporary) : Exception(message)
{
    public bool Temporary { get; } = temporary;
}
