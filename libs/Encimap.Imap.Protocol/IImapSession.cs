namespace Encimap.Imap.Protocol;

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

    /// <summary>Stores the messages, all or none of them (RFC 3502); their flags hold no \Recent.</summary>
    Task<AppendResult> AppendAsync(string mailbox, IReadOnlyList<AppendMessage> messages, CancellationToken cancellationToken);

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
