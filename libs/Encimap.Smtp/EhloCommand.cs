namespace Encimap.Smtp;

public sealed record EhloCommand(string Domain) : SmtpCommand(SmtpVerb.Ehlo);
