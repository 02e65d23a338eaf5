using System.Net;

namespace Encimap.Smtp;

/// <summary>What an authenticator decided.</summary>
public enum SmtpAuthOutcome
{
    Succeeded,
    /// <summary>Wrong user or password (535 5.7.8).</summary>
    Failed,
    /// <summary>The verifier could not be asked (454 4.7.0).</summary>
    TemporaryFailure,
    /// <summary>Too many failures from this client: 421 4.7.0 and disconnect.</summary>
    LockedOut,
}
