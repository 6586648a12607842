package store

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
)

// A session token is 32 random bytes and a MAC over them, "<random>.<mac>" in base64url: a
// cookie whose MAC does not match was not made here, and is refused without a database read.
// At the 8:00 rush a flood of requests with made-up session cookies would otherwise have had
// each of them looked up, filling the session queue that logged-in parents need, and HAProxy,
// which gives requests with a session priority and spares them the per-address limit, checks
// the same MAC with the same key (deploy/haproxy.cfg).
//
// The MAC is HMAC-SHA256 over the random part, cut to 16 bytes: forging one means guessing 128
// bits, and HAProxy computes it with its hmac converter.

// ErrNoSessionKey is returned when the session key is neither given nor readable.
var ErrNoSessionKey = errors.New("no session key")

// sessionMACSize is how many bytes of the HMAC a token carries.
const sessionMACSize = 16

// sessionKey holds the key of a Store and its copies: given (WithSessionKey) or read once from
// the database (SessionKey).
type sessionKey struct {
	mu  sync.Mutex
	key []byte
}

// WithSessionKey gives the store the key that signs session tokens (SESSION_KEY); without it
// the key is the database's, made by the first process that needs it.
func WithSessionKey(key []byte) Option {
	return func(s *Store) { s.session.key = append([]byte(nil), key...) }
}

// SessionKey returns the key that signs session tokens, reading it from the database the first
// time (and creating it there if no process has yet) unless it was given.
func (s *Store) SessionKey(ctx context.Context) ([]byte, error) {
	s.session.mu.Lock()
	defer s.session.mu.Unlock()
	if s.session.key != nil {
		return s.session.key, nil
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	if _, err := s.q.ExecContext(ctx, `INSERT INTO service_secret (name, secret) VALUES ('session', $1) ON CONFLICT (name) DO NOTHING`, fresh); err != nil {
		return nil, translate(err)
	}
	var key []byte
	if err := s.q.GetContext(ctx, &key, `SELECT secret FROM service_secret WHERE name = 'session'`); err != nil {
		return nil, translate(err)
	}
	s.session.key = key
	return key, nil
}

// newSessionToken makes a signed token.
func (s *Store) newSessionToken(ctx context.Context) (string, error) {
	key, err := s.SessionKey(ctx)
	if err != nil {
		return "", err
	}
	random := RandomToken()
	return random + "." + sessionMAC(key, random), nil
}

// SessionTokenSigned tells whether token carries the MAC of this service's key. Once the key
// is known (the api reads it at start) it needs no database.
func (s *Store) SessionTokenSigned(ctx context.Context, token string) (bool, error) {
	random, mac, ok := strings.Cut(token, ".")
	if !ok || len(random) != 43 || len(mac) != 22 {
		return false, nil
	}
	key, err := s.SessionKey(ctx)
	if err != nil {
		return false, err
	}
	return hmac.Equal([]byte(mac), []byte(sessionMAC(key, random))), nil
}

func sessionMAC(key []byte, random string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(random))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:sessionMACSize])
}
