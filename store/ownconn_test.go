package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// connSettings is what a connection plans with, beyond the server's configuration: the
// settings changed on it by SET, and the two the kept connections change (see ownConn).
type connSettings struct {
	Changed       []string
	EnableSeqscan string
	PlanCacheMode string
}

func settingsOf(t *testing.T, ctx context.Context, st *store.Store) []connSettings {
	t.Helper()
	// Hold every idle connection at once, so that each is asked and none is opened anew, once
	// the statements being prepared aside (see Store.stmt) have given theirs back.
	waitFor(func() bool { return st.DB().Stats().InUse == 0 })
	idle := st.DB().Stats().Idle
	var out []connSettings
	for range idle {
		conn, err := st.DB().Connx(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		var s connSettings
		if err := conn.SelectContext(ctx, &s.Changed, `SELECT name || '=' || setting FROM pg_settings WHERE source = 'session' ORDER BY name`); err != nil {
			t.Fatal(err)
		}
		if err := conn.GetContext(ctx, &s.EnableSeqscan, `SHOW enable_seqscan`); err != nil {
			t.Fatal(err)
		}
		if err := conn.GetContext(ctx, &s.PlanCacheMode, `SHOW plan_cache_mode`); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// loaderWithASession returns a SessionLoader that has read a session of account (its token),
// and so keeps a connection.
func loaderWithASession(t *testing.T, ctx context.Context, st *store.Store, account int64) (*store.SessionLoader, string) {
	t.Helper()
	policy := store.SessionPolicy{Absolute: time.Hour, Idle: time.Hour}
	loader := store.NewSessionLoader(st, policy, 0)
	token, _, err := st.CreateSession(ctx, account, policy, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := loader.Session(ctx, token); err != nil {
		t.Fatal(err)
	}
	return loader, token
}

// After a Booker's and a SessionLoader's batches, every connection of the pool plans as a
// fresh one: the planner settings of their kept connections (enable_seqscan off, generic
// plans) never reach the pool, whether a kept connection is given back after a failed batch
// or at Close.
func TestPooledConnectionsPlanAsFreshAfterBatches(t *testing.T) {
	st, accs, kids := families(t, 2)
	ctx := context.Background()
	st.DB().SetMaxIdleConns(40) // as the service does: every connection given back stays pooled
	fresh := settingsOf(t, ctx, st)
	if len(fresh) == 0 {
		t.Fatal("no pooled connection to compare with")
	}
	want := fresh[0]
	if want.EnableSeqscan != "on" || want.PlanCacheMode != "auto" || len(want.Changed) != 0 {
		t.Fatalf("a fresh connection plans with %+v", want)
	}

	booker := store.NewBooker(st, store.DefaultAllocationPolicy(), 64, 0)
	if _, _, err := booker.Book(ctx, accs[0], "first-0001", []byte("h"), bookingOf(kids[0])); err != nil {
		t.Fatal(err)
	}
	booker.BreakNextBatch() // its connection is given back before the next batch
	if _, _, err := booker.Book(ctx, accs[1], "broken-0001", []byte("h"), bookingOf(kids[1])); err == nil {
		t.Fatal("the broken batch answered without error")
	}
	if _, _, err := booker.Book(ctx, accs[1], "second-0001", []byte("h"), bookingOf(kids[1])); err != nil {
		t.Fatal(err)
	}
	loader, _ := loaderWithASession(t, ctx, st, accs[0])
	booker.Close()
	loader.Close()

	after := settingsOf(t, ctx, st)
	if len(after) == 0 {
		t.Fatal("no pooled connection after the batches")
	}
	for i, s := range after {
		if s.EnableSeqscan != want.EnableSeqscan || s.PlanCacheMode != want.PlanCacheMode || len(s.Changed) != 0 {
			t.Errorf("pooled connection %d of %d plans with %+v, want %+v", i+1, len(after), s, want)
		}
	}
}
