namespace Encimap.Imap.Protocol;

// CREATE (DELETE and RENAME take plain mailbox names).
public sealed partial class ImapParser
{
    private MailboxArguments ParseCreate()
    {
        var mailbox = SpaceThen(ReadMailbox);
        if (Peek() == ' ')
        {
            // CREATE parameters (RFC 4466), e.g. (USE (\Archive)): accepted and ignored.
            Space();
            SkipParenthesized();
        }

        return new MailboxArguments(mailbox);
    }
}
