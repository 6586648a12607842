package store_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// families loads a town of n households of one child each around one hub with seats for all,
// and returns their accounts and children.
func families(t *testing.T, n int) (*store.Store, []int64, [][]int64) {
	t.Helper()
	tw := newTown(farDay)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 10})
	var emails []string
	for range n {
		emails = append(emails, tw.household("infirmier", farDay.AddDate(0, 0, -9), nil, store.Elementaire))
	}
	st := tw.load(t)
	accs, kids := make([]int64, n), make([][]int64, n)
	for i, e := range emails {
		accs[i], kids[i] = childrenOf(t, st, e)
	}
	return st, accs, kids
}

// waitFor polls until cond holds.
func waitFor(cond func() bool) {
	for !cond() {
		runtime.Gosched()
	}
}

// bookAside books through booker from another goroutine; the error comes on the channel.
func bookAside(ctx context.Context, booker *store.Booker, acc int64, key string, kids []int64) <-chan error {
	errc := make(chan error, 1)
	go func() {
		_, _, err := booker.Book(ctx, acc, key, []byte("h"), bookingOf(kids))
		errc <- err
	}()
	return errc
}

func bookingOf(kids []int64) store.BookingInput {
	return store.BookingInput{ChildIDs: kids, Days: []time.Time{farDay}, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00"}
}

func keysStored(t *testing.T, st *store.Store) map[string]bool {
	t.Helper()
	var keys []string
	if err := st.DB().Select(&keys, `SELECT key FROM idempotency_key`); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, k := range keys {
		out[k] = true
	}
	return out
}

// A submission whose client left while it waited for a batch never reaches PostgreSQL: no key,
// no request stored; the client got its context's error at once.
func TestBookerDropsSubmissionsOfDepartedClients(t *testing.T) {
	st, accs, kids := families(t, 2)
	ctx := context.Background()
	booker := store.NewBooker(st, store.DefaultAllocationPolicy(), 64, 0)
	hold := pgtest.HoldTable(t, st.DB(), "idempotency_key")
	first := bookAside(ctx, booker, accs[0], "stays-0001", kids[0])
	hold.Waited()
	leaving, leave := context.WithCancel(ctx)
	gone := bookAside(leaving, booker, accs[1], "leaves-0001", kids[1])
	waitFor(func() bool { return booker.Queue().Waiting == 1 })
	leave()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("departed client: %v, want context.Canceled", err)
	}
	hold.Release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	booker.Close() // the departed submission's turn has come and gone
	if keys := keysStored(t, st); !keys["stays-0001"] || keys["leaves-0001"] {
		t.Errorf("keys stored: %v, want the first alone", keys)
	}
	var requests int
	if err := st.DB().Get(&requests, `SELECT count(*) FROM booking_request WHERE child_id = $1`, kids[1][0]); err != nil || requests != 0 {
		t.Errorf("the departed family has %d requests (%v), want none", requests, err)
	}
	if q := booker.Queue(); q.Dropped != 1 || q.Waiting != 0 {
		t.Errorf("queue %+v, want 1 dropped, none waiting", q)
	}
}

// Past its bound a Booker refuses a submission at once with ErrOverloaded, and it is not
// booked; those admitted are.
func TestBookerRefusesPastItsQueue(t *testing.T) {
	st, accs, kids := families(t, 3)
	ctx := context.Background()
	booker := store.NewBooker(st, store.DefaultAllocationPolicy(), 64, 1)
	defer booker.Close()
	hold := pgtest.HoldTable(t, st.DB(), "idempotency_key")
	running := bookAside(ctx, booker, accs[0], "admitted-0001", kids[0])
	hold.Waited()
	waiting := bookAside(ctx, booker, accs[1], "admitted-0002", kids[1])
	waitFor(func() bool { return booker.Queue().Waiting == 1 })
	_, _, err := booker.Book(ctx, accs[2], "refused-0001", []byte("h"), bookingOf(kids[2]))
	var rl interface{ RetryAfter() time.Duration }
	if !errors.Is(err, store.ErrOverloaded) || !errors.As(err, &rl) || rl.RetryAfter() <= 0 {
		t.Fatalf("third submission: %v, want ErrOverloaded saying when to retry", err)
	}
	hold.Release()
	for _, admitted := range []<-chan error{running, waiting} {
		if err := <-admitted; err != nil {
			t.Errorf("admitted submission: %v", err)
		}
	}
	if keys := keysStored(t, st); len(keys) != 2 || keys["refused-0001"] {
		t.Errorf("keys stored: %v, want the two admitted", keys)
	}
	if q := booker.Queue(); q.Refused != 1 {
		t.Errorf("queue %+v, want 1 refused", q)
	}
}

