using Encimap.Imap.Protocol;

namespace Encimap.Imap.Protocol.Tests;

/// <summary>A backend session over a <see cref="MemoryStore"/>.</summary>
public sealed class MemorySession(MemoryStore store) : IImapSession, IImapMoveSession, IImapIdleSession, IImapQresyncSession
{
    private MemoryStore.Mailbox? _selected;
    private bool _readOnly;
    private HashSet<uint> _known = [];
    private ulong _seenModSeq;
    private readonly Dictionary<uint, ulong> _own = [];

    public Task<bool> LoginAsync(string username, string password, CancellationToken cancellationToken) =>
        Task.FromResult(username == "fred" && password == "secret");

    public Task<IReadOnlyList<MailboxInfo>> ListMailboxesAsync(CancellationToken cancellationToken)
    {
        lock (store.Gate)
        {
            var mailboxes = store.Mailboxes.Select(m => new MailboxInfo(m.Name, m.SpecialUse, store.Subscriptions.Contains(m.Name))).ToList();
            mailboxes.AddRange(store.Subscriptions.Where(name => store.Mailboxes.All(m => m.Name != name)).Select(name => new MailboxInfo(name, null, true, Exists: false)));
            return Task.FromResult<IReadOnlyList<MailboxInfo>>(mailboxes);
        }
    }

    public Task CreateAsync(string mailbox, CancellationToken cancellationToken)
    {
        lock (store.Gate)
        {
            if (store.Mailboxes.Any(m => m.Name == mailbox))
            {
                throw ImapException.No("Mailbox exists", "ALREADYEXISTS");
            }

            store.Mailboxes.Add(new MemoryStore.Mailbox { Name = mailbox, UidValidity = ++store.LastUidValidity });
            store.Subscriptions.Add(mailbox);
        }

        return Task.CompletedTask;
    }

    public Task DeleteAsync(string mailbox, CancellationToken cancellationToken)
    {
        lock (store.Gate)
        {
            store.Mailboxes.Remove(store.Existing(mailbox));
        }

        return Task.CompletedTask;
    }

    public Task RenameAsync(string from, string to, CancellationToken cancellationToken)
    {
        lock (store.Gate)
        {
            store.Existing(from).Name = to;
            if (store.Subscriptions.Remove(from))
            {
                store.Subscriptions.Add(to);
            }
        }

        return Task.CompletedTask;
    }

    public Task SetSubscribedAsync(string mailbox, bool subscribed, CancellationToken cancellationToken)
    {
        lock (store.Gate)
        {
            if (subscribed)
            {
                // A server may refuse to subscribe to a name that has no mailbox (RFC 3501 §6.3.6).
                store.Subscriptions.Add(store.Existing(mailbox).Name);
            }
            else if (!store.Subscriptions.Remove(mailbox))
            {
                throw ImapException.No("Not subscribed", "NONEXISTENT");
            }
        }

        return Task.CompletedTask;
    }

    public Task<MailboxStatus> StatusAsync(string mailbox, CancellationToken cancellationToken)
    {
        lock (store.Gate)
        {
            var box = store.Existing(mailbox);
            return Task.FromResult(new MailboxStatus((uint)box.Messages.Count, box.UidNext, box.UidValidity,
                (uint)box.Messages.Count(m => !m.Flags.Contains(Flags.Seen)), box.HighestModSeq, box.Messages.Sum(m => (long)m.Content.Length),
                (uint)box.Messages.Count(m => m.Flags.Contains(Flags.Deleted)), (uint)box.Messages.Count(m => m.Uid > box.RecentUid)));
        }
    }

    public Task<SelectData> SelectAsync(string mailbox, bool readOnly, CancellationToken cancellationToken)
    {
        lock (store.Gate)
        {
            var box = store.Existing(mailbox);
            _selected = box;
            _readOnly = readOnly;
            _known = box.Messages.Select(m => m.Uid).ToHashSet();
            _seenModSeq = box.HighestModSeq;
            var keywords = box.Messages.SelectMany(m => m.Flags).Where(f => !f.StartsWith('\\')).Distinct().Order(StringComparer.Ordinal).ToList();
            return Task.FromResult(new SelectData(box.UidValidity, box.UidNext, [.. _known], box.HighestModSeq, keywords,
                box.Messages.FirstOrDefault(m => !m.Flags.Contains(Flags.Seen))?.Uid, ClaimRecent(_known)));
        }
    }

