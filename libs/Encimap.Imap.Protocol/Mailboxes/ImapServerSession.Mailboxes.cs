namespace Encimap.Imap.Protocol;

// CREATE, DELETE, RENAME and SUBSCRIBE, and mailbox names on the wire (modified UTF-7 unless
// UTF8=ACCEPT) and as the backend knows them.
public sealed partial class ImapServerSession
{
    private async Task<bool> CreateAsync(ImapCommand c, MailboxArguments arguments, CancellationToken ct)
    {
        await _backend.CreateAsync(MailboxName(arguments.Mailbox, forCreate: true), ct).ConfigureAwait(false);
        return await OkAsync(c, "CREATE completed", ct).ConfigureAwait(false);
    }

    private async Task<bool> DeleteAsync(ImapCommand c, MailboxArguments arguments, CancellationToken ct)
    {
        await _backend.DeleteAsync(MailboxName(arguments.Mailbox), ct).ConfigureAwait(false);
        return await OkAsync(c, "DELETE completed", ct).ConfigureAwait(false);
    }

    private async Task<bool> RenameAsync(ImapCommand c, RenameArguments arguments, CancellationToken ct)
    {
        await _backend.RenameAsync(MailboxName(arguments.From), MailboxName(arguments.To, forCreate: true), ct).ConfigureAwait(false);
        return await OkAsync(c, "RENAME completed", ct).ConfigureAwait(false);
    }

    private async Task<bool> SubscribeAsync(ImapCommand c, MailboxArguments arguments, CancellationToken ct)
    {
        await _backend.SetSubscribedAsync(MailboxName(arguments.Mailbox), c.Name == "SUBSCRIBE", ct).ConfigureAwait(false);
        return await OkAsync(c, $"{c.Name} completed", ct).ConfigureAwait(false);
    }

    private string MailboxName(string raw, bool forCreate = false)
    {
        var name = raw;
        if (!_utf8)
        {
            name = ModifiedUtf7.Decode(raw) ?? throw ImapException.No("Invalid mailbox name (modified UTF-7)", "CANNOT");
        }

        if (name.Equals("INBOX", StringComparison.OrdinalIgnoreCase))
        {
            return "INBOX";
        }

        if (forCreate)
        {
            name = name.TrimEnd('/');
            if (name.Length == 0 || name.Length > 255 || name.Contains("//", StringComparison.Ordinal) || name.StartsWith('/') ||
                name.Any(ch => ch < 0x20 || ch is '*' or '%'))
            {
                throw ImapException.No("Invalid mailbox name", "CANNOT");
            }
        }

        return name;
    }

    private string WireName(string name) => _utf8 ? name : ModifiedUtf7.Encode(name);
}
