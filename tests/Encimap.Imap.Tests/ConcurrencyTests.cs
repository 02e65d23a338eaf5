using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Encimap.Imap.Tests;

/// <summary>
/// Many real sessions (TLS, both IMAP instances) on one mailbox, each running a random mix of
/// SELECT, FETCH (some setting \Seen), STORE of flags and keywords, EXPUNGE, APPEND, COPY and
/// MOVE, with the invariants checked after every step: every valid command is answered OK (no
/// NO, no BAD: a deadlock or serialization failure must never reach a client), UIDs are never
/// handed out twice and ascend, each session's view obeys RFC 3501's rules on EXISTS, EXPUNGE
/// and FETCH, and at the end every session's view equals what is stored.
/// </summary>
[Collection(ImapFleetCollection.Name)]
public sealed partial class ConcurrencyTests(ImapFixture fleet, ITestOutputHelper output)
{
    private const int Sessions = 10;
    private const int InitialMessages = 16;
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(20);
    private static readonly string[] Keywords = ["\\Seen", "\\Flagged", "\\Answered", "\\Draft", "$Work", "$Later"];

    private static string Message(string subject) =>
        $"From: a@example.com\r\nTo: b@example.com\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@example.com>\r\n\r\nbody of {subject}\r\n";

    [Fact]
    public async Task Ten_sessions_on_one_mailbox_keep_uids_flags_and_views_consistent()
    {
        var account = await fleet.CreateAccountAsync("busy");
        var ledger = new UidLedger();
        var initial = new List<uint>();
        for (var i = 0; i < InitialMessages; i++)
        {
            initial.Add(await fleet.DeliverAsync(account, Message($"initial {i}")));
        }

        ledger.Record("INBOX", initial, 0);
        var violations = new ConcurrentQueue<string>();
        var commands = 0;
        var refused = new ConcurrentDictionary<string, int>();
        var clients = new List<(RawImapClient Client, SessionView View)>();
        try
        {
            for (var i = 0; i < Sessions; i++)
            {
                // Half on each instance: changes must reach sessions of the other one too.
                var client = await RawImapClient.LoginAsync(i % 2 == 0 ? fleet.ImapsPort : fleet.SecondImapsPort, account);
                clients.Add((client, new SessionView($"session {i}")));
            }

            var watch = Stopwatch.StartNew();
            await Task.WhenAll(clients.Select((c, i) => Task.Run(async () =>
            {
                var random = new Random(i * 7919 + Environment.TickCount);
                await SelectAsync(c.Client, c.View, violations);
                while (watch.Elapsed < Duration)
                {
                    var (command, isAppend) = NextCommand(random, c.View, ledger);
                    if (command == "SELECT INBOX")
                    {
                        Interlocked.Increment(ref commands);
                        await SelectAsync(c.Client, c.View, violations);
                        continue;
                    }

                    var floors = new Dictionary<string, uint> { ["INBOX"] = ledger.Floor("INBOX"), ["Archive"] = ledger.Floor("Archive") };
                    var answer = isAppend ? await c.Client.AppendAsync("INBOX", Message($"appended by {i}")) : await c.Client.ResponsesAsync(command);
                    Interlocked.Increment(ref commands);
                    if (!answer.Status.StartsWith("OK", StringComparison.Ordinal))
                    {
                        refused.AddOrUpdate(answer.Status, 1, (_, n) => n + 1);
                        violations.Enqueue($"session {i} `{command}`: {answer.Status}");
                    }

                    // Flags are checked at the end, against what is stored: a STORE's answer may also
                    // report another session's later change of the same message.
                    foreach (var violation in c.View.Apply(command, answer.Untagged).Concat(CheckAssignedUids(command, answer, floors, ledger)))
                    {
                        violations.Enqueue(violation);
                    }
                }
            })));
            var elapsed = watch.Elapsed;

            // Quiet now: after a NOOP each session must see exactly what is stored.
            var stored = await StoredAsync(account);
            foreach (var (client, view) in clients)
            {
                foreach (var command in (string[])["NOOP", "UID FETCH 1:* (FLAGS)"])
                {
                    var answer = await client.ResponsesAsync(command);
                    Assert.StartsWith("OK", answer.Status);
                    foreach (var violation in view.Apply(command, answer.Untagged))
                    {
                        violations.Enqueue(violation);
                    }
                }

                var seen = string.Join(",", view.Uids);
                if (seen != string.Join(",", stored.Keys))
                {
                    violations.Enqueue($"a session's view {seen} is not the stored {string.Join(",", stored.Keys)}");
                }
                else if (view.Uids.FirstOrDefault(u => !view.Flags.TryGetValue(u, out var f) || !f.SequenceEqual(stored[u])) is var differs and not 0)
                {
                    violations.Enqueue($"a session has UID {differs} with flags ({string.Join(' ', view.Flags.GetValueOrDefault(differs) ?? [])}), stored ({string.Join(' ', stored[differs])})");
                }
            }

            foreach (var broken in await StoredStateViolationsAsync(account))
            {
                violations.Enqueue(broken);
            }

            output.WriteLine($"{commands} commands by {Sessions} sessions in {elapsed.TotalSeconds:N1} s ({commands / elapsed.TotalSeconds:N0}/s); " +
                $"{stored.Count} messages at the end; refused: {(refused.IsEmpty ? "none" : string.Join("; ", refused.Select(r => $"{r.Value} × {r.Key}")))}");
            Assert.True(violations.IsEmpty,
                $"{violations.Count} violations in {commands} commands ({refused.Values.Sum()} refused: " +
                $"{string.Join("; ", refused.Select(r => $"{r.Value} × {r.Key}"))}):\n{string.Join("\n", violations.Take(30))}");
        }
        finally
        {
            foreach (var (client, _) in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>A random command on the session's mailbox, mostly on UIDs it knows, sometimes on one that may be gone.</summary>
    private static (string Command, bool IsAppend) NextCommand(Random random, SessionView view, UidLedger ledger)
    {
        var known = view.Uids.Where(u => u != 0).ToList();
        var uid = known.Count > 0 && random.Next(5) > 0 ? known[random.Next(known.Count)] : Math.Max(1, ledger.Any("INBOX", random));
        var last = known.Count > 0 ? known[random.Next(known.Count)] : uid;
        var range = $"{Math.Min(uid, last)}:{Math.Max(uid, last)}";
        var keyword = Keywords[random.Next(Keywords.Length)];
        return random.Next(100) switch
        {
            < 14 => ("UID FETCH 1:* (FLAGS)", false),
            < 20 => ($"UID FETCH {uid} (UID BODY[])", false),
            < 26 => ($"FETCH 1:* (UID FLAGS)", false),
            < 36 => ($"UID STORE {uid} +FLAGS ({keyword})", false),
            < 44 => ($"UID STORE {uid} -FLAGS ({keyword})", false),
            < 50 => ($"UID STORE {range} +FLAGS.SILENT ({keyword})", false),
            < 58 => ($"UID STORE {uid} +FLAGS.SILENT (\\Deleted)", false),
            < 63 => ("EXPUNGE", false),
            < 68 => ($"UID EXPUNGE {range}", false),
            < 78 => ("APPEND", true),
            < 84 => ($"UID COPY {uid} INBOX", false),
            < 89 => ($"UID COPY {range} Archive", false),
            < 93 => ($"UID MOVE {uid} Archive", false),
            < 97 => ("NOOP", false),
            _ => ("SELECT INBOX", false),
        };
    }

    private static async Task SelectAsync(RawImapClient client, SessionView view, ConcurrentQueue<string> violations)
    {
        view.Reset();
        foreach (var command in (string[])["SELECT INBOX", "UID FETCH 1:* (FLAGS)"])
        {
            var answer = await client.ResponsesAsync(command);
            if (!answer.Status.StartsWith("OK", StringComparison.Ordinal))
            {
                violations.Enqueue($"`{command}`: {answer.Status}");
            }

            foreach (var violation in view.Apply(command, answer.Untagged))
            {
                violations.Enqueue(violation);
            }
        }
    }

    /// <summary>APPENDUID and COPYUID (RFC 4315) answer new UIDs: never given before, above the floor when the command began.</summary>
    private static IEnumerable<string> CheckAssignedUids(string command, (List<string> Untagged, string Status) answer, Dictionary<string, uint> floors, UidLedger ledger)
    {
        var target = command.StartsWith("UID COPY", StringComparison.Ordinal) || command.StartsWith("UID MOVE", StringComparison.Ordinal)
            ? command.Split(' ')[^1]
            : "INBOX";
        foreach (var line in answer.Untagged.Append(answer.Status))
        {
            if (AppendUidPattern().Match(line) is { Success: true } append)
            {
                return ledger.Record(target, UidSet(append.Groups[1].Value), floors[target]).Select(v => $"`{command}`: {v}");
            }

            if (CopyUidPattern().Match(line) is { Success: true } copy)
            {
                return ledger.Record(target, UidSet(copy.Groups[1].Value), floors[target]).Select(v => $"`{command}`: {v}");
            }
        }

        return [];
    }

    private static IEnumerable<uint> UidSet(string set)
    {
        foreach (var part in set.Split(','))
        {
            var bounds = part.Split(':').Select(uint.Parse).ToArray();
            for (var uid = bounds.Min(); uid <= bounds.Max(); uid++)
            {
                yield return uid;
            }
        }
    }

    /// <summary>The stored INBOX: UID → flags, in UID order.</summary>
    private async Task<SortedDictionary<uint, string[]>> StoredAsync(ImapAccount account)
    {
        var rows = await fleet.ScalarAsync<string[]>(
            """
            SELECT coalesce(array_agg(m.uid || ' ' || array_to_string(m.flags, ' ') ORDER BY m.uid), '{}')
            FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE b.vaultbox_id = $1 AND b.name = 'INBOX'
            """, account.Id);
        var stored = new SortedDictionary<uint, string[]>();
        foreach (var row in rows)
        {
            var parts = row.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            stored[uint.Parse(parts[0])] = parts.Skip(1).Order(StringComparer.Ordinal).ToArray();
        }

        return stored;
    }

    /// <summary>The vaultbox's counters and UIDs as stored: UIDNEXT above every UID ever used, no expunged UID back in use, HIGHESTMODSEQ the highest.</summary>
    private async Task<List<string>> StoredStateViolationsAsync(ImapAccount account)
    {
        var broken = new List<string>();
        var rows = await fleet.ScalarAsync<string[]>(
            """
            SELECT coalesce(array_agg(b.name || ': ' || concat_ws(', ',
                CASE WHEN b.uid_next <= (SELECT coalesce(max(uid), 0) FROM messages WHERE mailbox_id = b.id) THEN 'UIDNEXT not above the messages' END,
                CASE WHEN b.uid_next <= (SELECT coalesce(max(uid), 0) FROM expunged_messages WHERE mailbox_id = b.id) THEN 'UIDNEXT not above the expunged' END,
                CASE WHEN EXISTS (SELECT 1 FROM expunged_messages e JOIN messages m ON m.mailbox_id = e.mailbox_id AND m.uid = e.uid WHERE e.mailbox_id = b.id)
                     THEN 'an expunged UID in use again' END,
                CASE WHEN b.highest_modseq < (SELECT coalesce(max(modseq), 0) FROM messages WHERE mailbox_id = b.id) THEN 'HIGHESTMODSEQ below a message''s' END)), '{}')
            FROM mailboxes b WHERE b.vaultbox_id = $1
            """, account.Id);
        broken.AddRange(rows.Where(r => !r.EndsWith(": ", StringComparison.Ordinal)));
        return broken;
    }

    [GeneratedRegex(@"\[APPENDUID \d+ ([\d:,]+)\]")]
    private static partial Regex AppendUidPattern();

    [GeneratedRegex(@"\[COPYUID \d+ [\d:,]+ ([\d:,]+)\]")]
    private static partial Regex CopyUidPattern();
}
