-- \Recent (RFC 3501 §2.3.2): a message is recent in the one session that is told of it first,
-- the first to select its mailbox (or to have it selected when it arrives). recent_uid is the
-- highest UID a session has been given as recent; a session that selects the mailbox read-write
-- claims the UIDs above it with one atomic UPDATE, so no two sessions get the same message.
-- APPEND, COPY and MOVE give the target new UIDs: their messages are recent there too.
ALTER TABLE mailboxes ADD COLUMN recent_uid bigint NOT NULL DEFAULT 0;
-- What was stored before counts as seen by an earlier session.
UPDATE mailboxes SET recent_uid = uid_next - 1;
ALTER TABLE mailboxes ADD CONSTRAINT mailboxes_recent_uid_range CHECK (recent_uid >= 0 AND recent_uid < uid_next);
