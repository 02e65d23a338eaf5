namespace Encimap.Imap.Protocol;

/// <summary>A complete client command: tag, upper-case name, whether it had the UID prefix, and its arguments.</summary>
public sealed record ImapCommand(string Tag, string Name, bool Uid, CommandArguments Arguments)
{
    public override string ToString() => $"{Tag} {(Uid ? "UID " : "")}{Name} {Arguments}";
}

/// <summary>The arguments of one command; each command has its own record.</summary>
public abstract record CommandArguments;

/// <summary>Commands without arguments (CAPABILITY, NOOP, LOGOUT, STARTTLS, CHECK, CLOSE, UNSELECT, EXPUNGE, NAMESPACE, IDLE).</summary>
public sealed record NoArguments : CommandArguments
{
    public static NoArguments Instance { get; } = new();
}

public sealed record LoginArguments(string Username, string Password) : CommandArguments
{
    // Never print the password (logs, test names).
    public override string ToString() => $"LoginArguments {{ Username = {Username} }}";
}

/// <summary>AUTHENTICATE; <see cref="InitialResponse"/> is the SASL-IR argument (base64, "=" for empty), if any.</summary>
public sealed record AuthenticateArguments(string Mechanism, string? InitialResponse) : CommandArguments;

/// <summary>CREATE, DELETE, SUBSCRIBE, UNSUBSCRIBE: one mailbox name as sent (see <see cref="MailboxName"/>).</summary>
public sealed record MailboxArguments(string Mailbox) : CommandArguments;

/// <summary>SELECT and EXAMINE, with the CONDSTORE select parameter.</summary>
public sealed record SelectArguments(string Mailbox, bool CondStore = false) : CommandArguments;

public sealed record RenameArguments(string From, string To) : CommandArguments;

/// <summary>LIST (RFC 5258 extended form included) and LSUB.</summary>
public sealed record ListArguments(
    string Reference,
    EquatableList<string> Patterns,
    ListSelection Selection = ListSelection.None,
    ListReturn Return = ListReturn.None,
    EquatableList<string>? ReturnStatus = null) : CommandArguments;

[Flags]
public enum ListSelection
{
    None = 0,
    Subscribed = 1,
    SpecialUse = 2,
    RecursiveMatch = 4,
    Remote = 8,
}

[Flags]
public enum ListReturn
{
    None = 0,
    Subscribed = 1,
    Children = 2,
    SpecialUse = 4,
    Status = 8,
}

/// <summary>STATUS; items upper-case (MESSAGES, RECENT, UIDNEXT, UIDVALIDITY, UNSEEN, HIGHESTMODSEQ, SIZE).</summary>
public sealed record StatusArguments(string Mailbox, EquatableList<string> Items) : CommandArguments;

/// <summary>APPEND of one message.</summary>
public sealed record AppendArguments(string Mailbox, EquatableList<string> Flags, DateTimeOffset? InternalDate, ReadOnlyMemory<byte> Message) : CommandArguments
{
    public bool Equals(AppendArguments? other) =>
        other is not null && Mailbox == other.Mailbox && Flags.Equals(other.Flags) && InternalDate == other.InternalDate &&
        Message.Span.SequenceEqual(other.Message.Span);

    public override int GetHashCode() => HashCode.Combine(Mailbox, Flags, InternalDate, Message.Length);

    public override string ToString() => $"AppendArguments {{ Mailbox = {Mailbox}, Flags = {Flags}, InternalDate = {InternalDate:O}, Message = {Message.Length} bytes }}";
}

/// <summary>FETCH / UID FETCH; macros (ALL, FAST, FULL) are expanded; UID FETCH adds <see cref="FetchAttribute.Uid"/>.</summary>
public sealed record FetchArguments(SequenceSet Set, EquatableList<FetchItem> Items, ulong? ChangedSince = null) : CommandArguments;

public enum StoreMode
{
    Replace,
    Add,
    Remove,
}

/// <summary>STORE / UID STORE, with the CONDSTORE UNCHANGEDSINCE modifier.</summary>
public sealed record StoreArguments(SequenceSet Set, StoreMode Mode, bool Silent, EquatableList<string> Flags, ulong? UnchangedSince = null) : CommandArguments;

/// <summary>COPY and MOVE (and their UID forms).</summary>
public sealed record CopyArguments(SequenceSet Set, string Mailbox) : CommandArguments;

/// <summary>SEARCH / UID SEARCH; <see cref="Return"/> is non-null for the ESEARCH form (RFC 4731).</summary>
public sealed record SearchArguments(string? Charset, SearchKey Criteria, SearchReturn? Return = null) : CommandArguments;

/// <summary>ESEARCH result options; none given means ALL.</summary>
[Flags]
public enum SearchReturn
{
    None = 0,
    Min = 1,
    Max = 2,
    All = 4,
    Count = 8,
    Save = 16,
}

/// <summary>UID EXPUNGE (UIDPLUS).</summary>
public sealed record ExpungeArguments(SequenceSet UidSet) : CommandArguments;

public sealed record EnableArguments(EquatableList<string> Capabilities) : CommandArguments;

/// <summary>ID (RFC 2971): field/value pairs, or null for NIL.</summary>
public sealed record IdArguments(EquatableList<KeyValuePair<string, string?>>? Parameters) : CommandArguments;
