namespace Encimap.Smtp;

public sealed record RsetCommand() : SmtpCommand(SmtpVerb.Rset);
