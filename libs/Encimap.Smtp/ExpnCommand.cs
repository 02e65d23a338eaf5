namespace Encimap.Smtp;

public sealed record ExpnCommand(string Argument) : SmtpCommand(SmtpVerb.Expn);
