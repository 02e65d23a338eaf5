using Encimap.Imap.Protocol;

namespace Encimap.Imap.Protocol.Tests;

/// <summary>An in-memory store shared by sessions (one user), for transcript tests.</summary>
public sealed class MemoryStore
{
    public static readonly DateTimeOffset DefaultInternalDate = new(2024, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public sealed class Message
    {
        public required uint Uid { get; init; }
        public List<string> Flags { get; set; } = [];
        public ulong ModSeq { get; set; }
        public required byte[] Content { get; init; }
        public DateTimeOffset InternalDate { get; init; } = DefaultInternalDate;
    }

    public sealed class Mailbox
    {
        public required string Name { get; set; }
        public string? SpecialUse { get; init; }
        public uint UidValidity { get; init; } = 1700000000;
        public uint UidNext { get; set; } = 1;
        public ulong HighestModSeq { get; set; } = 1;

        /// <summary>The highest UID a session has been given as \Recent.</summary>
        public uint RecentUid { get; set; }
        public List<Message> Messages { get; } = [];

        /// <summary>Expunged UIDs and the mod-sequence of their expunge (QRESYNC).</summary>
        public Dictionary<uint, ulong> Expunged { get; } = [];
    }

    public object Gate { get; } = new();

    /// <summary>The last UIDVALIDITY given: a mailbox created again gets a larger one (RFC 3501 §2.3.1.1).</summary>
    public uint LastUidValidity { get; set; } = 1700000000;

    /// <summary>Subscribed names; a subscription outlives its mailbox (RFC 3501 §6.3.6).</summary>
    public HashSet<string> Subscriptions { get; } = ["INBOX", "Sent", "Trash"];

    public List<Mailbox> Mailboxes { get; } =
    [
        new() { Name = "INBOX" }, new() { Name = "Sent", SpecialUse = @"\Sent" }, new() { Name = "Trash", SpecialUse = @"\Trash" },
    ];

    public event Action? Changed;

    /// <summary>APPEND refuses flags longer than this.</summary>
    public int MaxFlagLength { get; set; } = 128;

    /// <summary>Makes SEARCH fail as a storage outage (or a storage timeout) would.</summary>
    public Exception? SearchFailure { get; set; }

    /// <summary>The target of APPEND, COPY or MOVE (RFC 9051 §7.1: TRYCREATE when it is missing).</summary>
    public Mailbox Find(string name) => Mailboxes.FirstOrDefault(m => m.Name == name) ?? throw ImapException.No("No such mailbox", "TRYCREATE");

    /// <summary>A mailbox that must exist (SELECT, STATUS, DELETE, RENAME...).</summary>
    public Mailbox Existing(string name) => Mailboxes.FirstOrDefault(m => m.Name == name) ?? throw ImapException.No("No such mailbox", "NONEXISTENT");

    public uint Deliver(string mailbox, string content, params string[] flags) =>
        Deliver(mailbox, System.Text.Encoding.UTF8.GetBytes(content), flags, null);

    public uint Deliver(string mailbox, byte[] content, IEnumerable<string> flags, DateTimeOffset? internalDate)
    {
        uint uid;
        lock (Gate)
        {
            var box = Find(mailbox);
            uid = box.UidNext++;
            box.Messages.Add(new Message { Uid = uid, Content = content, Flags = [.. flags], ModSeq = ++box.HighestModSeq, InternalDate = internalDate ?? DefaultInternalDate });
        }

        Changed?.Invoke();
        return uid;
    }

    public void Touch() => Changed?.Invoke();

    /// <summary>As if a session had selected every mailbox: what is stored now is no longer \Recent.</summary>
    public void ClaimRecent()
    {
        lock (Gate)
        {
            foreach (var mailbox in Mailboxes)
            {
                mailbox.RecentUid = mailbox.UidNext - 1;
            }
        }
    }
}
