-- One statement per stored copy, so that a delivery costs the intake ONE round trip to the
-- database (the writes and the commit, pipelined): the route check, the duplicate look-up, the
-- UID, the insert, the processing log row and the notification happen here, in that order, in
-- the caller's transaction. Before, the intake resolved the recipient and looked up the folder
-- and an earlier copy in round trips of their own.
--
-- Answers one row (outcome, mailbox_id, uid): 'stored' with the new UID, or 'duplicate' with the
-- UID of the copy stored within the window. Raises, so that the caller's whole transaction is
-- rolled back and nothing of the delivery is stored:
--   EN001  the route no longer matches what the copy was encrypted for (an address no longer
--          delivers to the vaultbox, or its subject hiding or key transport changed);
--   EN002  the vaultbox has no folder of that name.
-- p_addresses NULL skips the route check (deliveries addressed by vaultbox id, IMAP APPEND).
-- p_dedup_key NULL: never a duplicate (APPEND). Statements run in order within the transaction,
-- so a second identical copy in the same transaction finds the first.
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
                          subject, envelope, body_structure, content, dedup_key, flags, internal_date,
                          imap_envelope, imap_body_structure)
    VALUES (p_vaultbox_id, v_mailbox, v_uid, v_modseq, octet_length(p_content), p_message_id, p_from_domain, p_to_alias,
            p_subject, p_envelope, p_body_structure, p_content, p_dedup_key, coalesce(p_flags, '{}'),
            coalesce(p_internal_date, now()), p_imap_envelope, p_imap_body_structure);
    INSERT INTO email_processing_logs (vaultbox_id, outcome, size_bytes, duration_ms)
    VALUES (p_vaultbox_id, 'stored', p_original_size, p_duration_ms);
    PERFORM pg_notify(p_notify_channel, json_build_object('vaultbox_id', p_vaultbox_id, 'mailbox_id', v_mailbox, 'uid', v_uid)::text);
    RETURN QUERY SELECT 'stored'::text, v_mailbox, v_uid;
END
$$;
