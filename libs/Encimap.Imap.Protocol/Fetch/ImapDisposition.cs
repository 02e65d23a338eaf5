namespace Encimap.Imap.Protocol;

/// <summary>A Content-Disposition of a body part.</summary>
public sealed record ImapDisposition(string Type, IReadOnlyList<KeyValuePair<string, string>> Parameters);
