-- A large message's DER is stored in chunks, each sent as its own parameter, instead of in one
-- content_der datum. PostgreSQL holds a bytea parameter several times over while it stores it
-- (the Bind message, the datum, deliver_message's argument copy, the heap tuple, TOAST): a 50 MiB
-- message made the storing backend grow by about 300 MiB. With chunks a backend holds a few
-- copies of one chunk at a time, whatever the message's size.
--
-- How a message is stored now (readers handle all three):
--   content_der NULL, chunked_der_length NULL: `content` is the message as served (stored before
--     0007, or arrived already encrypted and kept byte for byte);
--   content_der set: `content` is the header, the DER is content_der (a DER of at most one chunk;
--     one datum of that size costs no more than a chunk, and a small message keeps one row);
--   chunked_der_length set: `content` is the header, the DER is the concatenation of its
--     message_chunks rows in seq order, chunked_der_length bytes in all.
-- The message as served is the header followed by the DER in base64 lines (0007). Every chunk
-- but the last holds a multiple of 57 bytes (one base64 line), so each chunk renders to whole
-- lines on its own: a reader renders chunk by chunk, and the served offset of a chunk follows
-- from the lengths of those before it.
CREATE TABLE message_chunks (
    message_id  bigint  NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    seq         integer NOT NULL,
    data        bytea   NOT NULL,
    CONSTRAINT message_chunks_pkey PRIMARY KEY (message_id, seq),
    CONSTRAINT message_chunks_seq_nonnegative CHECK (seq >= 0),
    -- A chunk is meant to be small: it is what a backend holds at once.
    CONSTRAINT message_chunks_data_size CHECK (octet_length(data) BETWEEN 1 AND 4194304)
);
-- Ciphertext does not compress: keep it out of line, uncompressed (as 0004 and 0007 do).
ALTER TABLE message_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

ALTER TABLE messages ADD COLUMN chunked_der_length bigint;
ALTER TABLE messages ADD CONSTRAINT messages_chunked_der_length_positive CHECK (chunked_der_length > 0);
ALTER TABLE messages ADD CONSTRAINT messages_der_in_one_place CHECK (content_der IS NULL OR chunked_der_length IS NULL);
-- As in 0008, with the DER's length taken from wherever the DER is; the chunks themselves are
-- checked against chunked_der_length by check_message_chunks below.
ALTER TABLE messages DROP CONSTRAINT messages_size_matches_content;
ALTER TABLE messages ADD CONSTRAINT messages_size_matches_content
    CHECK (size_bytes > 0 AND size_bytes = octet_length(content) + CASE
        WHEN content_der IS NULL AND chunked_der_length IS NULL THEN 0
        -- 78 bytes per full line of 57 DER bytes, and a shorter last line (RFC 2045 §6.8).
        ELSE coalesce(octet_length(content_der), chunked_der_length) / 57 * 78
             + CASE WHEN coalesce(octet_length(content_der), chunked_der_length) % 57 = 0 THEN 0
                    ELSE (coalesce(octet_length(content_der), chunked_der_length) % 57 + 2) / 3 * 4 + 2 END
    END);

-- A message's chunks are exactly its DER: seq 0, 1, … without a gap, chunked_der_length bytes in
-- all, every chunk but the last a whole number of base64 lines; a message without
-- chunked_der_length has none. octet_length() of an out-of-line value reads its TOAST pointer,
-- not the value. Raises check_violation; a message that is gone needs no check (its chunks went
-- with it).
CREATE FUNCTION check_message_chunks(p_message_id bigint) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    v_message record;
    v_chunks record;
BEGIN
    SELECT m.chunked_der_length INTO v_message FROM messages m WHERE m.id = p_message_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    SELECT count(*) AS n, coalesce(sum(c.length), 0) AS total, coalesce(max(c.seq), -1) AS last,
           coalesce(bool_and(c.length % 57 = 0 OR c.seq = c.last_seq), true) AS whole_lines
    INTO v_chunks
    FROM (SELECT seq, octet_length(data) AS length, max(seq) OVER () AS last_seq
          FROM message_chunks WHERE message_id = p_message_id) c;

    IF v_message.chunked_der_length IS NULL AND v_chunks.n = 0 THEN
        RETURN;
    END IF;
    IF v_message.chunked_der_length IS NULL OR v_chunks.n <> v_chunks.last + 1
       OR v_chunks.total <> v_message.chunked_der_length OR NOT v_chunks.whole_lines THEN
        RAISE EXCEPTION 'the chunks of message % (% of them, % bytes) do not make its DER of % bytes',
            p_message_id, v_chunks.n, v_chunks.total, v_message.chunked_der_length
            USING ERRCODE = 'check_violation', CONSTRAINT = 'message_chunks_make_the_der';
    END IF;
END
$$;

CREATE FUNCTION messages_check_chunks() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM check_message_chunks(NEW.id);
    RETURN NULL;
END
$$;

CREATE FUNCTION message_chunks_check_message() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM check_message_chunks(OLD.message_id);
    END IF;
    IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW.message_id <> OLD.message_id) THEN
        PERFORM check_message_chunks(NEW.message_id);
    END IF;
    RETURN NULL;
