// Package store holds every SQL statement of the service, the row types and the sentinel errors.
// It never imports the HTTP layer.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Sentinel errors, wrapped with %w by the methods that return them and mapped to HTTP in one
// table in package api.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("conflict")
	ErrFull         = errors.New("no seat left")
	ErrHubClosed    = errors.New("hub not open for that day and level")
	ErrInvalid      = errors.New("invalid value")
	ErrUnauthorized = errors.New("wrong e-mail or password")
	ErrThrottled    = errors.New("too many attempts")
	// ErrRateLimited refuses a request past one of the shared limits (see Limiter).
	ErrRateLimited = errors.New("too many requests")
	// ErrChildrenPresent refuses to take seats from children already checked in at the hub.
	ErrChildrenPresent = errors.New("children already present")
	// ErrDayLocked refuses to cancel a day that is over, or today once the child has a mark:
	// that day's sheet and contact list must keep the child.
	ErrDayLocked = errors.New("day over or child already checked in")
	// ErrChildHosted refuses to remove a child who was already hosted (see DeleteChild).
	ErrChildHosted = errors.New("child already hosted")
)

// dbtx is what *sqlx.DB and *sqlx.Tx share: every method runs on either.
type dbtx interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
	NamedExecContext(ctx context.Context, query string, arg any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Store runs the service's queries on PostgreSQL, outside or inside a transaction.
type Store struct {
	db *sqlx.DB
	q  dbtx
	// now is the clock, replaceable in tests.
	now func() time.Time
	// stmts and labels are shared by the copies of a Store (transactions, clocks).
	stmts  *statements
	labels *hubLabelCache
	// notes seals and opens children's health notes; nil: the store refuses to touch them.
	notes *HealthKeyring
	// observeWrite, set by tests, sees the kind of each run the pipeline's writer stores.
	observeWrite func(AllocationKind)
	// session signs session tokens; shared by the copies of a Store.
	session *sessionKey
}

// Option sets up a Store in New.
type Option func(*Store)

// WithHealthKeys gives the store the keys of children's health notes. Without it, writing or
// reading a note fails with ErrNoHealthKey.
func WithHealthKeys(k *HealthKeyring) Option { return func(s *Store) { s.notes = k } }

// New returns a Store over db.
func New(db *sqlx.DB, opts ...Option) *Store {
	s := &Store{db: db, q: db, now: time.Now, stmts: &statements{}, labels: &hubLabelCache{}, session: &sessionKey{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// WithClock returns a copy of s whose notion of now is now (tests, replays).
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	return &c
}

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// DB is the underlying pool, for health checks and tests.
func (s *Store) DB() *sqlx.DB { return s.db }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// PoolStats tells how the connection pool is used (for the service's metrics).
func (s *Store) PoolStats() sql.DBStats { return s.db.Stats() }

// Transact runs fn in a transaction at the given isolation level, committing if fn returns nil.
// Serialization failures and deadlocks are retried a few times, so fn must be safe to rerun.
// Inside fn, use the Store it is given. A Store already in a transaction runs fn in it.
func (s *Store) Transact(ctx context.Context, iso sql.IsolationLevel, fn func(*Store) error) error {
	if _, inTx := s.q.(*sqlx.Tx); inTx {
		return fn(s)
	}
	const attempts = 5
	var err error
	for i := 0; i < attempts; i++ {
		err = s.transactOnce(ctx, iso, fn)
		if !isRetryable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(i+1) * 5 * time.Millisecond):
		}
	}
	return fmt.Errorf("after %d attempts: %w", attempts, err)
}

func (s *Store) transactOnce(ctx context.Context, iso sql.IsolationLevel, fn func(*Store) error) (err error) {
	tx, err := s.db.BeginTxx(ctx, &sql.TxOptions{Isolation: iso})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	inTx := *s
	inTx.q = tx
	if err := fn(&inTx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func isRetryable(err error) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return false
	}
	return pqErr.Code == "40001" || pqErr.Code == "40P01"
}

// translate turns the database's refusals into sentinel errors, keeping the original wrapped.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return err
	}
	switch {
	case pqErr.Constraint == "hub_day_capacity_not_exceeded":
		return fmt.Errorf("%w: %w", ErrFull, err)
	case pqErr.Code == "23503" && pqErr.Constraint == "placement_hub_id_day_level_fkey":
		return fmt.Errorf("%w: %w", ErrHubClosed, err)
	case pqErr.Code == "23505": // unique_violation
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case pqErr.Code == "23503", pqErr.Code == "23514", pqErr.Code == "22P02", pqErr.Code == "22007", pqErr.Code == "22008":
		// foreign key, check, bad enum or date text: a value the caller should not have sent.
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return err
}
