namespace Encimap.Smtp;

public sealed record StartTlsCommand() : SmtpCommand(SmtpVerb.StartTls);
