-- Encimap database, schema v1.
--
-- Conventions:
--  * Every row that belongs to a vaultbox reaches `vaultboxes` through foreign keys that all
--    cascade on delete: deleting a vaultbox removes everything it has (SPEC "goes when it goes").
--  * `user_id` refers to the platform database: a logical reference checked by the application,
--    never a foreign key.
--  * Addresses, aliases and domains are stored lower-case (CHECK constraints); the unique indexes
--    still use lower() so that uniqueness stays case-insensitive even if a check is relaxed.
--  * Password hashes are bcrypt only; private keys are stored only wrapped by a key-encryption
--    key that does not live in the database.

-- Keeps updated_at honest whatever statement changes a row.
CREATE FUNCTION set_updated_at() RETURNS trigger
    LANGUAGE plpgsql AS
$$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE vaultboxes (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid        NOT NULL,
    domain         text        NOT NULL,
    alias          text        NOT NULL,
    name           text,
    hide_subject   boolean     NOT NULL DEFAULT false,
    key_transport  text        NOT NULL DEFAULT 'rsa-pkcs1',
    -- The one login name shared by the IMAP and SMTP credentials of this vaultbox (SPEC "unified
    -- username"); NULL until the first credential is created. The credential tables reference
    -- (id, username), so both credentials of a vaultbox carry the same name and no other vaultbox
    -- can use it.
    username       text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vaultboxes_domain_lower CHECK (domain = lower(domain)),
    CONSTRAINT vaultboxes_alias_lower CHECK (alias = lower(alias)),
    CONSTRAINT vaultboxes_domain_format
        CHECK (domain <> '' AND length(domain) <= 253 AND position('@' IN domain) = 0),
    CONSTRAINT vaultboxes_alias_format
        CHECK (alias <> '' AND length(alias) <= 64 AND position('@' IN alias) = 0),
    CONSTRAINT vaultboxes_key_transport_check CHECK (key_transport IN ('rsa-pkcs1', 'rsa-oaep')),
    CONSTRAINT vaultboxes_username_format
        CHECK (username ~ '^[a-z0-9][a-z0-9._-]*$' AND length(username) <= 128),
    CONSTRAINT vaultboxes_username_key UNIQUE (username),
    CONSTRAINT vaultboxes_id_username_key UNIQUE (id, username)
);
-- alias@domain is unique across the whole system, case-insensitively.
CREATE UNIQUE INDEX vaultboxes_address_key ON vaultboxes (lower(alias), lower(domain));
CREATE INDEX vaultboxes_user_id_idx ON vaultboxes (user_id);
CREATE TRIGGER vaultboxes_set_updated_at BEFORE UPDATE ON vaultboxes
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Inbound routing: which address delivers to which vaultbox.
CREATE TABLE mail_routes (
    address      text        PRIMARY KEY,
    vaultbox_id  uuid        NOT NULL REFERENCES vaultboxes (id) ON DELETE CASCADE,
    active       boolean     NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mail_routes_address_lower CHECK (address = lower(address)),
    CONSTRAINT mail_routes_address_format CHECK (address LIKE '_%@_%' AND length(address) <= 320)
);
CREATE INDEX mail_routes_vaultbox_id_idx ON mail_routes (vaultbox_id);

CREATE TABLE imap_app_credentials (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    vaultbox_id    uuid        NOT NULL,
    username       text        NOT NULL,
    password_hash  text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT imap_app_credentials_vaultbox_id_key UNIQUE (vaultbox_id),
    CONSTRAINT imap_app_credentials_username_key UNIQUE (username),
    CONSTRAINT imap_app_credentials_vaultbox_fkey FOREIGN KEY (vaultbox_id, username)
        REFERENCES vaultboxes (id, username) ON DELETE CASCADE,
    CONSTRAINT imap_app_credentials_password_hash_bcrypt
        CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$')
);
CREATE TRIGGER imap_app_credentials_set_updated_at BEFORE UPDATE ON imap_app_credentials
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE vaultbox_smtp_credentials (
    id             uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    vaultbox_id    uuid        NOT NULL,
    username       text        NOT NULL,
    password_hash  text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vaultbox_smtp_credentials_vaultbox_id_key UNIQUE (vaultbox_id),
    CONSTRAINT vaultbox_smtp_credentials_username_key UNIQUE (username),
    CONSTRAINT vaultbox_smtp_credentials_vaultbox_fkey FOREIGN KEY (vaultbox_id, username)
        REFERENCES vaultboxes (id, username) ON DELETE CASCADE,
    CONSTRAINT vaultbox_smtp_credentials_password_hash_bcrypt
        CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$')
);
CREATE TRIGGER vaultbox_smtp_credentials_set_updated_at BEFORE UPDATE ON vaultbox_smtp_credentials
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE vaultbox_certs (
    id                 uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    vaultbox_id        uuid        NOT NULL REFERENCES vaultboxes (id) ON DELETE CASCADE,
    certificate_der    bytea       NOT NULL,
    serial_number      text        NOT NULL,
    thumbprint_sha256  text        NOT NULL,
    subject            text        NOT NULL,
    not_before         timestamptz NOT NULL,
    not_after          timestamptz NOT NULL,
    status             text        NOT NULL DEFAULT 'active',
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vaultbox_certs_thumbprint_sha256_key UNIQUE (thumbprint_sha256),
    CONSTRAINT vaultbox_certs_certificate_nonempty CHECK (octet_length(certificate_der) > 0),
    -- Lower-case hex, so that lookups by thumbprint or serial never depend on formatting.
    CONSTRAINT vaultbox_certs_thumbprint_hex CHECK (thumbprint_sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT vaultbox_certs_serial_hex CHECK (serial_number ~ '^[0-9a-f]{1,64}$'),
    CONSTRAINT vaultbox_certs_validity CHECK (not_after > not_before),
    CONSTRAINT vaultbox_certs_status_check CHECK (status IN ('active', 'revoked', 'expired'))
);
CREATE INDEX vaultbox_certs_vaultbox_id_status_idx ON vaultbox_certs (vaultbox_id, status);

-- Private keys exist here only wrapped (AEAD) by a key-encryption key that lives outside the
-- database; kek_id names that key so that it can be rotated.
CREATE TABLE vaultbox_private_keys (
    cert_id     uuid        PRIMARY KEY REFERENCES vaultbox_certs (id) ON DELETE CASCADE,
    kek_id      text        NOT NULL,
    algorithm   text        NOT NULL,
    nonce       bytea       NOT NULL,
    ciphertext  bytea       NOT NULL,
    tag         bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT vaultbox_private_keys_kek_id_nonempty CHECK (kek_id <> ''),
    CONSTRAINT vaultbox_private_keys_algorithm_nonempty CHECK (algorithm <> ''),
    CONSTRAINT vaultbox_private_keys_wrapped
        CHECK (octet_length(nonce) > 0 AND octet_length(ciphertext) > 0 AND octet_length(tag) > 0)
);

-- IMAP folders. uid_next and highest_modseq are advanced with UPDATE ... RETURNING in the same
-- transaction as the message insert, which serializes UID assignment per mailbox.
CREATE TABLE mailboxes (
    id              bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    vaultbox_id     uuid        NOT NULL REFERENCES vaultboxes (id) ON DELETE CASCADE,
    name            text        NOT NULL,
    special_use     text,
    subscribed      boolean     NOT NULL DEFAULT true,
    uid_validity    bigint      NOT NULL,
    uid_next        bigint      NOT NULL DEFAULT 1,
    highest_modseq  bigint      NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT mailboxes_vaultbox_id_name_key UNIQUE (vaultbox_id, name),
    -- Target of the messages (mailbox_id, vaultbox_id) foreign key.
    CONSTRAINT mailboxes_id_vaultbox_id_key UNIQUE (id, vaultbox_id),
    CONSTRAINT mailboxes_name_format CHECK (name <> '' AND length(name) <= 255),
    CONSTRAINT mailboxes_special_use_check
        CHECK (special_use IN ('\All', '\Archive', '\Drafts', '\Flagged', '\Junk', '\Sent', '\Trash')),
    -- IMAP UIDs and UIDVALIDITY are non-zero 32-bit unsigned numbers (RFC 9051).
    CONSTRAINT mailboxes_uid_validity_range CHECK (uid_validity BETWEEN 1 AND 4294967295),
    CONSTRAINT mailboxes_uid_next_range CHECK (uid_next BETWEEN 1 AND 4294967296),
    CONSTRAINT mailboxes_highest_modseq_positive CHECK (highest_modseq > 0)
);

-- Stored messages: `content` is the encrypted message exactly as served over IMAP.
-- Expunge is a hard DELETE: an expunged message's ciphertext is really gone, no query has to
-- filter on a flag, and storage is reclaimed. Tombstones for QRESYNC can come as a separate,
-- content-free table.
CREATE TABLE messages (
    id              bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    vaultbox_id     uuid        NOT NULL REFERENCES vaultboxes (id) ON DELETE CASCADE,
    mailbox_id      bigint      NOT NULL,
    uid             bigint      NOT NULL,
    modseq          bigint      NOT NULL,
    flags           text[]      NOT NULL DEFAULT '{}',
    internal_date   timestamptz NOT NULL DEFAULT now(),
    size_bytes      integer     NOT NULL,
    message_id      text,
    from_domain     text,
    to_alias        text,
    -- Outer Subject header as stored (NULL when the vaultbox hides subjects).
    subject         text,
    envelope        jsonb,
    body_structure  jsonb,
    content         bytea       NOT NULL,
    -- Idempotency key of an inbound delivery: a retried delivery of the same message does not
    -- store it twice (unique per vaultbox). A COPY to another folder stores NULL.
    dedup_key       bytea,
    received_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT messages_mailbox_id_uid_key UNIQUE (mailbox_id, uid),
    -- The message's folder belongs to the same vaultbox as the message.
    CONSTRAINT messages_mailbox_fkey FOREIGN KEY (mailbox_id, vaultbox_id)
        REFERENCES mailboxes (id, vaultbox_id) ON DELETE CASCADE,
    CONSTRAINT messages_uid_range CHECK (uid BETWEEN 1 AND 4294967295),
    CONSTRAINT messages_modseq_positive CHECK (modseq > 0),
    -- RFC822.SIZE must be the size of what is served.
    CONSTRAINT messages_size_matches_content CHECK (size_bytes > 0 AND size_bytes = octet_length(content)),
    CONSTRAINT messages_dedup_key_nonempty CHECK (octet_length(dedup_key) > 0)
);
CREATE UNIQUE INDEX messages_vaultbox_id_dedup_key_key ON messages (vaultbox_id, dedup_key)
    WHERE dedup_key IS NOT NULL;
-- Usage figures (count, bytes, last received) and the vaultbox cascade.
CREATE INDEX messages_vaultbox_id_received_at_idx ON messages (vaultbox_id, received_at);

-- What happened to each inbound message. A vaultbox's logs go with it (SPEC); logs of mail
-- that matched no vaultbox have vaultbox_id NULL.
CREATE TABLE email_processing_logs (
    id           bigint      GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    vaultbox_id  uuid        REFERENCES vaultboxes (id) ON DELETE CASCADE,
    outcome      text        NOT NULL,
    size_bytes   integer,
    duration_ms  integer,
    detail       text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT email_processing_logs_outcome_format CHECK (outcome ~ '^[a-z][a-z_]*$'),
    CONSTRAINT email_processing_logs_size_nonnegative CHECK (size_bytes >= 0),
    CONSTRAINT email_processing_logs_duration_nonnegative CHECK (duration_ms >= 0)
);
CREATE INDEX email_processing_logs_vaultbox_id_created_at_idx
    ON email_processing_logs (vaultbox_id, created_at);

-- Durable submission queue. A row is committed before the SMTP submission is answered 250.
-- Workers claim rows with SELECT ... FOR UPDATE SKIP LOCKED; while a row is 'sending',
-- next_attempt_at is its lease expiry.
CREATE TABLE outbound_messages (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    vaultbox_id      uuid        REFERENCES vaultboxes (id) ON DELETE CASCADE,
    -- Logical reference to platform motor_blocks.id.
    motor_block_id   uuid,
    envelope_from    text        NOT NULL,
    recipients       text[]      NOT NULL,
    content          bytea       NOT NULL,
    status           text        NOT NULL DEFAULT 'queued',
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- Every queued message was submitted by exactly one authenticated sender (rate limits, audit).
    CONSTRAINT outbound_messages_one_sender CHECK (num_nonnulls(vaultbox_id, motor_block_id) = 1),
    CONSTRAINT outbound_messages_recipients_nonempty
        CHECK (cardinality(recipients) > 0 AND array_position(recipients, NULL) IS NULL),
    CONSTRAINT outbound_messages_content_nonempty CHECK (octet_length(content) > 0),
    CONSTRAINT outbound_messages_status_check CHECK (status IN ('queued', 'sending', 'sent', 'failed')),
    CONSTRAINT outbound_messages_attempts_nonnegative CHECK (attempts >= 0)
);
-- The worker's "what is due" scan; finished rows stay out of the index.
CREATE INDEX outbound_messages_status_next_attempt_at_idx ON outbound_messages (status, next_attempt_at)
    WHERE status IN ('queued', 'sending');
CREATE INDEX outbound_messages_vaultbox_id_idx ON outbound_messages (vaultbox_id)
    WHERE vaultbox_id IS NOT NULL;
-- MotorBlock hourly rate limit: messages of one account since a given time.
CREATE INDEX outbound_messages_motor_block_id_created_at_idx ON outbound_messages (motor_block_id, created_at)
    WHERE motor_block_id IS NOT NULL;
CREATE TRIGGER outbound_messages_set_updated_at BEFORE UPDATE ON outbound_messages
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();
