namespace Encimap.Smtp;

/// <summary>AUTH (RFC 4954). <paramref name="InitialResponse"/> is the base64 text as sent ("=" for empty), or null.</summary>
public sealed record AuthCommand(string Mechanism, string? InitialResponse) : SmtpCommand(SmtpVerb.Auth);
