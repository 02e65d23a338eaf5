-- Relay state of the outbound queue (SMTP gateway).
--
-- A row's `recipients` never change (the constraint wants them non-empty); the relay records
-- which of them are finished (delivered or failed for good) and why the failed ones failed, so
-- that a retry goes only to the rest and a bounce can name each failure.
-- After the relay, two deliveries through the intake may still be due, retried on their own
-- (next_attempt_at) until they succeed: the copy in the sender vaultbox's Sent folder (only
-- after the message was relayed) and the bounce (DSN) into its INBOX. The bounce is built once
-- and kept, so that a retried delivery of it has the same bytes (the intake de-duplicates).
ALTER TABLE outbound_messages
    ADD COLUMN done_recipients   text[]  NOT NULL DEFAULT '{}',
    ADD COLUMN failures          jsonb   NOT NULL DEFAULT '[]',
    ADD COLUMN sent_copy_pending boolean NOT NULL DEFAULT false,
    ADD COLUMN bounce_pending    boolean NOT NULL DEFAULT false,
    ADD COLUMN bounce_content    bytea,
    ADD CONSTRAINT outbound_messages_failures_array CHECK (jsonb_typeof(failures) = 'array'),
    ADD CONSTRAINT outbound_messages_bounce_content
        CHECK (NOT bounce_pending OR octet_length(bounce_content) > 0);

-- The worker's scan for follow-up deliveries of finished rows.
CREATE INDEX outbound_messages_followups_idx ON outbound_messages (next_attempt_at)
    WHERE sent_copy_pending OR bounce_pending;
