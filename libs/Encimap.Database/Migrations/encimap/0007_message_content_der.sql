-- An encrypted message is stored as its outer header and the CMS EnvelopedData in DER, not as
-- the base64 text IMAP serves: a 100 KB message then writes ~100 KB to TOAST and WAL instead of
-- ~137 KB, and reading a header (SEARCH, header FETCH) no longer fetches the whole ciphertext.
--
-- content_der NULL: `content` is the message as served (messages stored before this migration,
-- and messages that arrived already encrypted, kept byte for byte). content_der set: the message
-- as served is `content` (the header, blank line included) followed by the DER in base64, in
-- 76-character lines each ended by CRLF. message_bytes() renders it for SQL readers; the IMAP
-- server renders the same bytes itself. size_bytes stays the size of what is served.
ALTER TABLE messages ADD COLUMN content_der bytea;
-- Ciphertext does not compress: keep it out of line, uncompressed (as 0004 does for content).
ALTER TABLE messages ALTER COLUMN content_der SET STORAGE EXTERNAL;

-- Length of n bytes in base64 lines: 78 per full line of 57 bytes, and a shorter last line.
CREATE FUNCTION base64_lines_length(n bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN n / 57 * 78 + CASE WHEN n % 57 = 0 THEN 0 ELSE (n % 57 + 2) / 3 * 4 + 2 END;

-- The message as IMAP serves it. PostgreSQL's base64 breaks lines with LF every 76 characters,
-- and ends with one only when the last line is full.
CREATE FUNCTION message_bytes(content bytea, content_der bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN content_der IS NULL THEN content
            ELSE content || convert_to(replace(rtrim(encode(content_der, 'base64'), E'\n'), E'\n', E'\r\n') || E'\r\n', 'UTF8')
       END;

ALTER TABLE messages DROP CONSTRAINT messages_size_matches_content;
ALTER TABLE messages ADD CONSTRAINT messages_size_matches_content
    CHECK (size_bytes > 0 AND size_bytes = octet_length(content) + coalesce(base64_lines_length(octet_length(content_der)), 0));
ALTER TABLE messages ADD CONSTRAINT messages_content_der_nonempty CHECK (octet_length(content_der) > 0);

-- deliver_message (0006) takes the DER and the served size as well.
DROP FUNCTION deliver_message(uuid, text, text[], boolean, text, bytea, interval, text, text, text, text, jsonb, jsonb,
                              bytea, text[], timestamptz, bytea, bytea, integer, integer, text);

-- As in 0006, with p_content the header when p_content_der is set.
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
BEGIN
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

    -- Takes the folder's row lock until the commit: UIDs are gap-free and become visible in
    -- ascending order (RFC 3501 §2.3.1.1).
    UPDATE mailboxes m SET uid_next = m.uid_next + 1, highest_modseq = m.highest_modseq + 1
    WHERE m.vaultbox_id = p_vaultbox_id AND m.name = p_mailbox
    RETURNING m.id, m.uid_next - 1, m.highest_modseq INTO v_mailbox, v_uid, v_modseq;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'vaultbox % has no mailbox %', p_vaultbox_id, p_mailbox USING ERRCODE = 'EN002';
    END IF;

    INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, size_bytes, message_id, from_domain, to_alias,
                          subject, envelope, body_structure, content, content_der, dedup_key, flags, internal_date,
                          imap_envelope, imap_body_structure)
    VALUES (p_vaultbox_id, v_mailbox, v_uid, v_modseq, p_size_bytes, p_message_id, p_from_domain, p_to_alias,
            p_subject, p_envelope, p_body_structure, p_content, p_content_der, p_dedup_key, coalesce(p_flags, '{}'),
            coalesce(p_internal_date, now()), p_imap_envelope, p_imap_body_structure);
    INSERT INTO email_processing_logs (vaultbox_id, outcome, size_bytes, duration_ms)
    VALUES (p_vaultbox_id, 'stored', p_original_size, p_duration_ms);
    PERFORM pg_notify(p_notify_channel, json_build_object('vaultbox_id', p_vaultbox_id, 'mailbox_id', v_mailbox, 'uid', v_uid)::text);
    RETURN QUERY SELECT 'stored'::text, v_mailbox, v_uid;
END
$$;
