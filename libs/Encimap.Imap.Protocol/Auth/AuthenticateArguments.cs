namespace Encimap.Imap.Protocol;

/// <summary>AUTHENTICATE; <see cref="InitialResponse"/> is the SASL-IR argument (base64, "=" for empty), if any.</summary>
public sealed record AuthenticateArguments(string Mechanism, string? InitialResponse) : CommandArguments;
