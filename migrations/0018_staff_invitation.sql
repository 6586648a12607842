-- Staff accounts made on the administration page get an invitation e-mail: a kind of its own,
-- so that the outbox page and the logs tell it from a password reset the owner asked for.
ALTER TYPE email_kind ADD VALUE IF NOT EXISTS 'invitation';
