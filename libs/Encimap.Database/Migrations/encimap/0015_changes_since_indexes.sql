-- What changed in a mailbox since a mod-sequence, without reading the whole mailbox. Every IMAP
-- command of a session first looks for changes made by others (new messages, flag changes,
-- expunges) since the mod-sequence it last saw; so do CONDSTORE's CHANGEDSINCE and QRESYNC's
-- VANISHED (EARLIER). Without these indexes each look read every message row of the mailbox (and
-- every expunge ever remembered for it), a cost growing with the mailbox, paid by every command
-- of every session.
CREATE INDEX messages_mailbox_id_modseq_idx ON messages (mailbox_id, modseq);
CREATE INDEX expunged_messages_mailbox_id_modseq_idx ON expunged_messages (mailbox_id, modseq);
