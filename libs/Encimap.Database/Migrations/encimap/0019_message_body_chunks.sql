-- A large message that arrived already S/MIME encrypted is stored as it came, but in chunks: its
-- header in `content`, its body in message_chunks rows holding the bytes as they are (not a DER),
-- each sent as a parameter of its own in the delivery's transaction, as 0017 does for DERs. It was
-- one `content` datum, which a 50 MiB message made the storing backend grow by about 300 MiB.
--
-- How a message is stored now (readers handle all four):
--   content_der, chunked_der_length and chunked_body_length NULL: `content` is the message as
--     served (stored before 0007, or arrived already encrypted and small, kept byte for byte);
--   content_der set: `content` is the header, the DER is content_der (0007);
--   chunked_der_length set: `content` is the header, the DER is the concatenation of its
--     message_chunks rows (0017); served as base64 lines;
--   chunked_body_length set: `content` is the header as it came (its empty line included), the
--     body is the concatenation of its message_chunks rows, chunked_body_length bytes, served as
--     they are: the message as served is `content` followed by the chunks. The chunks need not
--     be whole base64 lines (nothing is rendered); every chunk but the last has the same length
--     in practice, but readers go by the rows, not by that.
ALTER TABLE messages ADD COLUMN chunked_body_length bigint;
ALTER TABLE messages ADD CONSTRAINT messages_chunked_body_length_positive CHECK (chunked_body_length > 0);
ALTER TABLE messages ADD CONSTRAINT messages_body_in_one_form CHECK (num_nonnulls(content_der, chunked_der_length, chunked_body_length) <= 1);
ALTER TABLE messages DROP CONSTRAINT messages_size_matches_content;
ALTER TABLE messages ADD CONSTRAINT messages_size_matches_content
    CHECK (size_bytes > 0 AND size_bytes = octet_length(content) + coalesce(chunked_body_length, 0) + CASE
        WHEN content_der IS NULL AND chunked_der_length IS NULL THEN 0
        -- 78 bytes per full line of 57 DER bytes, and a shorter last line (RFC 2045 §6.8).
        ELSE coalesce(octet_length(content_der), chunked_der_length) / 57 * 78
             + CASE WHEN coalesce(octet_length(content_der), chunked_der_length) % 57 = 0 THEN 0
                    ELSE (coalesce(octet_length(content_der), chunked_der_length) % 57 + 2) / 3 * 4 + 2 END
    END);

-- As in 0017, for either kind of chunks: seq 0, 1, … without a gap, as many bytes as the message
-- records; a DER's chunks but the last are whole base64 lines. A message with neither length has none.
CREATE OR REPLACE FUNCTION check_message_chunks(p_message_id bigint) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    v_message record;
    v_chunks record;
BEGIN
    SELECT coalesce(m.chunked_der_length, m.chunked_body_length) AS length, m.chunked_der_length IS NOT NULL AS der
    INTO v_message FROM messages m WHERE m.id = p_message_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;

    SELECT count(*) AS n, coalesce(sum(c.length), 0) AS total, coalesce(max(c.seq), -1) AS last,
           coalesce(bool_and(c.length % 57 = 0 OR c.seq = c.last_seq), true) AS whole_lines
    INTO v_chunks
    FROM (SELECT seq, octet_length(data) AS length, max(seq) OVER () AS last_seq
          FROM message_chunks WHERE message_id = p_message_id) c;

    IF v_message.length IS NULL AND v_chunks.n = 0 THEN
        RETURN;
    END IF;
    IF v_message.length IS NULL OR v_chunks.n <> v_chunks.last + 1
       OR v_chunks.total <> v_message.length OR (v_message.der AND NOT v_chunks.whole_lines) THEN
        RAISE EXCEPTION 'the chunks of message % (% of them, % bytes) do not make its stored % bytes',
            p_message_id, v_chunks.n, v_chunks.total, v_message.length
            USING ERRCODE = 'check_violation', CONSTRAINT = 'message_chunks_make_the_der';
    END IF;
END
$$;

