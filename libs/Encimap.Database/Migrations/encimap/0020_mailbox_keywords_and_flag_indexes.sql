-- Three reads of a whole mailbox that IMAP did often, made cheap.
--
-- 1. The keywords of a mailbox (RFC 3501 §7.2.6: SELECT's FLAGS and PERMANENTFLAGS list them).
-- SELECT read every message's flags to find them: with ten clients on a 500-message mailbox that
-- was more than half of SELECT's time in the database. mailboxes.keywords now keeps every keyword
-- a message of the mailbox has had, sorted. It only grows, as Dovecot's keyword list does: a
-- keyword no message has any more is still one the mailbox knows, and announcing it is harmless.
-- Whoever adds a keyword to a message adds it here in the same transaction:
--   - an IMAP STORE, in the update of the mailbox row it makes anyway (its mod-sequence);
--   - every insert of a message (APPEND and delivery through deliver_message, COPY and MOVE
--     through transfer_messages, anything later), by the trigger below.
-- Every writer of a message has already updated its mailbox's row (UID or mod-sequence) under the
-- vaultbox's lock (migration 0014), so this takes no lock the writer does not hold.
ALTER TABLE mailboxes ADD COLUMN keywords text[] NOT NULL DEFAULT '{}';

UPDATE mailboxes b SET keywords = k.keywords
FROM (SELECT m.mailbox_id, array_agg(DISTINCT f ORDER BY f) AS keywords
      FROM messages m, unnest(m.flags) f
      WHERE left(f, 1) <> '\'
      GROUP BY m.mailbox_id) k
WHERE k.mailbox_id = b.id;

CREATE FUNCTION remember_mailbox_keywords() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_keywords text[] := ARRAY(SELECT f FROM unnest(NEW.flags) f WHERE left(f, 1) <> '\');
BEGIN
    -- Touches the mailbox row only when the message brings a keyword it does not know yet.
    UPDATE mailboxes b
    SET keywords = ARRAY(SELECT DISTINCT k FROM unnest(b.keywords || v_keywords) k ORDER BY k)
    WHERE b.id = NEW.mailbox_id AND NOT b.keywords @> v_keywords;
    RETURN NULL;
END;
$$;

-- Only for a message stored with flags (the WHEN clause is checked without calling the function).
CREATE TRIGGER messages_keywords_on_insert AFTER INSERT ON messages
    FOR EACH ROW WHEN (cardinality(NEW.flags) > 0) EXECUTE FUNCTION remember_mailbox_keywords();

-- 2. EXPUNGE deletes the messages marked \Deleted, and had to read every message of the mailbox to
-- find them, while it held the vaultbox's write lock that every other writer waits for. Only the
-- messages marked \Deleted are in this index.
CREATE INDEX messages_deleted_idx ON messages (mailbox_id, uid) WHERE '\Deleted' = ANY (flags);

-- 3. SELECT answers OK [UNSEEN n] with the first message without \Seen; it walked the mailbox in
-- UID order reading each row until it found one, which in a large mailbox that is all read is
-- every row. Only the messages without \Seen are in this index.
CREATE INDEX messages_unseen_idx ON messages (mailbox_id, uid) WHERE NOT ('\Seen' = ANY (flags));
