-- Secrets every process of the service shares, made by the first process that needs one: the
-- key that signs session tokens ('session'), so that a forged session cookie is refused by
-- HAProxy and the processes without a database read.
CREATE TABLE service_secret (
    name   text PRIMARY KEY,
    secret bytea NOT NULL CHECK (length(secret) >= 32)
);
