-- DKIM signing keys of the sending domains (RFC 6376). A domain's key is generated on first use
-- (the API showing its DNS record, or the relay signing the domain's first message) and kept as
-- the vaultboxes' private keys are: wrapped (AEAD) by a key-encryption key that lives outside the
-- database, bound to its domain and selector so that a wrapped key copied onto another row does
-- not unwrap. Domains belong to the platform database: `domain` is a logical reference.
CREATE TABLE dkim_keys (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    domain          text        NOT NULL,
    selector        text        NOT NULL,
    -- The signature algorithm (a= of RFC 6376 §3.5, RFC 8463).
    algorithm       text        NOT NULL,
    -- What the DNS record publishes in p=: the DER SubjectPublicKeyInfo of an RSA key, the
    -- 32-byte public key of an Ed25519 key (RFC 8463 §4.2).
    public_key      bytea       NOT NULL,
    kek_id          text        NOT NULL,
    wrap_algorithm  text        NOT NULL,
    nonce           bytea       NOT NULL,
    ciphertext      bytea       NOT NULL,
    tag             bytea       NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    -- Set when a newer key takes over (rotation); a retired key signs nothing.
    retired_at      timestamptz,
    CONSTRAINT dkim_keys_domain_lower CHECK (domain = lower(domain)),
    CONSTRAINT dkim_keys_domain_format
        CHECK (domain <> '' AND length(domain) <= 253 AND position('@' IN domain) = 0),
    -- A selector is a DNS label sequence in front of ._domainkey (RFC 6376 §3.1).
    CONSTRAINT dkim_keys_selector_format
        CHECK (selector ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$' AND length(selector) <= 63),
    CONSTRAINT dkim_keys_algorithm_check CHECK (algorithm IN ('rsa-sha256', 'ed25519-sha256')),
    CONSTRAINT dkim_keys_public_key_nonempty CHECK (octet_length(public_key) > 0),
    CONSTRAINT dkim_keys_kek_id_nonempty CHECK (kek_id <> ''),
    CONSTRAINT dkim_keys_wrap_algorithm_nonempty CHECK (wrap_algorithm <> ''),
    CONSTRAINT dkim_keys_wrapped
        CHECK (octet_length(nonce) > 0 AND octet_length(ciphertext) > 0 AND octet_length(tag) > 0),
    CONSTRAINT dkim_keys_domain_selector_key UNIQUE (domain, selector)
);
-- One current key per domain: concurrent first uses insert with ON CONFLICT DO NOTHING and all
-- read back the same row.
CREATE UNIQUE INDEX dkim_keys_current_key ON dkim_keys (domain) WHERE retired_at IS NULL;
