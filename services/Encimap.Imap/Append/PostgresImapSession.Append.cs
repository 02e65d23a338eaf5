using Encimap.Imap.Protocol;

namespace Encimap.Imap;

// APPEND, MULTIAPPEND included (RFC 3502): the intake encrypts and stores each message.
public sealed partial class PostgresImapSession
{
    public async Task<AppendResult> AppendAsync(string mailbox, IReadOnlyList<AppendMessage> messages, CancellationToken cancellationToken)
    {
        // All or none: the intake stores one message at a time, so when one fails, those already
        // stored are taken out again, as an expunge that a session which saw them is told of.
        var stored = new List<uint>();
        uint validity = 0;
        try
        {
            foreach (var message in messages)
            {
                var result = await AppendOneAsync(mailbox, message.Flags, message.InternalDate, message.Message, cancellationToken);
                validity = result.UidValidity;
                stored.AddRange(result.Uids);
            }
        }
        catch (Exception) when (stored.Count > 0)
        {
            await RemoveAppendedAsync(mailbox, stored);
            throw;
        }

        return new AppendResult(validity, stored);
    }

    private async Task RemoveAppendedAsync(string mailbox, IReadOnlyList<uint> uids)
    {
        try
        {
            // Not cancelled with the command: the messages must go even if the client went away.
            await WriteAsync(batch => batch.BatchCommands.Add(Command(
                $"""
                WITH target AS (SELECT id FROM mailboxes WHERE vaultbox_id = $1 AND name = $2),
                gone AS (
                    DELETE FROM messages WHERE mailbox_id = (SELECT id FROM target) AND uid = ANY ($3) RETURNING mailbox_id, uid),
                bump AS (
                    UPDATE mailboxes SET highest_modseq = highest_modseq + 1
                    WHERE id = (SELECT id FROM target) AND EXISTS (SELECT 1 FROM gone) RETURNING id, highest_modseq),
                remembered AS (
                    INSERT INTO expunged_messages (mailbox_id, uid, modseq) SELECT mailbox_id, uid, (SELECT highest_modseq FROM bump) FROM gone)
                SELECT pg_notify('{MailboxNotifier.ChangeChannel}', json_build_object('vaultbox_id', $1::uuid, 'mailbox_id', id)::text) FROM bump
                """, _vaultbox, mailbox, uids.Select(u => (long)u).ToArray())),
                (_, _) => Task.FromResult(true), CancellationToken.None);
            if (_mailboxId != 0 && mailbox == _mailboxName)
            {
                notifier.Touch(_mailboxId);
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "APPEND of {Count} messages failed, and those already stored could not be taken out again", uids.Count);
        }
    }
}
