namespace Encimap.Imap.Protocol;

/// <summary>Who is connected, for the backend (login throttling, connection limits).</summary>
public sealed record ImapConnectionInfo(string RemoteAddress, bool Secure);
