namespace Encimap.Smtp;

public sealed record HeloCommand(string Domain) : SmtpCommand(SmtpVerb.Helo);
