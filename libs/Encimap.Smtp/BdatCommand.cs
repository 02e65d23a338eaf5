namespace Encimap.Smtp;

/// <summary>BDAT (RFC 3030): <paramref name="Size"/> octets of message data follow the command line.</summary>
public sealed record BdatCommand(long Size, bool Last) : SmtpCommand(SmtpVerb.Bdat);
