namespace Encimap.Imap.Protocol;

/// <summary>
/// The selected mailbox as THIS session knows it: the UIDs in sequence order. Message sequence
/// numbers are positions in this list, so they change only when this session is told of an
/// expunge (RFC 3501 §7.4.1) — never because another session changed the mailbox.
/// </summary>
public sealed class MailboxView
{
    private readonly List<uint> _uids;
    private readonly List<string> _keywords = [];
    private readonly HashSet<uint> _recent = [];

    public MailboxView(string name, uint uidValidity, IEnumerable<uint> uids, bool readOnly, IEnumerable<string>? keywords = null)
    {
        Name = name;
        UidValidity = uidValidity;
        ReadOnly = readOnly;
        _uids = uids.Order().ToList();
        LearnKeywords(keywords ?? []);
    }

    public string Name { get; }

    public uint UidValidity { get; }

    public bool ReadOnly { get; }

    /// <summary>CONDSTORE was enabled for this selection (MODSEQ in untagged FETCH).</summary>
    public bool CondStore { get; set; }

    /// <summary>The mod-sequence up to which this session has been told of every change (its HIGHESTMODSEQ).</summary>
    public ulong HighestModSeq { get; set; }

    public int Count => _uids.Count;

    public IReadOnlyList<uint> Uids => _uids;

    /// <summary>Messages that are \Recent for this session: it is the first to have been told of them (RFC 3501 §2.3.2).</summary>
    public int RecentCount => _recent.Count;

    public bool IsRecent(uint uid) => _recent.Contains(uid);

    public IEnumerable<uint> RecentUids => _recent.Order();

    public void MarkRecent(IEnumerable<uint> uids) => _recent.UnionWith(uids);

    /// <summary>IMAP4rev2 has no \Recent (RFC 9051 appendix E).</summary>
    public void ForgetRecent() => _recent.Clear();

    /// <summary>The keywords this session has been told of in FLAGS (RFC 3501 §7.2.6).</summary>
    public IReadOnlyList<string> Keywords => _keywords;

    public uint LargestUid => _uids.Count == 0 ? 0 : _uids[^1];

    /// <summary>Adds the keywords among <paramref name="flags"/> that this session was not told of; true when there were any.</summary>
    public bool LearnKeywords(IEnumerable<string> flags)
    {
        var learned = false;
        foreach (var flag in flags)
        {
            if (!flag.StartsWith('\\') && !_keywords.Contains(flag, StringComparer.OrdinalIgnoreCase))
            {
                _keywords.Add(flag);
                learned = true;
            }
        }

        return learned;
    }

    /// <summary>The sequence number of <paramref name="uid"/>, or 0 when this session does not know it.</summary>
    public uint SequenceOf(uint uid)
    {
        var index = _uids.BinarySearch(uid);
        return index < 0 ? 0 : (uint)index + 1;
    }

    public uint UidAt(uint sequence) => _uids[(int)sequence - 1];

    /// <summary>Adds newly announced UIDs (larger than every known one); returns the new count.</summary>
    public int Append(IEnumerable<uint> uids)
    {
        foreach (var uid in uids.Order())
        {
            if (uid > LargestUid)
            {
                _uids.Add(uid);
            }
            else if (_uids.BinarySearch(uid) is var i && i < 0)
            {
                _uids.Insert(~i, uid);
            }
        }

        return _uids.Count;
    }

    /// <summary>Removes an expunged UID; returns its former sequence number (0 if unknown).</summary>
    public uint Remove(uint uid)
    {
        var index = _uids.BinarySearch(uid);
        if (index < 0)
        {
            return 0;
        }

        _uids.RemoveAt(index);
        _recent.Remove(uid);
        return (uint)index + 1;
    }

    /// <summary>
    /// The UID ranges a sequence set (or UID set) designates, ascending. Sequence numbers beyond
    /// the mailbox are an error (null), unless <paramref name="clipToMailbox"/>: then they
    /// designate nothing, as SEARCH treats them; UID sets may name UIDs that do not exist.
    /// </summary>
    public IReadOnlyList<UidRange>? Resolve(SequenceSet set, bool uid, bool clipToMailbox = false)
    {
        var ranges = new List<UidRange>();
        if (set.IsSavedResult)
        {
            return ranges;
        }

        if (uid)
        {
            foreach (var (low, high) in set.Resolve(LargestUid == 0 ? 0 : LargestUid))
            {
                if (high == 0)
                {
                    continue;
                }

                ranges.Add(new UidRange(Math.Max(low, 1), high));
            }
        }
        else
        {
            foreach (var (low, high) in set.Resolve((uint)_uids.Count))
            {
                var last = high;
                if (low == 0 || high > _uids.Count)
                {
                    if (!clipToMailbox)
                    {
                        return null;
                    }

                    // "*" of an empty mailbox is 0; a range that starts beyond the end designates nothing.
                    if (low == 0 || low > _uids.Count)
                    {
                        continue;
                    }

                    last = (uint)_uids.Count;
                }

                ranges.Add(new UidRange(_uids[(int)low - 1], _uids[(int)last - 1]));
            }
        }

        return UidRange.Normalize(ranges);
    }
}
