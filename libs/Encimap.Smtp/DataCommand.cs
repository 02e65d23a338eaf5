namespace Encimap.Smtp;

public sealed record DataCommand() : SmtpCommand(SmtpVerb.Data);
