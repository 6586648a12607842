package store

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// Rate is one limit: at most Max requests per Window for each key. A Max or Window of 0 turns
// the limit off.
type Rate struct {
	Max    int
	Window time.Duration
}

// Off reports whether the rate limits nothing.
func (r Rate) Off() bool { return r.Max <= 0 || r.Window <= 0 }

// LimitError refuses a request until Wait has passed. Kind is ErrRateLimited (too many requests
// in a window, see Limiter) or ErrThrottled (a login slowed down after wrong passwords, see
// Authenticate); errors.Is matches it.
type LimitError struct {
	Kind error
	Wait time.Duration
}

func (e *LimitError) Error() string { return fmt.Sprintf("%v: retry in %v", e.Kind, e.Wait) }
func (e *LimitError) Unwrap() error { return e.Kind }

// RetryAfter is how long the client should wait before trying again.
func (e *LimitError) RetryAfter() time.Duration { return e.Wait }

// Limiter counts requests per key in fixed windows (a minute, an hour: each limit's Window)
// shared by every process on the database, without a round trip per request.
//
// Each process counts what it admits in memory and, about every LimiterConfig.Sync (a second),
// adds what it admitted since its last sync to the table rate_window in one statement (an
// upsert of all its keys), which hands back each key's total over all processes. A key is
// refused as soon as the last total read plus what this process admitted since reaches Max: a
// request costs a map lookup under a mutex, and the database one statement per process per
// second, whatever the traffic. The sync runs on the request that finds it due, in a goroutine
// of its own, so an idle process touches nothing.
//
// The approximation: a process learns of the others' admissions only at its own syncs (and of
// a key's total only once it admitted one request for the key itself), so a key can go over Max
// by what the other processes admitted for it in about one sync interval; in the worst case, a
// burst that reaches every process within the same interval, each of P processes admits up to
// Max and the key gets P × Max in that window. One process alone never goes over Max. If the
// database is unreachable, each process keeps its own counts (the limits hold per process) and
// retries the sync on the next due request; the counts it could not send are kept for then.
// Counts of a window that ended before they were sent are dropped: they decide nothing any more.
//
// Keys are stored as a digest of the limit's name and the key, never as an address or e-mail.
type Limiter struct {
	st      *Store
	rules   map[string]*limitRule
	every   time.Duration
	onError func(error)

	mu       sync.Mutex
	counts   map[limitKey]*limitCount
	syncing  bool
	lastSync time.Time
	purged   time.Time
}

// LimiterConfig is what NewLimiter takes.
type LimiterConfig struct {
	// Rules are the limits by name; a rule that is Off is left out, and Allow admits every
	// request of a name that has no rule.
	Rules map[string]Rate
	// Sync is how often a process adds its counts to the shared ones (default a second).
	Sync time.Duration
	// OnError hears the errors of background syncs (nil: they are dropped).
	OnError func(error)
}

type limitRule struct {
	name    string
	rate    Rate
	refused atomic.Uint64
}

type limitKey struct {
	rule *limitRule
	key  string
}

// limitCount is one key's window as this process knows it.
type limitCount struct {
	start   time.Time
	global  int // the total over every process at the last sync, ours included
	sent    int // ours, in a sync not yet answered
	pending int // ours, not yet sent
}

const (
	defaultLimiterSync = time.Second
	limiterSyncTimeout = 5 * time.Second
	// limiterBatch caps the keys of one statement.
	limiterBatch = 5000
	// limiterPurgeEvery is how often a process deletes the windows that ended.
	limiterPurgeEvery = time.Minute
	// maxLimitKey caps the part of a key that counts: longer keys (never a valid e-mail) share.
	maxLimitKey = 256
)

// NewLimiter returns a Limiter over st's database, on st's clock.
func NewLimiter(st *Store, cfg LimiterConfig) *Limiter {
	l := &Limiter{st: st, rules: map[string]*limitRule{}, every: cfg.Sync, onError: cfg.OnError,
		counts: map[limitKey]*limitCount{}, lastSync: st.now(), purged: st.now()}
	if l.every <= 0 {
		l.every = defaultLimiterSync
	}
	for name, r := range cfg.Rules {
		if !r.Off() {
			l.rules[name] = &limitRule{name: name, rate: r}
		}
	}
	return l
}

// Allow counts one request of key under the rule name, or refuses it with a *LimitError of kind
// ErrRateLimited whose Wait runs to the end of the key's window. A refused request is not
// counted.
func (l *Limiter) Allow(name, key string) error {
	r := l.rules[name]
	if r == nil {
		return nil
	}
	if len(key) > maxLimitKey {
		key = key[:maxLimitKey]
	}
	now := l.st.now()
	start := now.Truncate(r.rate.Window)
	k := limitKey{rule: r, key: key}
	l.mu.Lock()
	c := l.counts[k]
	if c == nil {
		c = &limitCount{start: start}
		l.counts[k] = c
	} else if !c.start.Equal(start) {
		*c = limitCount{start: start}
	}
	var err error
	if c.global+c.sent+c.pending >= r.rate.Max {
		err = &LimitError{Kind: ErrRateLimited, Wait: start.Add(r.rate.Window).Sub(now)}
	} else {
		c.pending++
	}
	due := !l.syncing && now.Sub(l.lastSync) >= l.every
	if due {
		l.syncing, l.lastSync = true, now
	}
	l.mu.Unlock()
	if due {
		go l.syncInBackground()
	}
	if err != nil {
		r.refused.Add(1)
	}
	return err
}

