using System.Text.RegularExpressions;

namespace Encimap.Imap.Tests;

/// <summary>
/// What one client session knows of its selected mailbox, built only from the server's untagged
/// responses, as a client keeps it: the sequence numbers with their UIDs (0 until a FETCH names
/// it) and the last flags told per UID. Every response is checked against RFC 3501 as it is
/// applied: EXISTS never shrinks the mailbox (§7.3.1), EXPUNGE and FETCH name a message that
/// exists (§7.4.1, §7.4.2), a sequence number keeps its UID until an EXPUNGE moves it, UIDs
/// ascend with the sequence numbers (§2.3.1.1) and UIDVALIDITY stays.
/// </summary>
public sealed partial class SessionView(string name)
{
    private readonly List<uint> _uids = [];
    private readonly Dictionary<uint, string[]> _flags = [];
    private uint _uidValidity;

    /// <summary>The UIDs by sequence number (index 0 is message 1); 0 where the server has not named it yet.</summary>
    public IReadOnlyList<uint> Uids => _uids;

    /// <summary>The flags last told per UID, \Recent left out.</summary>
    public IReadOnlyDictionary<uint, string[]> Flags => _flags;

    /// <summary>Forgets the mailbox (before a SELECT).</summary>
    public void Reset()
    {
        _uids.Clear();
        _flags.Clear();
    }

    /// <summary>Applies the untagged responses of one command; returns what broke a rule.</summary>
    public List<string> Apply(string command, IEnumerable<string> untagged)
    {
        var violations = new List<string>();
        void Violation(string text) => violations.Add($"{name} `{command}`: {text}");
        foreach (var line in untagged)
        {
            if (ExistsPattern().Match(line) is { Success: true } exists)
            {
                var count = int.Parse(exists.Groups[1].Value);
                if (count < _uids.Count)
                {
                    Violation($"`{line}` shrinks the mailbox of {_uids.Count} messages without EXPUNGE");
                }

                while (_uids.Count < count)
                {
                    _uids.Add(0);
                }
            }
            else if (ExpungePattern().Match(line) is { Success: true } expunge)
            {
                var number = int.Parse(expunge.Groups[1].Value);
                if (number < 1 || number > _uids.Count)
                {
                    Violation($"`{line}` names no message of {_uids.Count}");
                    continue;
                }

                _flags.Remove(_uids[number - 1]);
                _uids.RemoveAt(number - 1);
            }
            else if (FetchPattern().Match(line) is { Success: true } fetch)
            {
                ApplyFetch(line, int.Parse(fetch.Groups[1].Value), fetch.Groups[2].Value, Violation);
            }
            else if (UidValidityPattern().Match(line) is { Success: true } validity)
            {
                var value = uint.Parse(validity.Groups[1].Value);
                if (_uidValidity != 0 && value != _uidValidity)
                {
                    Violation($"UIDVALIDITY changed from {_uidValidity} to {value}");
                }

                _uidValidity = value;
            }
        }

        var known = _uids.Where(u => u != 0).ToList();
        for (var i = 1; i < known.Count; i++)
        {
            if (known[i] <= known[i - 1])
            {
                Violation($"UIDs out of order in the session's view: {string.Join(",", _uids)}");
                break;
            }
        }

        return violations;
    }

    private void ApplyFetch(string line, int number, string items, Action<string> violation)
    {
        if (number < 1 || number > _uids.Count)
        {
            violation($"`{Shorten(line)}` names no message of {_uids.Count}");
            return;
        }

        // Only the items before a body section: its content is not parsed.
        var head = items.Split(" BODY[")[0];
        var uid = _uids[number - 1];
        if (UidItemPattern().Match(head) is { Success: true } uidItem)
        {
            var told = uint.Parse(uidItem.Groups[1].Value);
            if (uid != 0 && uid != told)
            {
                violation($"`{Shorten(line)}`: message {number} was UID {uid}");
            }

            uid = _uids[number - 1] = told;
        }

        if (uid != 0 && FlagsItemPattern().Match(head) is { Success: true } flags)
        {
            _flags[uid] = flags.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(f => f != "\\Recent").Order(StringComparer.Ordinal).ToArray();
        }
    }

    private static string Shorten(string line) => line.Length > 120 ? line[..120] + "…" : line;

    [GeneratedRegex(@"^\* (\d+) EXISTS$")]
    private static partial Regex ExistsPattern();

    [GeneratedRegex(@"^\* (\d+) EXPUNGE$")]
    private static partial Regex ExpungePattern();

    [GeneratedRegex(@"^\* (\d+) FETCH \((.*)\)$", RegexOptions.Singleline)]
    private static partial Regex FetchPattern();

    [GeneratedRegex(@"\[UIDVALIDITY (\d+)\]")]
    private static partial Regex UidValidityPattern();

    [GeneratedRegex(@"(?:^|\s)UID (\d+)")]
    private static partial Regex UidItemPattern();

    [GeneratedRegex(@"FLAGS \(([^)]*)\)")]
    private static partial Regex FlagsItemPattern();
}
