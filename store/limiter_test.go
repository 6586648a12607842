package store_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

var tenPerMinute = map[string]store.Rate{"booking.account": {Max: 10, Window: time.Minute}}

// twoProcesses returns two limiters on one database, as two `accueil serve` processes have,
// with one clock the test moves. Each has a Store of its own; only the database is shared.
func twoProcesses(t *testing.T, rules map[string]store.Rate) (a, b *store.Limiter, now *time.Time, st *store.Store) {
	t.Helper()
	at := pgtest.Now().Truncate(time.Minute).Add(10 * time.Second)
	clock := func() time.Time { return at }
	db := pgtest.NewDB(t)
	st = store.New(db).WithClock(clock)
	a = store.NewLimiter(st, store.LimiterConfig{Rules: rules})
	b = store.NewLimiter(store.New(db).WithClock(clock), store.LimiterConfig{Rules: rules})
	return a, b, &at, st
}

func admit(t *testing.T, l *store.Limiter, key string, n int) {
	t.Helper()
	for i := range n {
		if err := l.Allow("booking.account", key); err != nil {
			t.Fatalf("request %d of %s: %v", i+1, key, err)
		}
	}
}

func syncAll(t *testing.T, ls ...*store.Limiter) {
	t.Helper()
	for _, l := range ls {
		if err := l.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func refusedFor(t *testing.T, err error) time.Duration {
	t.Helper()
	return limitedFor(t, err, store.ErrRateLimited)
}

// Two processes share one limit: once each has synced, the key is refused by both, with the
// wait to the end of the window, and only that key; the next window starts afresh.
func TestTwoProcessesShareALimit(t *testing.T) {
	a, b, now, _ := twoProcesses(t, tenPerMinute)
	admit(t, a, "42", 6)
	admit(t, b, "42", 4)
	admit(t, b, "7", 1)
	syncAll(t, a, b)
	// b learnt the total, 10: it refuses.
	if wait := refusedFor(t, b.Allow("booking.account", "42")); wait != 50*time.Second {
		t.Errorf("b: retry after %v, want 50s (the window's end)", wait)
	}
	// a synced before b and still knows 6: it admits while its own count allows, then learns.
	admit(t, a, "42", 1)
	syncAll(t, a)
	refusedFor(t, a.Allow("booking.account", "42"))
	refusedFor(t, b.Allow("booking.account", "42"))
	admit(t, a, "7", 1)

	// Each process alone never goes over the limit.
	admit(t, a, "9", 10)
	refusedFor(t, a.Allow("booking.account", "9"))

	*now = now.Add(50 * time.Second)
	admit(t, a, "42", 1)
	admit(t, b, "42", 1)
	if got := a.Refused()["booking.account"]; got != 2 {
		t.Errorf("a counted %d refusals, want 2", got)
	}
	if got := b.Refused()["booking.account"]; got != 2 {
		t.Errorf("b counted %d refusals, want 2", got)
	}
}

// The table holds the total of every process per window, under a digest of the key.
func TestSharedCountsHoldNoKey(t *testing.T) {
	a, b, _, st := twoProcesses(t, tenPerMinute)
	admit(t, a, "parent@example.fr", 3)
	admit(t, b, "parent@example.fr", 2)
	syncAll(t, a, b)
	var rows []struct {
		Key  []byte `db:"key"`
		Hits int    `db:"hits"`
	}
	if err := st.DB().Select(&rows, `SELECT key, hits FROM rate_window`); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Hits != 5 || len(rows[0].Key) != 16 {
		t.Fatalf("rate_window: %+v, want one 16-byte key with 5 hits", rows)
	}
}

// A sync that fails keeps its counts for the next one, and the limit holds meanwhile.
func TestFailedSyncKeepsTheCounts(t *testing.T) {
	a, b, _, _ := twoProcesses(t, tenPerMinute)
	admit(t, a, "42", 8)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := a.Sync(ctx); err == nil {
		t.Fatal("a sync with a cancelled context succeeded")
	}
	admit(t, a, "42", 2)
	refusedFor(t, a.Allow("booking.account", "42"))
	syncAll(t, a, b)
	admit(t, b, "42", 1) // b never counted the key: it learns at its sync
	syncAll(t, b)
	refusedFor(t, b.Allow("booking.account", "42"))
}

// Windows that ended leave the table once a minute, and the processes' memory at the next sync.
func TestEndedWindowsArePurged(t *testing.T) {
	a, _, now, st := twoProcesses(t, tenPerMinute)
	admit(t, a, "42", 3)
	syncAll(t, a)
	*now = now.Add(2 * time.Minute)
	admit(t, a, "7", 1)
	syncAll(t, a)
	var keys int
	if err := st.DB().Get(&keys, `SELECT count(*) FROM rate_window`); err != nil {
		t.Fatal(err)
	}
	if keys != 1 {
		t.Errorf("%d windows left, want the current one", keys)
	}
}

// A request that finds the last sync older than the interval starts one in the background.
func TestSyncRunsWhenDue(t *testing.T) {
	a, _, now, st := twoProcesses(t, tenPerMinute)
	admit(t, a, "42", 2) // no sync due yet: the limiter was made at this instant
	*now = now.Add(time.Second)
	admit(t, a, "42", 1)
	for {
		var hits int
		err := st.DB().Get(&hits, `SELECT COALESCE(sum(hits), 0) FROM rate_window`)
		if err != nil {
			t.Fatal(err)
		}
		if hits == 3 {
			break
		}
		time.Sleep(10 * time.Millisecond) // polling for the background sync, not timing it
	}
}

// A name without a rule, or with a rule turned off, limits nothing.
func TestRulesOff(t *testing.T) {
	a, _, _, _ := twoProcesses(t, map[string]store.Rate{"booking.account": {Max: 0, Window: time.Minute}})
	admit(t, a, "42", 100)
	if err := a.Allow("unknown", "42"); err != nil {
		t.Error(err)
	}
}

// A key whose window ends while its sync is out starts the new window afresh: the late answer
// changes nothing in it.
func TestWindowEndingDuringASync(t *testing.T) {
	a, _, now, st := twoProcesses(t, map[string]store.Rate{"booking.account": {Max: 2, Window: time.Minute}})
	ctx := context.Background()
	admit(t, a, "42", 2)
	// The table is locked so that the sync waits with the first window's counts in flight.
	tx, err := st.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `LOCK TABLE rate_window IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- a.Sync(ctx) }()
	for waiting := 0; waiting == 0; {
		if err := st.DB().Get(&waiting, `SELECT count(*) FROM pg_locks WHERE relation = 'rate_window'::regclass AND NOT granted`); err != nil {
			t.Fatal(err)
		}
	}
	*now = now.Add(time.Minute)
	admit(t, a, "42", 1)
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	admit(t, a, "42", 1)
	refusedFor(t, a.Allow("booking.account", "42"))
}

// Two processes syncing the same keys at the same moment never deadlock, whatever order each
// holds its keys in.
func TestConcurrentSyncsDoNotDeadlock(t *testing.T) {
	a, b, _, _ := twoProcesses(t, map[string]store.Rate{"booking.account": {Max: 1000, Window: time.Minute}})
	for round := range 10 {
		for k := range 300 {
			key := strconv.Itoa(k)
			admit(t, a, key, 1)
			admit(t, b, key, 1)
		}
		errs := make(chan error, 2)
		for _, l := range []*store.Limiter{a, b} {
			go func() { errs <- l.Sync(context.Background()) }()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