    public Task<AppendResult> AppendAsync(string mailbox, IReadOnlyList<AppendMessage> messages, CancellationToken cancellationToken)
    {
        // All or nothing (RFC 3502): every message is checked before any is stored.
        var box = store.Find(mailbox);
        if (messages.FirstOrDefault(m => m.Flags.Any(f => f.Length > store.MaxFlagLength)) is not null)
        {
            throw ImapException.No("A flag is too long");
        }

        var uids = messages.Select(m => store.Deliver(mailbox, m.Message.ToArray(), m.Flags, m.InternalDate)).ToList();
        return Task.FromResult(new AppendResult(box.UidValidity, uids));
    }

    public Task UnselectAsync(CancellationToken cancellationToken)
    {
        _selected = null;
        return Task.CompletedTask;
    }

    public Task PollAsync(IUpdateSink updates, bool force, CancellationToken cancellationToken)
    {
        lock (store.Gate)
        {
            var box = _selected!;
            var current = box.Messages.Select(m => m.Uid).ToHashSet();
            var expunged = _known.Where(u => !current.Contains(u)).Order().ToList();
            _known.ExceptWith(expunged);
            updates.Expunged(expunged);

            foreach (var m in box.Messages.Where(m => _known.Contains(m.Uid) && m.ModSeq > _seenModSeq &&
                !(_own.TryGetValue(m.Uid, out var own) && own == m.ModSeq)))
            {
                updates.FlagsChanged(new FlagUpdate(m.Uid, [.. m.Flags], m.ModSeq));
            }

            var added = current.Where(u => !_known.Contains(u)).Order().ToList();
            _known.UnionWith(added);
            updates.Exists(added, ClaimRecent(added));
            updates.HighestModSeqReached(box.HighestModSeq);
            _seenModSeq = box.HighestModSeq;
        }

        return Task.CompletedTask;
    }

    public async Task IdleAsync(IUpdateSink updates, CancellationToken stop)
    {
        var signal = new SemaphoreSlim(0);
        void OnChange() => signal.Release();
        store.Changed += OnChange;
        try
        {
            // Subscribed first, then caught up: nothing delivered in between is missed.
            await PollAsync(updates, false, stop);
            await updates.FlushAsync(stop);
            while (true)
            {
                await signal.WaitAsync(stop);
                await PollAsync(updates, false, stop);
                await updates.FlushAsync(stop);
            }
        }
        finally
        {
            store.Changed -= OnChange;
        }
    }

    /// <summary>The UIDs among <paramref name="uids"/> no session was given as \Recent; EXAMINE does not take them.</summary>
    private List<uint> ClaimRecent(IEnumerable<uint> uids)
    {
        var recent = uids.Where(u => u > _selected!.RecentUid).ToList();
        if (!_readOnly && recent.Count > 0)
        {
            _selected!.RecentUid = recent.Max();
        }

        return recent;
    }

    private IEnumerable<MemoryStore.Message> In(IReadOnlyList<UidRange> uids) =>
        _selected!.Messages.Where(m => UidRange.AnyContains(uids, m.Uid)).OrderBy(m => m.Uid);

    public async Task FetchAsync(FetchWriter writer, IReadOnlyList<UidRange> uids, FetchOptions options, CancellationToken cancellationToken)
    {
        List<MemoryStore.Message> messages;
        lock (store.Gate)
        {
            messages = In(uids).Where(m => options.ChangedSince is not { } since || m.ModSeq > since).ToList();
            if (options.SetSeen)
            {
                foreach (var m in messages.Where(m => !m.Flags.Contains(Flags.Seen)))
                {
                    m.Flags.Add(Flags.Seen);
                    m.ModSeq = ++_selected!.HighestModSeq;
                    _own[m.Uid] = m.ModSeq;
                }
            }
        }

        foreach (var m in messages)
        {
            await writer.WriteAsync(new FetchedMessage
            {
                Uid = m.Uid, Flags = [.. m.Flags], ModSeq = m.ModSeq, InternalDate = m.InternalDate, Size = m.Content.Length, Content = m.Content,
                Envelope = new ImapEnvelope(null, "subject " + m.Uid, [new ImapAddress("Al", null, "al", "example.com")], [], [], [], [], [], null, $"<{m.Uid}@example.com>"),
            }, cancellationToken);
        }
    }

