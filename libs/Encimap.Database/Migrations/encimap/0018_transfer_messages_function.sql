-- COPY and MOVE (RFC 3501 §6.4.7, RFC 6851) in one call, so one round trip. The IMAP service ran
-- them as six statements, each a round trip, all under the vaultbox's write lock (0014): with ten
-- clients on one mailbox every other writer of the vaultbox waited for those round trips.
-- The caller takes lock_vaultbox_mail(p_vaultbox_id) first, in the same transaction.
--
-- The messages are those of p_source whose UIDs fall in one of the ranges p_first[i]..p_last[i].
-- They get consecutive new UIDs in the target in the order of their old UIDs (RFC 4315 §3: the
-- COPYUID sets correspond in order). MOVE to the source mailbox itself is allowed (RFC 6851 does
-- not forbid it): the messages get new UIDs at its end, as a COPY followed by an EXPUNGE would.
--
-- Returns one row: the target's id and UIDVALIDITY (NULL when it does not exist: the caller
-- answers NO [TRYCREATE] and nothing changed), the source UIDs, and the first new UID.
CREATE FUNCTION transfer_messages(
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
        -- The copies' chunks (0017) are copied by the server, row by row.
        WITH source AS (
            SELECT m.id, m.vaultbox_id, m.flags, m.internal_date, m.size_bytes, m.message_id, m.from_domain, m.to_alias, m.subject,
                   m.envelope, m.body_structure, m.content, m.content_der, m.chunked_der_length, m.imap_envelope,
                   m.imap_body_structure, v_first + s.ordinal - 1 AS new_uid
            FROM unnest(v_sources) WITH ORDINALITY s(uid, ordinal)
            JOIN messages m ON m.mailbox_id = p_source AND m.uid = s.uid),
        copied AS (
            INSERT INTO messages (vaultbox_id, mailbox_id, uid, modseq, flags, internal_date, size_bytes, message_id, from_domain,
                                  to_alias, subject, envelope, body_structure, content, content_der, chunked_der_length,
                                  imap_envelope, imap_body_structure)
            SELECT source.vaultbox_id, v_target, source.new_uid, v_modseq, source.flags, source.internal_date, source.size_bytes,
                   source.message_id, source.from_domain, source.to_alias, source.subject, source.envelope, source.body_structure,
                   source.content, source.content_der, source.chunked_der_length, source.imap_envelope, source.imap_body_structure
            FROM source
            RETURNING id, uid)
        INSERT INTO message_chunks (message_id, seq, data)
        SELECT copied.id, c.seq, c.data
        FROM copied JOIN source ON source.new_uid = copied.uid JOIN message_chunks c ON c.message_id = source.id
        WHERE source.chunked_der_length IS NOT NULL;
    END IF;

    PERFORM pg_notify(p_notify_channel, json_build_object('vaultbox_id', p_vaultbox_id, 'mailbox_id', v_target)::text);
    IF p_source <> v_target THEN
        PERFORM pg_notify(p_notify_channel, json_build_object('vaultbox_id', p_vaultbox_id, 'mailbox_id', p_source)::text);
    END IF;

    RETURN QUERY SELECT v_target, v_validity, v_sources, v_first;
END
$$;
