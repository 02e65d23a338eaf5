-- One lock order for everything that changes a vaultbox's mail, so that no two transactions can
-- wait for each other. Before, the IMAP service's STORE, EXPUNGE and \Seen-setting FETCH locked
-- message rows and then the mailbox row (to advance highest_modseq), while COPY, MOVE and this
-- function locked the mailbox row first and then message rows; MOVE locked its target and then its
-- source mailbox, and this function's dedup hand-over updated a message before its mailbox. Ten
-- clients on one mailbox ran into "deadlock detected" (40P01) within seconds.
--
-- The order now:
--   1. the vaultbox's write lock, lock_vaultbox_mail(vaultbox_id), the first lock of every
--      transaction that changes the vaultbox's mailboxes or messages (a transaction-scoped
--      advisory lock: it conflicts with nothing else, in particular not with the API's and the
--      certificates' row locks on vaultboxes); a transaction that writes to several vaultboxes
--      (the intake's group commit) takes them in ascending vaultbox id order;
--   2. then mailbox rows (uid_next, highest_modseq, recent_uid) and message rows, in any order:
--      no other writer of the vaultbox can hold them.
-- A statement that takes one row lock and nothing else (the \Recent claim of a session) may skip
-- step 1: holding nothing while it waits, it closes no cycle.
-- Writers of one vaultbox are serialized; writers of a mailbox were already serialized by its row
-- lock (UIDs are allocated in commit order), so one busy mailbox loses nothing, and different
-- vaultboxes never wait for each other. A 64-bit hash of the id keys the lock (two vaultboxes
-- sharing a key is as unlikely as a hash collision; the services retry a deadlock all the same).
CREATE FUNCTION lock_vaultbox_mail(p_vaultbox_id uuid) RETURNS void
LANGUAGE sql
AS $$
    SELECT pg_advisory_xact_lock(hashtextextended('encimap.vaultbox_mail:' || p_vaultbox_id::text, 0))
$$;

-- As in 0007, with the vaultbox's write lock taken first.
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
LANGUAGE plpgsql
AS $$
DECLARE
    v_existing record;
    v_mailbox bigint;
    v_uid bigint;
    v_modseq bigint;
BEGIN
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
