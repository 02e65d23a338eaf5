-- A subscription outlives its mailbox: the server MUST NOT remove a name from the subscription
-- list because its mailbox no longer exists (RFC 3501 §6.3.6). mailboxes.subscribed stays the
-- subscription of an existing mailbox; when a subscribed mailbox is deleted its name moves here,
-- where LIST (SUBSCRIBED) and LSUB still find it, until it is unsubscribed or a mailbox of that
-- name is created again (which takes the subscription back).
CREATE TABLE detached_subscriptions (
    vaultbox_id uuid        NOT NULL REFERENCES vaultboxes (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (vaultbox_id, name),
    CONSTRAINT detached_subscriptions_name_format CHECK (name <> '' AND length(name) <= 255)
);
