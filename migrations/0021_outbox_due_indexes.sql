-- The outbox's claim (store.ClaimEmails) looked for due e-mails in one index ordered by
-- next_attempt_at. A family's booking, cancellation and seat e-mails are due only once they are
-- MAIL_GROUP_WINDOW old, yet their next_attempt_at is their creation time: while the deliverers
-- kept up, every claim walked past all the e-mails of the last window (some 15,000 at the 8
-- o'clock rush) to find none, and the two processes' outboxes took a third of the database's
-- time in bench-rush. Each sort of e-mail now has the index its claim needs: the others by when
-- they are due, the grouped ones by age, so that a claim reads only what it takes.
-- The list of grouped kinds is store.groupedKinds (a test checks that both agree).
DROP INDEX outbox_email_pending_idx;
CREATE INDEX outbox_email_due_idx ON outbox_email (next_attempt_at, id)
    WHERE sent_at IS NULL AND set_aside_at IS NULL AND kind NOT IN ('booking', 'cancellation', 'seats_changed');
CREATE INDEX outbox_email_grouped_idx ON outbox_email (created_at, id)
    WHERE sent_at IS NULL AND set_aside_at IS NULL AND kind IN ('booking', 'cancellation', 'seats_changed');
