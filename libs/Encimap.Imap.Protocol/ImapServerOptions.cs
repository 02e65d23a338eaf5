namespace Encimap.Imap.Protocol;

public sealed record ImapServerOptions
{
    public string Greeting { get; init; } = "Encimap IMAP4rev1 ready";

    public ImapLimits Limits { get; init; } = new();

    /// <summary>Allow LOGIN/AUTHENTICATE without TLS (development only).</summary>
    public bool AllowCleartextAuthentication { get; init; }

    /// <summary>Told of a backend failure that was answered <c>NO [UNAVAILABLE]</c> (for logging).</summary>
    public Action<ImapCommand, Exception>? OnError { get; init; }
}
