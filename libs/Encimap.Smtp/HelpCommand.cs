namespace Encimap.Smtp;

public sealed record HelpCommand(string? Topic) : SmtpCommand(SmtpVerb.Help);