DROP TRIGGER messages_chunks_make_the_der ON messages;
DROP TRIGGER messages_chunked_der_length_changed ON messages;
CREATE CONSTRAINT TRIGGER messages_chunks_make_the_der
    AFTER INSERT ON messages DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.chunked_der_length IS NOT NULL OR NEW.chunked_body_length IS NOT NULL)
    EXECUTE FUNCTION messages_check_chunks();
CREATE CONSTRAINT TRIGGER messages_chunked_der_length_changed
    AFTER UPDATE OF chunked_der_length, chunked_body_length ON messages DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION messages_check_chunks();

-- message_der(m) stays as in 0017: NULL for a body in chunks, which is no DER.
-- The message as IMAP serves it, whatever the way it is stored. Whole, in one datum, as in 0017.
CREATE OR REPLACE FUNCTION message_bytes(m messages) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
RETURN CASE WHEN m.chunked_body_length IS NULL THEN message_bytes(m.content, message_der(m))
            ELSE m.content || (SELECT string_agg(c.data, '\x'::bytea ORDER BY c.seq) FROM message_chunks c WHERE c.message_id = m.id)
       END;

-- As in 0017, with p_chunked_body_length (a new overload; the signatures of 0014 and 0017 call
-- it, below): when set, p_content is the header as it came, and the body follows in the same
-- transaction as message_chunks rows of the stored message, read from
-- encimap.delivered_message_id as 0017's DER chunks are (a duplicate's are dropped).
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
    p_chunked_body_length bigint,
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
                          subject, envelope, body_structure, content, content_der, chunked_der_length, chunked_body_length,
                          dedup_key, flags,
                          internal_date, imap_envelope, imap_body_structure)
    VALUES (p_vaultbox_id, v_mailbox, v_uid, v_modseq, p_size_bytes, p_message_id, p_from_domain, p_to_alias,
            p_subject, p_envelope, p_body_structure, p_content, p_content_der, p_chunked_der_length, p_chunked_body_length,
            p_dedup_key,
            coalesce(p_flags, '{}'), coalesce(p_internal_date, now()), p_imap_envelope, p_imap_body_structure)
    RETURNING id INTO v_id;
    PERFORM set_config('encimap.delivered_message_id', v_id::text, true);
    INSERT INTO email_processing_logs (vaultbox_id, outcome, size_bytes, duration_ms)
    VALUES (p_vaultbox_id, 'stored', p_original_size, p_duration_ms);
    PERFORM pg_notify(p_notify_channel, json_build_object('vaultbox_id', p_vaultbox_id, 'mailbox_id', v_mailbox, 'uid', v_uid)::text);
    RETURN QUERY SELECT 'stored'::text, v_mailbox, v_uid;
END
$$;

-- The signature of 0017 stays, for intakes of the previous release while a rolling upgrade
-- replaces them: they store an already encrypted message whole in `content`, as before.
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
LANGUAGE sql
AS $$
    SELECT * FROM deliver_message(p_vaultbox_id, p_mailbox, p_addresses, p_hide_subject, p_key_transport, p_dedup_key,
                                  p_duplicate_window, p_message_id, p_from_domain, p_to_alias, p_subject, p_envelope,
                                  p_body_structure, p_content, p_content_der, p_chunked_der_length, NULL::bigint,
                                  p_size_bytes, p_flags, p_internal_date, p_imap_envelope, p_imap_body_structure,
                                  p_original_size, p_duration_ms, p_notify_channel)
$$;

-- As in 0018, copying chunked_body_length and the chunks of a body in chunks too.
CREATE OR REPLACE FUNCTION transfer_messages(
    p_vaultbox_id uuid,
    p_source bigint,
    p_target text,
    p_first bigint[],
    p_last bigint[],
    p_move boolean,
    p_notify_channel text)
RETURNS TABLE (target_id bigint, uid_validity bigint, source_uids bigint[], first_uid bigint)
LANGUAGE plpgsql
AS $$
DECLARE
    v_target bigint;
    v_validity bigint;
    v_sources bigint[];
    v_first bigint;
    v_modseq bigint;
