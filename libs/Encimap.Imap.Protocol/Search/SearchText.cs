namespace Encimap.Imap.Protocol;

/// <summary>BODY (body only) and TEXT (header and body). Only the part that is in clear can match.</summary>
public sealed record SearchText(bool BodyOnly, string Value) : SearchKey;
