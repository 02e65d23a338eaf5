namespace Encimap.Imap.Protocol;

/// <summary>IDLE (RFC 2177), optional.</summary>
public interface IImapIdleSession
{
    /// <summary>Reports changes as they happen until <paramref name="stop"/> is cancelled.</summary>
    Task IdleAsync(IUpdateSink updates, CancellationToken stop);
}
