namespace Encimap.Imap.Protocol;

// Mailbox names on the wire (modified UTF-7 unless UTF8=ACCEPT) and as the backend knows them.
public sealed partial class ImapServerSession
{
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
