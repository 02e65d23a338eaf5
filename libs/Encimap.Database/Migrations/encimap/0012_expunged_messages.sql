-- QRESYNC (RFC 7162 §3.2): a client back after a while says which mod-sequence it had seen, and
-- is told of the messages expunged since (VANISHED (EARLIER)). An expunge is a hard DELETE, so
-- the UIDs expunged from a mailbox are kept here, content-free, with the mod-sequence of their
-- expunge (or MOVE away). They go with their mailbox.
CREATE TABLE expunged_messages (
    mailbox_id bigint NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
    uid        bigint NOT NULL,
    modseq     bigint NOT NULL,
    PRIMARY KEY (mailbox_id, uid),
    CONSTRAINT expunged_messages_uid_range CHECK (uid BETWEEN 1 AND 4294967295),
    CONSTRAINT expunged_messages_modseq_positive CHECK (modseq > 0)
);