// A batch that panics fails its submissions with an error (not a refusal of the call's own),
// and the Booker goes on: the next submission is booked.
func TestBookerRecoversFromAPanic(t *testing.T) {
	st, accs, kids := families(t, 1)
	ctx := context.Background()
	booker := store.NewBooker(st, store.DefaultAllocationPolicy(), 64, 0)
	defer booker.Close()
	booker.BreakNextBatch()
	_, _, err := booker.Book(ctx, accs[0], "panics-0001", []byte("h"), bookingOf(kids[0]))
	if err == nil || errors.Is(err, store.ErrInvalid) || errors.Is(err, store.ErrOverloaded) {
		t.Fatalf("submission of the panicking batch: %v, want a failure", err)
	}
	b, _, err := booker.Book(ctx, accs[0], "after-0001", []byte("h"), bookingOf(kids[0]))
	if err != nil || len(b.Days) != 1 || b.Days[0].Status != "proposed" {
		t.Fatalf("submission after the panic: %+v, %v", b, err)
	}
	if keys := keysStored(t, st); len(keys) != 1 || !keys["after-0001"] {
		t.Errorf("keys stored: %v, want the second alone", keys)
	}
}

// Closed, a Booker and a SessionLoader refuse new calls and no longer hold a connection.
func TestBookerAndSessionLoaderClose(t *testing.T) {
	st, accs, kids := families(t, 1)
	ctx := context.Background()
	booker := store.NewBooker(st, store.DefaultAllocationPolicy(), 64, 0)
	loader, token := loaderWithASession(t, ctx, st, accs[0])
	if _, _, err := booker.Book(ctx, accs[0], "before-0001", []byte("h"), bookingOf(kids[0])); err != nil {
		t.Fatal(err)
	}
	st.WaitPreparations() // a statement the booking's path prepares on a pool connection, in the background
	if n := st.DB().Stats().InUse; n != 2 {
		t.Fatalf("%d connections in use, want the two kept", n)
	}
	booker.Close()
	loader.Close()
	if n := st.DB().Stats().InUse; n != 0 {
		t.Errorf("%d connections still in use after Close", n)
	}
	if _, err := loader.Session(ctx, token); !errors.Is(err, store.ErrOverloaded) {
		t.Errorf("session read after Close: %v, want ErrOverloaded", err)
	}
	if _, _, err := booker.Book(ctx, accs[0], "after-0001", []byte("h"), bookingOf(kids[0])); !errors.Is(err, store.ErrOverloaded) {
		t.Errorf("booking after Close: %v, want ErrOverloaded", err)
	}
}

// A refusal for overload asks to come back in 1, 2 or 3 s, drawn each time, so that the clients
// refused together do not all come back together.
func TestOverloadRetryAfterIsSpread(t *testing.T) {
	var ra interface{ RetryAfter() time.Duration }
	if !errors.As(store.ErrOverloaded, &ra) {
		t.Fatal("ErrOverloaded says no Retry-After")
	}
	seen := map[time.Duration]int{}
	for range 300 {
		seen[ra.RetryAfter()]++
	}
	for d, n := range seen {
		if d != time.Second && d != 2*time.Second && d != 3*time.Second {
			t.Errorf("Retry-After %v (%d times), want 1, 2 or 3 s", d, n)
		}
	}
	if len(seen) != 3 {
		t.Errorf("drawn: %v, want each of 1, 2 and 3 s", seen)
	}
}
