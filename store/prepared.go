package store

import (
	"context"
	"database/sql"
	"sync"

	"github.com/jmoiron/sqlx"
)

// statements caches prepared statements of the hot paths (booking, allocation): PostgreSQL then
// plans them once per connection instead of at every call, which for the joins of a booking
// costs more than running them.
type statements struct {
	mu      sync.Mutex
	m       map[string]*sqlx.Stmt
	pending map[string]bool
	// preparing counts the preparations under way, each on a pool connection of its own.
	preparing sync.WaitGroup
}

// stmt returns the prepared form of query, bound to the transaction when s is in one (on the
// connection when s has its own), or nil while it is being prepared. Preparing takes a connection of its own, so it never happens
// inline: a transaction waiting for a free connection while holding one could deadlock the
// pool under load.
func (s *Store) stmt(ctx context.Context, query string) *sqlx.Stmt {
	if c, ok := s.q.(*ownConn); ok {
		return c.stmt(ctx, query)
	}
	s.stmts.mu.Lock()
	st, ok := s.stmts.m[query]
	if !ok && !s.stmts.pending[query] {
		if s.stmts.pending == nil {
			s.stmts.pending = map[string]bool{}
			s.stmts.m = map[string]*sqlx.Stmt{}
		}
		s.stmts.pending[query] = true
		s.stmts.preparing.Add(1)
		go s.prepare(query)
	}
	s.stmts.mu.Unlock()
	if !ok {
		return nil
	}
	if tx, inTx := s.q.(*sqlx.Tx); inTx {
		return tx.StmtxContext(ctx, st)
	}
	return st
}

func (s *Store) prepare(query string) {
	defer s.stmts.preparing.Done()
	st, err := s.db.Preparex(query)
	s.stmts.mu.Lock()
	defer s.stmts.mu.Unlock()
	delete(s.stmts.pending, query)
	if err == nil {
		s.stmts.m[query] = st
	}
}

func (s *Store) selectPrepared(ctx context.Context, dest any, query string, args ...any) error {
	if st := s.stmt(ctx, query); st != nil {
		return st.SelectContext(ctx, dest, args...)
	}
	return s.q.SelectContext(ctx, dest, query, args...)
}

func (s *Store) queryPrepared(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := s.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return s.q.QueryContext(ctx, query, args...)
}

func (s *Store) getPrepared(ctx context.Context, dest any, query string, args ...any) error {
	if st := s.stmt(ctx, query); st != nil {
		return st.GetContext(ctx, dest, args...)
	}
	return s.q.GetContext(ctx, dest, query, args...)
}

func (s *Store) execPrepared(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := s.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return s.q.ExecContext(ctx, query, args...)
}
