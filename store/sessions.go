package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"
)

// Session is a logged-in browser, with its account.
type Session struct {
	Account
	// PublicID names the session to its account (the sessions page): neither the token nor its
	// hash, which never leave the server.
	PublicID   string
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
	if token, err = s.newSessionToken(ctx); err != nil {
		return "", Session{}, err
	}
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
	if signed, err := s.SessionTokenSigned(ctx, token); err != nil || !signed {
		return Session{}, cmp.Or(err, ErrNotFound)
	}
	found, err := s.sessionsByTokens(ctx, []string{token}, p)
	if err != nil {
		return Session{}, err
	}
	sess, ok := found[token]
	if !ok {
		return Session{}, ErrNotFound
	}
	return sess, nil
}

// sessionsByTokens is SessionByToken for many tokens in one round trip (two when some session's
// activity is to be recorded): the live sessions, by token.
func (s *Store) sessionsByTokens(ctx context.Context, tokens []string, p SessionPolicy) (map[string]Session, error) {
	now := s.now()
	byHash := make(map[string]string, len(tokens))
	hashes := make([][]byte, 0, len(tokens))
	for _, t := range tokens {
		h := tokenHash(t)
		if _, dup := byHash[string(h)]; !dup {
			byHash[string(h)] = t
			hashes = append(hashes, h)
		}
	}
	var rows []struct {
		Account
		TokenHash  []byte    `db:"token_hash"`
		PublicID   string    `db:"public_id"`
		CSRFToken  string    `db:"csrf_token"`
		SCreatedAt time.Time `db:"s_created_at"`
		LastSeenAt time.Time `db:"last_seen_at"`
		ExpiresAt  time.Time `db:"expires_at"`
	}
	if err := s.selectPrepared(ctx, &rows, sessionsByTokensSQL, pq.ByteaArray(hashes), now, now.Add(-p.Idle)); err != nil {
		return nil, translate(err)
	}
	out := make(map[string]Session, len(rows))
	var seen [][]byte
	for _, r := range rows {
		if now.Sub(r.LastSeenAt) > time.Minute {
			seen = append(seen, r.TokenHash)
			r.LastSeenAt = now
		}
		out[byHash[string(r.TokenHash)]] = Session{Account: r.Account, PublicID: r.PublicID, CSRFToken: r.CSRFToken, CreatedAt: r.SCreatedAt,
			LastSeenAt: r.LastSeenAt, ExpiresAt: r.ExpiresAt}
	}
	if len(seen) > 0 {
		if _, err := s.q.ExecContext(ctx, `UPDATE session SET last_seen_at = $2 WHERE token_hash = ANY($1)`, pq.ByteaArray(seen), now); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sessionsByTokensSQL reads the live sessions of the token hashes $1 (now $2, idle since $3),
// each by its key: planned once for any tokens, a plan may not scan the sessions.
const sessionsByTokensSQL = `
	SELECT ` + accountColumns + `, s.token_hash, s.public_id::text AS public_id, s.csrf_token, s.created_at AS s_created_at, s.last_seen_at, s.expires_at
	FROM unnest($1::bytea[]) AS t(hash)
	CROSS JOIN LATERAL (SELECT * FROM session s WHERE s.token_hash = t.hash OFFSET 0) s
	JOIN account a ON a.id = s.account_id
	WHERE s.expires_at > $2 AND s.last_seen_at > $3 AND a.disabled_at IS NULL`

// SessionLoader reads the sessions of concurrent requests together (see batcher): at the
// morning rush every request starts with its session, and read one by one they would wake the
// database as many times.
type SessionLoader struct {
	st    *Store
	p     SessionPolicy
	reads batcher[*sessionWait]
	conn  keptConn // reads run on a connection of their own (see ownConn)
}

type sessionWait struct {
	waiter
	token string
	sess  Session
	err   error
}

func (w *sessionWait) fail(err error) { w.reply(func() { w.err = err }) }

// sessionReadTimeout bounds one read, whoever waits for it.
const sessionReadTimeout = 10 * time.Second

// maxSessionRead caps the tokens of one read.
const maxSessionRead = 256

// DefaultSessionQueue is how many session reads may wait by default: four full reads. A read
// looks up each of its tokens by key in one round trip, a few milliseconds for 256 tokens, so an
// admitted request waits some ten milliseconds at most for its session; every request of a
// logged-in user starts with one, so more waiting would only mean the database is slow, and
// the requests are better told at once to come back (503, Retry-After).
const DefaultSessionQueue = 4 * maxSessionRead

// NewSessionLoader returns a SessionLoader over st for sessions under p, with at most
// maxWaiting reads waiting (≤ 0: DefaultSessionQueue).
func NewSessionLoader(st *Store, p SessionPolicy, maxWaiting int) *SessionLoader {
	if maxWaiting <= 0 {
		maxWaiting = DefaultSessionQueue
	}
	l := &SessionLoader{st: st, p: p, conn: keptConn{st: st}}
	l.reads.take = takeFirst[*sessionWait](maxSessionRead)
	l.reads.do = l.read
	l.reads.reset = l.conn.release
	l.reads.max = maxWaiting
	return l
}

// Session is Store.SessionByToken, in the next read. It returns ErrOverloaded at once when too
// many reads wait already, or after Close, and ctx's error if ctx ends first.
func (l *SessionLoader) Session(ctx context.Context, token string) (Session, error) {
	// A token this service did not sign is no session: told without queueing a read.
	if signed, err := l.st.SessionTokenSigned(ctx, token); err != nil || !signed {
		return Session{}, cmp.Or(err, ErrNotFound)
	}
	w := &sessionWait{waiter: newWaiter(ctx), token: token}
	if err := l.reads.add(w); err != nil {
		return Session{}, err
	}
	if err := w.wait(); err != nil {
		return Session{}, err
	}
	return w.sess, w.err
}

func (l *SessionLoader) read(batch []*sessionWait) {
	tokens := make([]string, len(batch))
	for i, w := range batch {
		tokens[i] = w.token
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionReadTimeout)
	found, err := l.conn.store(ctx).sessionsByTokens(ctx, tokens, l.p)
	if err != nil { // the database may have dropped the connection: once more on another
		l.conn.release()
		found, err = l.conn.store(ctx).sessionsByTokens(ctx, tokens, l.p)
	}
	cancel()
	for _, w := range batch {
		w.reply(func() {
			sess, ok := found[w.token]
			switch {
			case err != nil:
				w.err = err
			case !ok:
				w.err = ErrNotFound
			default:
				w.sess = sess
			}
		})
	}
}

// Close refuses new reads (ErrOverloaded), answers those waiting, then gives back the loader's
// connection.
func (l *SessionLoader) Close() {
	l.reads.close()
	l.conn.release()
}

// Queue tells how many reads wait, and how many were refused or dropped.
func (l *SessionLoader) Queue() QueueStats { return l.reads.stats() }

// DeleteSession ends a session (logout). Unknown tokens are ignored.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM session WHERE token_hash = $1`, tokenHash(token))
	return err
}

// ActiveSession is one of an account's live sessions, as its sessions page shows it.
type ActiveSession struct {
	PublicID   string    `db:"public_id"`
	CreatedAt  time.Time `db:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
	IP         string    `db:"ip"`
	UserAgent  string    `db:"user_agent"`
}

// SessionsOf lists the live sessions of sc's account under p, the latest active first.
func (s *Store) SessionsOf(ctx context.Context, sc Scope, p SessionPolicy) ([]ActiveSession, error) {
	now := s.now()
	var out []ActiveSession
	err := s.q.SelectContext(ctx, &out, `
		SELECT public_id::text AS public_id, created_at, last_seen_at, COALESCE(host(ip), '') AS ip, user_agent
		FROM session WHERE account_id = $1 AND expires_at > $2 AND last_seen_at > $3
		ORDER BY last_seen_at DESC, created_at DESC`, sc.AccountID, now, now.Add(-p.Idle))
	return out, translate(err)
}

// EndSession ends the session publicID of sc's account; ErrNotFound when the account has no
// such session (another account's is not found either).
func (s *Store) EndSession(ctx context.Context, sc Scope, publicID string) error {
	if !isUUID(publicID) {
		return ErrNotFound
	}
	res, err := s.q.ExecContext(ctx, `DELETE FROM session WHERE account_id = $1 AND public_id = $2::uuid`, sc.AccountID, publicID)
	if err != nil {
		return translate(err)
	}
	return mustAffect(res)
}

// EndOtherSessions ends every session of sc's account but keepPublicID (the one asking), and
// returns how many ended.
func (s *Store) EndOtherSessions(ctx context.Context, sc Scope, keepPublicID string) (int64, error) {
	if !isUUID(keepPublicID) {
		return 0, ErrNotFound
	}
	res, err := s.q.ExecContext(ctx, `DELETE FROM session WHERE account_id = $1 AND public_id <> $2::uuid`, sc.AccountID, keepPublicID)
	if err != nil {
		return 0, translate(err)
	}
	return res.RowsAffected()
}

// isUUID reports whether id is a UUID, so that anything else is "not found" rather than an SQL
// error.
func isUUID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil && len(id) == 36
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
