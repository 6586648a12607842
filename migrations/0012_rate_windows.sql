-- Request counts of the shared limits (store.Limiter): every process adds what it admitted to a
-- key's window about once a second and reads back the total of all processes. The key is a
-- digest of the limit's name and the client network or account, never the address or e-mail
-- itself. Unlogged: counts that last minutes need no crash safety, and a crash that empties the
-- table only gives every client a fresh window.
CREATE UNLOGGED TABLE rate_window (
    key          bytea       NOT NULL,
    window_start timestamptz NOT NULL,
    hits         integer     NOT NULL CHECK (hits >= 0),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_window_expires_at_idx ON rate_window (expires_at);
