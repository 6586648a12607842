-- Login failures are counted per (address, client network) and per client network, never per
-- address alone: a guesser elsewhere must not lock the owner out (see store.Authenticate).
DROP INDEX login_failure_email_at_idx;
CREATE INDEX login_failure_ip_email_at_idx ON login_failure (ip, email, at);
-- A completed password reset clears every failure of the address.
CREATE INDEX login_failure_email_idx ON login_failure (email);

-- The id a person sees and posts to end one of their sessions: neither the token nor its hash,
-- which must never leave the server.
ALTER TABLE session ADD COLUMN public_id uuid NOT NULL DEFAULT gen_random_uuid();
CREATE UNIQUE INDEX session_public_id_idx ON session (public_id);

-- What an e-mail is about: the only thing the log says of it when no SMTP server is configured
-- (never the address, subject, body or links).
CREATE TYPE email_kind AS ENUM ('notice', 'confirm_email', 'reset_password', 'booking', 'cancellation', 'seats_changed');
ALTER TABLE outbox_email ADD COLUMN kind email_kind NOT NULL DEFAULT 'notice';
