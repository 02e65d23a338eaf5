-- ENVELOPE and BODYSTRUCTURE in IMAP wire syntax, rendered once at delivery (as Dovecot's cache
-- keeps them), so that a FETCH of them copies bytes instead of decoding the JSON columns,
-- formatting them, and making PostgreSQL re-serialize jsonb on every read. The JSON columns stay
-- for BODY, sections and BINARY. NULL for messages stored before this migration: those are
-- still served from the JSON columns.
ALTER TABLE messages
    ADD COLUMN imap_envelope bytea,
    ADD COLUMN imap_body_structure bytea;
