using System.Text;
using Encimap.Testing;

namespace Encimap.Imap.Tests;

/// <summary>mbsync (isync) syncing a vaultbox to a local Maildir and back.</summary>
[Collection(ImapFleetCollection.Name)]
public sealed class MbsyncTests(ImapFixture fleet)
{
    [Fact]
    public async Task Mbsync_syncs_both_ways()
    {
        var account = await fleet.CreateAccountAsync("mbsync");
        var originals = Enumerable.Range(1, 5)
            .Select(i => $"From: Sender {i} <s{i}@example.com>\r\nTo: x@example.com\r\nSubject: sync {i}\r\nMessage-ID: <sync{i}@example.com>\r\n\r\nBody {i}.\r\n")
            .ToArray();
        foreach (var original in originals)
        {
            await fleet.DeliverAsync(account, original);
        }

        using var scratch = new ScratchDirectory("mbsync-");
        var root = scratch.Path;
        var config = WriteConfig(root, account);
        await Sync(config);

        var inbox = Path.Combine(root, "mail", "INBOX");
        var local = LocalMessages(inbox);
        Assert.Equal(5, local.Count);
        foreach (var file in local)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            var decrypted = Encoding.UTF8.GetString(await fleet.DecryptAsync(account, bytes));
            Assert.Contains(originals, o => decrypted.Replace("\r\n", "\n").EndsWith(o.Replace("\r\n", "\n"), StringComparison.Ordinal));
        }

        Assert.True(Directory.Exists(Path.Combine(root, "mail", "Sent")));
        Assert.True(Directory.Exists(Path.Combine(root, "mail", "Archive")));

        // A flag set locally reaches the server.
        var flagged = local.First(f => Path.GetFileName(f).Contains(",U=2:", StringComparison.Ordinal));
        var renamed = Path.Combine(Path.GetDirectoryName(flagged)!.Replace("/new", "/cur", StringComparison.Ordinal), FlagName(Path.GetFileName(flagged), "FS"));
        File.Move(flagged, renamed);
        await Sync(config);
        var flags = await fleet.ScalarAsync<string[]>(
            "SELECT m.flags FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'INBOX' AND m.uid = 2", account.Id);
        Assert.Contains("\\Flagged", flags);
        Assert.Contains("\\Seen", flags);

        // A message deleted on the server (another client's EXPUNGE) disappears locally.
        await Tools.RunAsync("python3", ["-c", $$"""
            import imaplib, ssl
            c = ssl.create_default_context(); c.check_hostname = False; c.verify_mode = ssl.CERT_NONE
            m = imaplib.IMAP4_SSL("127.0.0.1", {{fleet.ImapsPort}}, ssl_context=c)
            m.login("{{account.Username}}", "{{account.Password}}")
            m.select("INBOX")
            m.uid("STORE", "4", "+FLAGS", r"(\Deleted)")
            m.expunge()
            m.logout()
            """]);
        await Sync(config);
        local = LocalMessages(inbox);
        Assert.Equal(4, local.Count);
        Assert.DoesNotContain(local, f => Path.GetFileName(f).Contains(",U=4:", StringComparison.Ordinal));

        // A message written locally (a draft) is uploaded, encrypted.
        var draft = "From: Owner <owner@example.com>\r\nTo: y@example.com\r\nSubject: local draft\r\n\r\nWritten offline.\r\n";
        var drafts = Path.Combine(root, "mail", "Drafts");
        await File.WriteAllTextAsync(Path.Combine(drafts, "new", $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.local.draft"), draft);
        await Sync(config);
        var uploaded = await fleet.ScalarAsync<byte[]>(
            "SELECT message_bytes(m) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id WHERE m.vaultbox_id = $1 AND b.name = 'Drafts' ORDER BY m.uid LIMIT 1", account.Id);
        var decryptedDraft = Encoding.UTF8.GetString(await fleet.DecryptAsync(account, uploaded)).Replace("\r\n", "\n");
        Assert.Contains("Subject: local draft", decryptedDraft);
        Assert.Contains("Written offline.", decryptedDraft);

        // Nothing left to do: a second run changes nothing.
        var again = await Sync(config);
        Assert.DoesNotContain("error", again.Error, StringComparison.OrdinalIgnoreCase);
        Directory.Delete(root, recursive: true);
    }

    private static List<string> LocalMessages(string maildir) =>
        Directory.GetFiles(Path.Combine(maildir, "cur")).Concat(Directory.GetFiles(Path.Combine(maildir, "new"))).ToList();

    private static string FlagName(string name, string flags)
    {
        var colon = name.IndexOf(":2,", StringComparison.Ordinal);
        return (colon < 0 ? name : name[..colon]) + ":2," + flags;
    }

    private Task<Tools.Result> Sync(string config) =>
        Tools.RunAsync("mbsync", ["-c", config, "-a"], timeout: TimeSpan.FromMinutes(3));

    private string WriteConfig(string root, ImapAccount account)
    {
        Directory.CreateDirectory(Path.Combine(root, "mail"));
        var config = Path.Combine(root, "mbsyncrc");
        File.WriteAllText(config, $"""
            IMAPAccount encimap
            Host 127.0.0.1
            Port {fleet.ImapsPort}
            User {account.Username}
            Pass {account.Password}
            SSLType IMAPS
            CertificateFile {fleet.ServerCertificatePem}

            IMAPStore remote
            Account encimap

            MaildirStore local
            Path {root}/mail/
            Inbox {root}/mail/INBOX
            SubFolders Verbatim

            Channel vaultbox
            Far :remote:
            Near :local:
            Patterns *
            Create Both
            Expunge Both
            SyncState *

            """);
        return config;
    }
}
