namespace Encimap.Imap.Tests;

/// <summary>
/// Every UID the server has answered as assigned (APPENDUID, COPYUID), per mailbox, shared by
/// the sessions of a test: a UID is never handed out twice, and a command that began after
/// another one's answer gets larger UIDs than that one's (strictly ascending, RFC 3501 §2.3.1.1).
/// </summary>
public sealed class UidLedger
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SortedSet<uint>> _assigned = [];

    /// <summary>The largest UID answered so far in <paramref name="mailbox"/>: the floor for a command that begins now.</summary>
    public uint Floor(string mailbox)
    {
        lock (_lock)
        {
            return _assigned.TryGetValue(mailbox, out var uids) && uids.Count > 0 ? uids.Max : 0;
        }
    }

    /// <summary>Any UID handed out in <paramref name="mailbox"/> (perhaps expunged since), or 0.</summary>
    public uint Any(string mailbox, Random random)
    {
        lock (_lock)
        {
            return _assigned.TryGetValue(mailbox, out var uids) && uids.Count > 0 ? uids.ElementAt(random.Next(uids.Count)) : 0;
        }
    }

    /// <summary>Records UIDs a command was answered; returns what broke a rule.</summary>
    public List<string> Record(string mailbox, IEnumerable<uint> uids, uint floor)
    {
        var violations = new List<string>();
        lock (_lock)
        {
            var assigned = _assigned.TryGetValue(mailbox, out var set) ? set : _assigned[mailbox] = [];
            foreach (var uid in uids)
            {
                if (!assigned.Add(uid))
                {
                    violations.Add($"UID {uid} of {mailbox} handed out twice");
                }

                if (uid <= floor)
                {
                    violations.Add($"UID {uid} of {mailbox} not above {floor}, answered before the command began");
                }
            }
        }

        return violations;
    }
}
