namespace Encimap.Imap.Protocol;

/// <summary>Status of a tagged response.</summary>
public enum ImapStatus
{
    Ok,
    No,
    Bad,
}

/// <summary>
/// A backend's refusal, answered as a tagged NO (or BAD) with an optional response code, e.g.
/// <c>new ImapException(ImapStatus.No, "TRYCREATE", "no such mailbox")</c>.
/// </summary>
public sealed class ImapException(ImapStatus status, string? code, string text) : Exception(text)
{
    public ImapStatus Status { get; } = status;

    public string? Code { get; } = code;

    public static ImapException No(string text, string? code = null) => new(ImapStatus.No, code, text);
}

/// <summary>Who is connected, for the backend (login throttling, connection limits).</summary>
public sealed record ImapConnectionInfo(string RemoteAddress, bool Secure);

/// <summary>Creates one backend session per connection.</summary>
public interface IImapBackend
{
    IImapSession OpenSession(ImapConnectionInfo connection);
}

/// <summary>A mailbox of the authenticated user, for LIST/LSUB (the protocol side matches patterns).</summary>
public sealed record MailboxInfo(string Name, string? SpecialUse, bool Subscribed);

public sealed record SelectData(
    uint UidValidity,
    uint UidNext,
    IReadOnlyList<uint> Uids,
    ulong HighestModSeq,
    IReadOnlyList<string> Keywords,
    uint? FirstUnseenUid);

public sealed record MailboxStatus(uint Messages, uint UidNext, uint UidValidity, uint Unseen, ulong HighestModSeq, long Size, uint Deleted);

public sealed record AppendResult(uint UidValidity, uint Uid);

/// <summary>COPY/MOVE result for COPYUID: source UIDs and the UIDs their copies got, pairwise.</summary>
public sealed record CopyResult(uint UidValidity, IReadOnlyList<uint> SourceUids, IReadOnlyList<uint> DestinationUids);

public sealed record SearchMatch(uint Uid, ulong ModSeq);

/// <summary>The new state of a message whose flags a STORE changed.</summary>
public sealed record FlagUpdate(uint Uid, IReadOnlyList<string> Flags, ulong ModSeq);

public sealed record StoreResult(IReadOnlyList<FlagUpdate> Updated, IReadOnlyList<uint> FailedUnchangedSince);

public sealed record FetchOptions(ulong? ChangedSince, bool SetSeen);

/// <summary>
/// Where a backend reports what changed in the selected mailbox since this session last looked
/// (new messages, expunges, flag changes). The protocol side turns them into EXISTS, EXPUNGE and
/// FETCH responses at the moments RFC 3501 allows.
/// </summary>
public interface IUpdateSink
{
    void Exists(IReadOnlyList<uint> newUids);

    void Expunged(uint uid);

    void FlagsChanged(FlagUpdate update);

    /// <summary>Sends what was written (IDLE).</summary>
    ValueTask FlushAsync(CancellationToken cancellationToken);
}

/// <summary>
/// One connection's storage session, shaped like go-imap v2's <c>imapserver.Session</c>: methods
/// grouped by the state they belong to; the protocol side calls them only in that state, with
/// mailbox names already decoded and UID ranges already resolved from sequence numbers.
/// </summary>
public interface IImapSession : IAsyncDisposable
{
    // ---- not authenticated
    /// <summary>False: wrong credentials (the backend delays and counts). Throws <see cref="ImapException"/> for other refusals.</summary>
    Task<bool> LoginAsync(string username, string password, CancellationToken cancellationToken);

    // ---- authenticated
    Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken cancellationToken);

    Task CreateAsync(string mailbox, CancellationToken cancellationToken);

    Task DeleteAsync(string mailbox, CancellationToken cancellationToken);

    Task RenameAsync(string from, string to, CancellationToken cancellationToken);

    Task SetSubscribedAsync(string mailbox, bool subscribed, CancellationToken cancellationToken);

    Task<MailboxStatus> StatusAsync(string mailbox, CancellationToken cancellationToken);

    Task<SelectData> SelectAsync(string mailbox, bool readOnly, CancellationToken cancellationToken);

    Task<AppendResult> AppendAsync(string mailbox, IReadOnlyList<string> flags, DateTimeOffset? internalDate, ReadOnlyMemory<byte> message, CancellationToken cancellationToken);

    // ---- selected
    Task UnselectAsync(CancellationToken cancellationToken);

    /// <summary>Reports changes of the selected mailbox since the last poll.</summary>
    Task PollAsync(IUpdateSink updates, bool force, CancellationToken cancellationToken);

    /// <summary>Streams the messages of <paramref name="uids"/> into <paramref name="writer"/>.</summary>
    Task FetchAsync(FetchWriter writer, IReadOnlyList<UidRange> uids, FetchOptions options, CancellationToken cancellationToken);

    Task<StoreResult> StoreAsync(IReadOnlyList<UidRange> uids, StoreMode mode, IReadOnlyList<string> flags, ulong? unchangedSince, CancellationToken cancellationToken);

    /// <summary>Removes messages flagged \Deleted (only those in <paramref name="uids"/> if given); returns their UIDs.</summary>
    Task<IReadOnlyList<uint>> ExpungeAsync(IReadOnlyList<UidRange>? uids, CancellationToken cancellationToken);

    /// <summary>Messages matching <paramref name="criteria"/>, whose sets are all UID sets (sequence sets resolved).</summary>
    Task<IReadOnlyList<SearchMatch>> SearchAsync(SearchKey criteria, CancellationToken cancellationToken);

    Task<CopyResult> CopyAsync(IReadOnlyList<UidRange> uids, string destination, CancellationToken cancellationToken);
}

/// <summary>MOVE (RFC 6851), optional.</summary>
public interface IImapMoveSession
{
    /// <summary>Moves the messages; the source UIDs of the result are the ones expunged from the selected mailbox.</summary>
    Task<CopyResult> MoveAsync(IReadOnlyList<UidRange> uids, string destination, CancellationToken cancellationToken);
}

/// <summary>IDLE (RFC 2177), optional.</summary>
public interface IImapIdleSession
{
    /// <summary>Reports changes as they happen until <paramref name="stop"/> is cancelled.</summary>
    Task IdleAsync(IUpdateSink updates, CancellationToken stop);
}

/// <summary>The connection under a session: the stream and, on a cleartext port, STARTTLS.</summary>
public interface IImapTransport
{
    Stream Stream { get; }

    bool IsSecure { get; }

    bool CanStartTls { get; }

    string RemoteAddress { get; }

    /// <summary>Runs the TLS handshake on the connection; <see cref="Stream"/> is the TLS stream afterwards.</summary>
    Task StartTlsAsync(CancellationToken cancellationToken);
}
