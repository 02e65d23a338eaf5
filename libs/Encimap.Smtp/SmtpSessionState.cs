namespace Encimap.Smtp;

/// <summary>Where a session is in the protocol (RFC 5321 §4.1.4 ordering, RFC 3030 for BDAT).</summary>
public enum SmtpSessionState
{
    /// <summary>Connected and greeted; no HELO/EHLO yet (and again after STARTTLS).</summary>
    Connected,
    /// <summary>HELO/EHLO done, no mail transaction.</summary>
    Ready,
    /// <summary>MAIL accepted, no recipient yet.</summary>
    MailGiven,
    /// <summary>At least one recipient accepted.</summary>
    RecipientsGiven,
    /// <summary>BDAT chunks received, BDAT LAST not yet.</summary>
    Chunking,
}
