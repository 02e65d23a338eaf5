namespace Encimap.Smtp;

public sealed record RcptCommand(string ForwardPath) : SmtpCommand(SmtpVerb.Rcpt);