    public Task<StoreResult> StoreAsync(IReadOnlyList<UidRange> uids, StoreMode mode, IReadOnlyList<string> flags, ulong? unchangedSince, CancellationToken cancellationToken)
    {
        var updated = new List<FlagUpdate>();
        var failed = new List<uint>();
        lock (store.Gate)
        {
            var modseq = ++_selected!.HighestModSeq;
            foreach (var m in In(uids).ToList())
            {
                if (unchangedSince is { } since && m.ModSeq > since)
                {
                    failed.Add(m.Uid);
                    continue;
                }

                m.Flags = mode switch
                {
                    StoreMode.Add => m.Flags.Union(flags).ToList(),
                    StoreMode.Remove => m.Flags.Except(flags).ToList(),
                    _ => [.. flags],
                };
                m.ModSeq = modseq;
                _own[m.Uid] = modseq;
                updated.Add(new FlagUpdate(m.Uid, [.. m.Flags], modseq));
            }

        }

        return Task.FromResult(new StoreResult(updated, failed));
    }

    public Task<IReadOnlyList<uint>> ExpungeAsync(IReadOnlyList<UidRange>? uids, CancellationToken cancellationToken)
    {
        lock (store.Gate)
        {
            var gone = _selected!.Messages.Where(m => m.Flags.Contains(Flags.Deleted) && (uids is null || UidRange.AnyContains(uids, m.Uid))).ToList();
            _selected.HighestModSeq++;
            foreach (var m in gone)
            {
                _selected.Messages.Remove(m);
                _selected.Expunged[m.Uid] = _selected.HighestModSeq;
                _known.Remove(m.Uid);
            }

            return Task.FromResult<IReadOnlyList<uint>>(gone.Select(m => m.Uid).ToList());
        }
    }

    public Task<IReadOnlyList<SearchMatch>> SearchAsync(SearchKey criteria, CancellationToken cancellationToken)
    {
        if (store.SearchFailure is { } failure)
        {
            throw failure;
        }

        lock (store.Gate)
        {
            return Task.FromResult<IReadOnlyList<SearchMatch>>(_selected!.Messages
                .Where(m => SearchEvaluator.Matches(criteria, new SearchCandidate
                {
                    Uid = m.Uid, Flags = m.Flags, InternalDate = m.InternalDate, Size = m.Content.Length, ModSeq = m.ModSeq,
                    Header = m.Content.AsMemory(0, HeaderBlock.Length(m.Content)),
                }))
                .Select(m => new SearchMatch(m.Uid, m.ModSeq)).ToList());
        }
    }

    public Task<CopyResult> CopyAsync(IReadOnlyList<UidRange> uids, string destination, CancellationToken cancellationToken)
    {
        lock (store.Gate)
        {
            var target = store.Find(destination);
            var sources = In(uids).ToList();
            var copies = new List<uint>();
            foreach (var m in sources)
            {
                var uid = target.UidNext++;
                target.Messages.Add(new MemoryStore.Message { Uid = uid, Content = m.Content, Flags = [.. m.Flags], ModSeq = ++target.HighestModSeq });
                copies.Add(uid);
            }

            return Task.FromResult(new CopyResult(target.UidValidity, sources.Select(m => m.Uid).ToList(), copies));
        }
    }

    public async Task<CopyResult> MoveAsync(IReadOnlyList<UidRange> uids, string destination, CancellationToken cancellationToken)
    {
        var result = await CopyAsync(uids, destination, cancellationToken);
        lock (store.Gate)
        {
            _selected!.Messages.RemoveAll(m => result.SourceUids.Contains(m.Uid));
            _selected.HighestModSeq++;
            foreach (var uid in result.SourceUids)
            {
                _selected.Expunged[uid] = _selected.HighestModSeq;
            }

            _known.ExceptWith(result.SourceUids);
        }

        return result;
    }

    public Task<IReadOnlyList<uint>> VanishedAsync(IReadOnlyList<UidRange> uids, ulong sinceModSeq, CancellationToken cancellationToken)
    {
        lock (store.Gate)
        {
            return Task.FromResult<IReadOnlyList<uint>>(_selected!.Expunged.Where(e => e.Value > sinceModSeq && UidRange.AnyContains(uids, e.Key)).Select(e => e.Key).Order().ToList());
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