END
$$;

-- Checked at the commit, when a message and its chunks are all written. Only chunked messages pay
-- for the check: the trigger on messages fires for them alone.
CREATE CONSTRAINT TRIGGER messages_chunks_make_the_der
    AFTER INSERT ON messages DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.chunked_der_length IS NOT NULL)
    EXECUTE FUNCTION messages_check_chunks();
CREATE CONSTRAINT TRIGGER messages_chunked_der_length_changed
    AFTER UPDATE OF chunked_der_length ON messages DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION messages_check_chunks();
CREATE CONSTRAINT TRIGGER message_chunks_make_the_der
    AFTER INSERT OR UPDATE OR DELETE ON message_chunks DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION message_chunks_check_message();

-- The DER of a message, wherever it is stored (NULL when it is stored as served). Whole, in one
-- datum: for tests, exports and tools, not for the services, which read chunks one at a time.
CREATE FUNCTION message_der(m messages) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN m.chunked_der_length IS NULL THEN m.content_der
            ELSE (SELECT string_agg(c.data, '\x'::bytea ORDER BY c.seq) FROM message_chunks c WHERE c.message_id = m.id)
       END;

-- The message as IMAP serves it, whatever the way it is stored: `SELECT message_bytes(m) FROM
-- messages m …`. Whole, in one datum, as message_der.
CREATE FUNCTION message_bytes(m messages) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
RETURN message_bytes(m.content, message_der(m));

-- As in 0014, with p_chunked_der_length (a new overload; the signature of 0014 calls it, below): when set, p_content_der is NULL and the DER follows in
-- the same transaction as message_chunks rows of the stored message. The id of the message this
-- call stored is left in the transaction's setting encimap.delivered_message_id ('' when it
-- stored none, a duplicate): the chunk INSERTs that follow the call in the same batch read it,
-- so that each chunk goes to the server as a parameter of its own and a duplicate's chunks are
-- dropped, never stored without a message.
CREATE FUNCTION deliver_message(
    p_vaultbox_id uuid,
    p_mailbox text,
    p_addresses text[],
    p_hide_subject boolean,
    p_key_transport text,
    p_dedup_key bytea,
    p_duplicate_window interval,
    p_message_id text,
    p_from_domain text,
    p_to_alias text,
    p_subject text,
    p_envelope jsonb,
    p_body_structure jsonb,
    p_content bytea,
    p_content_der bytea,
    p_chunked_der_length bigint,
    p_size_bytes integer,
    p_flags text[],
    p_internal_date timestamptz,
    p_imap_envelope bytea,
    p_imap_body_structure bytea,
    p_original_size integer,
    p_duration_ms integer,
    p_notify_channel text)
RETURNS TABLE (outcome text, mailbox_id bigint, uid bigint)
LANGUAGE plpgsql
AS $$
DECLARE
    v_existing record;
    v_mailbox bigint;
    v_uid bigint;
    v_modseq bigint;
    v_id bigint;
