-- UIDVALIDITY (RFC 3501 §2.3.1.1): a mailbox created under the name of one that was deleted or
-- renamed away must get a larger UIDVALIDITY than that one had, or clients keep the old UIDs.
-- The time in seconds is not enough (a client can delete and create a mailbox within one), so
-- each vaultbox keeps the last value it gave.
CREATE TABLE uid_validity_clocks (
    vaultbox_id uuid   PRIMARY KEY REFERENCES vaultboxes (id) ON DELETE CASCADE,
    last_value  bigint NOT NULL,
    CONSTRAINT uid_validity_clocks_range CHECK (last_value BETWEEN 1 AND 4294967295)
);

-- The UIDVALIDITY of a new mailbox of the vaultbox: the time in seconds, but above the last value
-- given and above every mailbox the vaultbox has (its first mailboxes are created elsewhere).
-- The clock's row lock orders concurrent calls of one vaultbox.
CREATE FUNCTION next_uid_validity(p_vaultbox_id uuid) RETURNS bigint
LANGUAGE sql
AS $$
    INSERT INTO uid_validity_clocks AS c (vaultbox_id, last_value)
    VALUES (p_vaultbox_id, greatest(extract(epoch FROM clock_timestamp())::bigint,
                                    (SELECT coalesce(max(uid_validity), 0) + 1 FROM mailboxes WHERE vaultbox_id = p_vaultbox_id)))
    ON CONFLICT (vaultbox_id) DO UPDATE SET last_value = greatest(c.last_value + 1, excluded.last_value)
    RETURNING c.last_value
$$;