// Refused returns how many requests each rule refused since the start, by rule name: a few
// atomic loads, cheap enough for every metrics scrape.
func (l *Limiter) Refused() map[string]uint64 {
	out := make(map[string]uint64, len(l.rules))
	for name, r := range l.rules {
		out[name] = r.refused.Load()
	}
	return out
}

func (l *Limiter) syncInBackground() {
	defer func() {
		if p := recover(); p != nil && l.onError != nil {
			l.onError(fmt.Errorf("shared limits: panic in sync: %v", p))
		}
		l.mu.Lock()
		l.syncing = false
		l.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), limiterSyncTimeout)
	defer cancel()
	if err := l.Sync(ctx); err != nil && l.onError != nil {
		l.onError(fmt.Errorf("shared limits: %w", err))
	}
}

// limitSent is one key's count in a sync.
type limitSent struct {
	c          *limitCount
	start, end time.Time
	n          int
	digest     []byte
}

// Sync adds what this process admitted since its last sync to the shared counts and reads back
// their totals; it forgets the keys whose window ended, and about once a minute deletes the
// ended windows from the table. Requests call it in the background when it is due; tests call
// it to play a process's sync.
func (l *Limiter) Sync(ctx context.Context) error {
	now := l.st.now()
	var batch []limitSent
	l.mu.Lock()
	for k, c := range l.counts {
		switch {
		case c.pending > 0:
			batch = append(batch, limitSent{c: c, start: c.start, end: c.start.Add(k.rule.rate.Window), n: c.pending,
				digest: limitDigest(k)})
			c.sent += c.pending
			c.pending = 0
		case c.sent == 0 && !now.Before(c.start.Add(k.rule.rate.Window)):
			delete(l.counts, k)
		}
	}
	purge := now.Sub(l.purged) >= limiterPurgeEvery
	if purge {
		l.purged = now
	}
	l.mu.Unlock()

	var err error
	for len(batch) > 0 && err == nil {
		part := batch[:min(len(batch), limiterBatch)]
		batch = batch[len(part):]
		err = l.send(ctx, part)
	}
	if err == nil && purge {
		_, err = l.st.q.ExecContext(ctx, `DELETE FROM rate_window WHERE expires_at < $1`, now)
	}
	return err
}

// send upserts part and takes back the totals. On failure the counts go back to pending, to be
// sent at the next sync.
func (l *Limiter) send(ctx context.Context, part []limitSent) error {
	keys := make([][]byte, len(part))
	starts := make([]time.Time, len(part))
	hits := make([]int64, len(part))
	ends := make([]time.Time, len(part))
	byDigest := make(map[string]int, len(part))
	for i, s := range part {
		keys[i], starts[i], hits[i], ends[i] = s.digest, s.start, int64(s.n), s.end
		byDigest[string(s.digest)] = i
	}
	totals := make([]int, len(part))
	// The rows are locked in key order: two processes syncing the same keys at once, each in
	// the order of its own map, deadlocked (bench-rush: "deadlock detected" a few times a run,
	// each costing the syncs a second).
	rows, err := l.st.q.QueryxContext(ctx, `
		INSERT INTO rate_window (key, window_start, hits, expires_at)
		SELECT * FROM unnest($1::bytea[], $2::timestamptz[], $3::int[], $4::timestamptz[]) ORDER BY 1, 2
		ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_window.hits + excluded.hits
		RETURNING key, hits`, pq.Array(keys), pq.Array(starts), pq.Array(hits), pq.Array(ends))
	if err == nil {
		for rows.Next() {
			var key []byte
			var total int
			if err = rows.Scan(&key, &total); err != nil {
				break
			}
			if i, ok := byDigest[string(key)]; ok {
				totals[i] = total
			}
		}
		if err == nil {
			err = rows.Err()
		}
		rows.Close()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, s := range part {
		if !s.c.start.Equal(s.start) {
			continue // the key moved to a new window meanwhile, its counts starting afresh
		}
		s.c.sent -= s.n
		if err != nil {
			s.c.pending += s.n
			continue
		}
		s.c.global = max(s.c.global, totals[i])
	}
	return err
}

// limitDigest is what the table holds of a key: 16 bytes of SHA-256 over the rule's name and
// the key.
func limitDigest(k limitKey) []byte {
	h := sha256.New()
	h.Write([]byte(k.rule.name))
	h.Write([]byte{0})
	h.Write([]byte(k.key))
	return h.Sum(nil)[:16]
}

// ClientNetwork is the key a client address is counted under, by the limits and the login
// failures: the address itself, or the /64 of an IPv6 address (one subscriber gets a whole /64
// and could otherwise rotate through it). A caller without a valid address shares the bucket
// 0.0.0.0.
func ClientNetwork(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "0.0.0.0"
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, _ := a.Prefix(64) // an IPv6 address always has a /64
	return p.String()
}
