namespace Encimap.Smtp;

/// <summary>MAIL FROM. <paramref name="ReversePath"/> is "" for the null reverse-path &lt;&gt;.</summary>
public sealed record MailCommand(string ReversePath, long? Size = null, SmtpBodyType Body = SmtpBodyType.Unspecified, bool SmtpUtf8 = false)
    : SmtpCommand(SmtpVerb.Mail);
