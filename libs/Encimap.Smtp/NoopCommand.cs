namespace Encimap.Smtp;

public sealed record NoopCommand() : SmtpCommand(SmtpVerb.Noop);
