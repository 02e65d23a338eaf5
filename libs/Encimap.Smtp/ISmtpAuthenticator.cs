using System.Net;

namespace Encimap.Smtp;

/// <summary>Checks a user name and password (AUTH PLAIN and LOGIN).</summary>
public interface ISmtpAuthenticator
{
    ValueTask<SmtpAuthResult> AuthenticateAsync(SmtpSessionContext session, string userName, string password, CancellationToken cancellationToken);
}
