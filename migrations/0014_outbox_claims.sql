-- The outbox at the rush (store.ClaimEmails): several processes claim batches with SKIP LOCKED
-- and hold them by a lease (next_attempt_at pushed past the time a batch may take to send), so
-- nobody else sends them meanwhile; an e-mail that keeps failing is set aside (set_aside_at)
-- for the admin to see, with its last error, and is no longer tried.
ALTER TABLE outbox_email ADD COLUMN set_aside_at timestamptz;

-- Only what is still to be sent is looked up by time (the claim) and by address (a family's
-- e-mails of a short window go out as one).
DROP INDEX outbox_email_pending_idx;
CREATE INDEX outbox_email_pending_idx ON outbox_email (next_attempt_at, id) WHERE sent_at IS NULL AND set_aside_at IS NULL;
CREATE INDEX outbox_email_pending_to_idx ON outbox_email (to_address) WHERE sent_at IS NULL AND set_aside_at IS NULL;
CREATE INDEX outbox_email_set_aside_idx ON outbox_email (set_aside_at) WHERE set_aside_at IS NOT NULL;
