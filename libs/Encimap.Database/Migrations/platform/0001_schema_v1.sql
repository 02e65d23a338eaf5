-- Platform database, schema v1.
--
-- The platform (the SaaS backend that owns users, domains and billing) owns this database in
-- production; Encimap only reads `users`, `domains` and `motor_blocks` through the
-- `encimap_platform_reader` role. This schema is what Encimap ships for development and tests,
-- shaped like the platform's own tables.

CREATE TABLE users (
    id          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    email       text        NOT NULL,
    name        text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email),
    -- Stored lower-case so that the plain unique constraint is a case-insensitive one.
    CONSTRAINT users_email_lower CHECK (email = lower(email)),
    CONSTRAINT users_email_format CHECK (email LIKE '_%@_%' AND length(email) <= 320)
);

CREATE TABLE domains (
    id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id              uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    domain               text        NOT NULL,
    verification_status  text        NOT NULL DEFAULT 'pending',
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT domains_domain_format CHECK (domain <> '' AND length(domain) <= 253 AND position('@' IN domain) = 0),
    CONSTRAINT domains_verification_status_check
        CHECK (verification_status IN ('pending', 'verified', 'failed'))
);
-- One owner per domain, whatever the case the platform stored it in.
CREATE UNIQUE INDEX domains_domain_lower_key ON domains (lower(domain));
CREATE INDEX domains_user_id_idx ON domains (user_id);

-- The platform's own SMTP accounts. Encimap's submission port authenticates them (bcrypt) and
-- enforces the hourly rate limit.
CREATE TABLE motor_blocks (
    id                   uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id              uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    username             text        NOT NULL,
    password_hash        text        NOT NULL,
    enabled              boolean     NOT NULL DEFAULT true,
    rate_limit_per_hour  integer     NOT NULL DEFAULT 100,
    sending_domain       text,
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT motor_blocks_username_key UNIQUE (username),
    CONSTRAINT motor_blocks_username_format CHECK (username <> '' AND length(username) <= 255),
    -- Only bcrypt hashes ($2a$/$2b$/$2y$, cost, 22 salt + 31 hash characters): never a plaintext.
    CONSTRAINT motor_blocks_password_hash_bcrypt
        CHECK (password_hash ~ '^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$'),
    CONSTRAINT motor_blocks_rate_limit_positive CHECK (rate_limit_per_hour > 0)
);
CREATE INDEX motor_blocks_user_id_idx ON motor_blocks (user_id);

CREATE TABLE subscriptions (
    id                  uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    plan                text        NOT NULL,
    status              text        NOT NULL,
    current_period_end  timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT subscriptions_plan_nonempty CHECK (plan <> ''),
    CONSTRAINT subscriptions_status_nonempty CHECK (status <> '')
);
CREATE INDEX subscriptions_user_id_idx ON subscriptions (user_id);
