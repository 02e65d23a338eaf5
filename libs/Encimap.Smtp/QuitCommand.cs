namespace Encimap.Smtp;

public sealed record QuitCommand() : SmtpCommand(SmtpVerb.Quit);
