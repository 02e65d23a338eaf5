namespace Encimap.Imap.Protocol;

/// <summary>
/// The FLAGS and PERMANENTFLAGS responses of the selected mailbox: at SELECT, and again before
/// the first FETCH that shows a keyword the session was not told of (RFC 3501 §7.2.6: FLAGS
/// lists the flags applicable to the mailbox).
/// </summary>
internal static class MailboxFlagsResponse
{
    public static void Write(ImapWriter w, MailboxView view)
    {
        var flags = Flags.System.Concat(view.Keywords).ToList();
        w.Raw("* FLAGS ").FlagList(flags).Crlf();
        // Any new keyword may be stored (\*), unless the mailbox is read-only.
        w.Raw("* OK [PERMANENTFLAGS ").FlagList(view.ReadOnly ? [] : flags.Append(@"\*")).Raw("] Flags permitted\r\n"u8);
    }
}
