-- What a whole-mailbox metadata FETCH reads, made cheap to read.
--
-- imap_envelope / imap_body_structure: ENVELOPE and BODYSTRUCTURE in IMAP wire syntax, rendered
-- once at delivery (as Dovecot's cache keeps them), so that FETCH copies them instead of decoding
-- JSON and formatting. NULL for messages stored before this migration: those are still served
-- from the JSON columns.
--
-- envelope / body_structure stay for BODY, sections and BINARY, and become json: jsonb
-- re-serializes its binary form to text on every read (about three quarters of PostgreSQL's
-- time for a whole-mailbox FETCH of them), while nothing ever queries inside them. json keeps the
-- text as written, still checked to be JSON on the way in.
ALTER TABLE messages
    ALTER COLUMN envelope TYPE json USING envelope::json,
    ALTER COLUMN body_structure TYPE json USING body_structure::json,
    ADD COLUMN imap_envelope bytea,
    ADD COLUMN imap_body_structure bytea;
