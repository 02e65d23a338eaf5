namespace Encimap.Smtp;

public sealed record VrfyCommand(string Argument) : SmtpCommand(SmtpVerb.Vrfy);