BEGIN
    SELECT b.id, b.uid_validity INTO v_target, v_validity
    FROM mailboxes b WHERE b.vaultbox_id = p_vaultbox_id AND b.name = p_target;
    IF NOT FOUND THEN
        RETURN QUERY SELECT NULL::bigint, NULL::bigint, NULL::bigint[], NULL::bigint;
        RETURN;
    END IF;

    -- One index range scan per range; a UID in two overlapping ranges counts once.
    SELECT coalesce(array_agg(DISTINCT m.uid ORDER BY m.uid), '{}') INTO v_sources
    FROM messages m JOIN unnest(p_first, p_last) r(lo, hi) ON m.uid BETWEEN r.lo AND r.hi
    WHERE m.mailbox_id = p_source;
    IF cardinality(v_sources) = 0 THEN
        RETURN QUERY SELECT v_target, v_validity, v_sources, 0::bigint;
        RETURN;
    END IF;

    UPDATE mailboxes b SET uid_next = b.uid_next + cardinality(v_sources), highest_modseq = b.highest_modseq + 1
    WHERE b.id = v_target
    RETURNING b.uid_next - cardinality(v_sources), b.highest_modseq INTO v_first, v_modseq;

    IF p_move THEN
        UPDATE messages m SET mailbox_id = v_target, uid = v_first + s.ordinal - 1, modseq = v_modseq
        FROM unnest(v_sources) WITH ORDINALITY s(uid, ordinal)
        WHERE m.mailbox_id = p_source AND m.uid = s.uid;
        -- Moved away is expunged from the source: remembered for QRESYNC (0012), with a change of
        -- its own (after the target's, also when both are the same mailbox).
        UPDATE mailboxes b SET highest_modseq = b.highest_modseq + 1 WHERE b.id = p_source
        RETURNING b.highest_modseq INTO v_modseq;
        INSERT INTO expunged_messages (mailbox_id, uid, modseq)
        SELECT p_source, s.uid, v_modseq FROM unnest(v_sources) s(uid);
    ELSE
        -- The copies' chunks (0017, 0019) are copied by the server, row by row.
        WITH source AS (
            SELECT m.id, m.vaultbox_id, m.flags, m.internal_date, m.size_bytes, m.message_id, m.from_domain, m.to_alias, m.subject,
                   m.envelope, m.body_structure, m.content, m.content_der, m.chunked_der_length, m.chunked_body_length, m.imap_envelope,
                   m.imap_body_structure, v_first + s.ordinal - 1 AS new_uid
            FROM unnest(v_sources) WITH ORDINALITY s(uid, ordinal)
            JOIN messages m ON m.mailbox_id = p_source AND m.uid = s.uid),
        copied AS (
            INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, flags, internal_date, size_bytes, message_id, from_domain,
                                  to_alias, subject, envelope, body_structure, content, content_der, chunked_der_length, chunked_body_length,
                                  imap_envelope, imap_body_structure)
            SELECT source.vaultbox_id, v_target, source.new_uid, v_modseq, source.flags, source.internal_date, source.size_bytes,
                   source.message_id, source.from_domain, source.to_alias, source.subject, source.envelope, source.body_structure,
                   source.content, source.content_der, source.chunked_der_length, source.chunked_body_length, source.imap_envelope, source.imap_body_structure
            FROM source
            RETURNING id, uid)
        INSERT INTO message_chunks (message_id, seq, data)
        SELECT copied.id, c.seq, c.data
        FROM copied JOIN source ON source.new_uid = copied.uid JOIN message_chunks c ON c.message_id = source.id
        WHERE source.chunked_der_length IS NOT NULL OR source.chunked_body_length IS NOT NULL;
    END IF;

    PERFORM pg_notify(p_notify_channel, json_build_object('vaultbox_id', p_vaultbox_id, 'mailbox_id', v_target)::text);
    IF p_source <> v_target THEN
        PERFORM pg_notify(p_notify_channel, json_build_object('vaultbox_id', p_vaultbox_id, 'mailbox_id', p_source)::text);
    END IF;

    RETURN QUERY SELECT v_target, v_validity, v_sources, v_first;
END
$$;
