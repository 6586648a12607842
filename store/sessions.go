package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"
)

// Session is a logged-in browser, with its account.
type Session struct {
	Account
	CSRFToken  string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
}

// SessionPolicy bounds a session's life.
type SessionPolicy struct {
	Absolute time.Duration // from login
	Idle     time.Duration // since the last request
}

// RandomToken returns 32 random bytes, base64url-encoded.
func RandomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// CreateSession opens a session for an account and returns the token for the cookie. Only the
// token's hash is stored.
func (s *Store) CreateSession(ctx context.Context, accountID int64, p SessionPolicy, ip, userAgent string) (token string, sess Session, err error) {
	token = RandomToken()
	now := s.now()
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	_, err = s.q.ExecContext(ctx, `
		INSERT INTO session (token_hash, account_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $4, $5, NULLIF($6, '')::inet, $7)`,
		tokenHash(token), accountID, RandomToken(), now, now.Add(p.Absolute), ip, userAgent)
	if err != nil {
		return "", Session{}, translate(err)
	}
	sess, err = s.SessionByToken(ctx, token, p)
	return token, sess, err
}

// SessionByToken returns the live session of token, or ErrNotFound when it is unknown, expired
// or idle for too long. It records the activity, at most once a minute per session to spare
// writes.
func (s *Store) SessionByToken(ctx context.Context, token string, p SessionPolicy) (Session, error) {
	now := s.now()
	var row struct {
		Account
		CSRFToken  string    `db:"csrf_token"`
		SCreatedAt time.Time `db:"s_created_at"`
		LastSeenAt time.Time `db:"last_seen_at"`
		ExpiresAt  time.Time `db:"expires_at"`
	}
	err := s.getPrepared(ctx, &row, `
		SELECT `+accountColumns+`, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.expires_at
		FROM session s JOIN account a ON a.id = s.account_id
		WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND a.disabled_at IS NULL`,
		tokenHash(token), now, now.Add(-p.Idle))
	if err != nil {
		return Session{}, translate(err)
	}
	if now.Sub(row.LastSeenAt) > time.Minute {
		if _, err := s.q.ExecContext(ctx, `UPDATE session SET last_seen_at = $2 WHERE token_hash = $1`, tokenHash(token), now); err != nil {
			return Session{}, err
		}
		row.LastSeenAt = now
	}
	return Session{Account: row.Account, CSRFToken: row.CSRFToken, CreatedAt: row.SCreatedAt,
		LastSeenAt: row.LastSeenAt, ExpiresAt: row.ExpiresAt}, nil
}

// DeleteSession ends a session (logout). Unknown tokens are ignored.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM session WHERE token_hash = $1`, tokenHash(token))
	return err
}

// DeleteStaleSessions removes sessions past their absolute or idle limit and old login failures.
func (s *Store) DeleteStaleSessions(ctx context.Context, p SessionPolicy) (int64, error) {
	now := s.now()
	res, err := s.q.ExecContext(ctx, `DELETE FROM session WHERE expires_at <= $1 OR last_seen_at <= $2`, now, now.Add(-p.Idle))
	if err != nil {
		return 0, err
	}
	if _, err := s.q.ExecContext(ctx, `DELETE FROM login_failure WHERE at <= $1`, now.Add(-LoginFailureWindow)); err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