BEGIN
    PERFORM set_config('encimap.delivered_message_id', '', true);

    -- The vaultbox's write lock first, before any row lock (the dedup hand-over below updates a
    -- message, perhaps of another folder): see lock_vaultbox_mail.
    PERFORM lock_vaultbox_mail(p_vaultbox_id);

    -- Addresses compare as the routes store them: through the database's lower().
    IF p_addresses IS NOT NULL AND EXISTS (
        SELECT 1 FROM unnest(p_addresses) AS a(address)
        WHERE NOT EXISTS (
            SELECT 1
            FROM mail_routes r
            JOIN vaultboxes v ON v.id = r.vaultbox_id
            WHERE r.address = lower(a.address) AND r.active AND r.vaultbox_id = p_vaultbox_id
              AND v.hide_subject = p_hide_subject AND v.key_transport = p_key_transport)
    ) THEN
        RAISE EXCEPTION 'the route to vaultbox % changed', p_vaultbox_id USING ERRCODE = 'EN001';
    END IF;

    IF p_dedup_key IS NOT NULL THEN
        SELECT d.id, d.uid, d.mailbox_id, d.received_at > now() - p_duplicate_window AS recent
        INTO v_existing
        FROM messages d
        WHERE d.vaultbox_id = p_vaultbox_id AND d.dedup_key = p_dedup_key;
        IF FOUND THEN
            IF v_existing.recent THEN
                INSERT INTO email_processing_logs (vaultbox_id, outcome, size_bytes, duration_ms)
                VALUES (p_vaultbox_id, 'duplicate', p_original_size, p_duration_ms);
                RETURN QUERY SELECT 'duplicate'::text, v_existing.mailbox_id, v_existing.uid;
                RETURN;
            END IF;
            -- Beyond the window: the old copy gives up its key, the new one takes it.
            UPDATE messages SET dedup_key = NULL WHERE id = v_existing.id;
        END IF;
    END IF;

    -- Under the vaultbox's write lock, held until the commit: UIDs are gap-free and become
    -- visible in ascending order (RFC 3501 §2.3.1.1).
    UPDATE mailboxes m SET uid_next = m.uid_next + 1, highest_modseq = m.highest_modseq + 1
    WHERE m.vaultbox_id = p_vaultbox_id AND m.name = p_mailbox
    RETURNING m.id, m.uid_next - 1, m.highest_modseq INTO v_mailbox, v_uid, v_modseq;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'vaultbox % has no mailbox %', p_vaultbox_id, p_mailbox USING ERRCODE = 'EN002';
    END IF;

    INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, message_id, from_domain, to_alias,
                          subject, envelope, body_structure, content, content_der, chunked_der_length, dedup_key, flags,
                          internal_date, imap_envelope, imap_body_structure)
    VALUES (p_vaultbox_id, v_mailbox, v_uid, v_modseq, p_size_bytes, p_message_id, p_from_domain, p_to_alias,
            p_subject, p_envelope, p_body_structure, p_content, p_content_der, p_chunked_der_length, p_dedup_key,
            coalesce(p_flags, '{}'), coalesce(p_internal_date, now()), p_imap_envelope, p_imap_body_structure)
    RETURNING id INTO v_id;
    PERFORM set_config('encimap.delivered_message_id', v_id::text, true);
    INSERT INTO email_processing_logs (vaultbox_id, outcome, size_bytes, duration_ms)
    VALUES (p_vaultbox_id, 'stored', p_original_size, p_duration_ms);
    PERFORM pg_notify(p_notify_channel, json_build_object('vaultbox_id', p_vaultbox_id, 'mailbox_id', v_mailbox, 'uid', v_uid)::text);
    RETURN QUERY SELECT 'stored'::text, v_mailbox, v_uid;
END
$$;

-- The signature of 0014 stays, for intakes of the previous release while a rolling upgrade
-- replaces them: they send the DER whole, as before, and store it in content_der.
CREATE OR REPLACE FUNCTION deliver_message(
    p_vaultbox_id uuid,
    p_mailbox text,
    p_addresses text[],
    p_hide_subject boolean,
    p_key_transport text,
    p_dedup_key bytea,
    p_duplicate_window interval,
    p_message_id text,
    p_from_domain text,
    p_to_alias text,
    p_subject text,
    p_envelope jsonb,
    p_body_structure jsonb,
    p_content bytea,
    p_content_der bytea,
    p_size_bytes integer,
    p_flags text[],
    p_internal_date timestamptz,
    p_imap_envelope bytea,
    p_imap_body_structure bytea,
    p_original_size integer,
    p_duration_ms integer,
    p_notify_channel text)
RETURNS TABLE (outcome text, mailbox_id bigint, uid bigint)
LANGUAGE sql
AS $$
    SELECT * FROM deliver_message(p_vaultbox_id, p_mailbox, p_addresses, p_hide_subject, p_key_transport, p_dedup_key,
                                  p_duplicate_window, p_message_id, p_from_domain, p_to_alias, p_subject, p_envelope,
                                  p_body_structure, p_content, p_content_der, NULL::bigint, p_size_bytes, p_flags,
                                  p_internal_date, p_imap_envelope, p_imap_body_structure, p_original_size, p_duration_ms,
                                  p_notify_channel)
$$;
