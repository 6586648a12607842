package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// childrenOf returns the account id and child ids of a household by its e-mail.
// oneFamily loads a town with one hub (ten élémentaire seats) open on days and one nurse's
// household with one child, and returns the store, the account, the child and the e-mail.
func oneFamily(t *testing.T, days ...time.Time) (*store.Store, int64, []int64, string) {
	t.Helper()
	tw := newTown(days...)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 10})
	email := tw.household("infirmier", days[0].AddDate(0, 0, -9), nil, store.Elementaire)
	st := tw.load(t)
	acc, kids := childrenOf(t, st, email)
	return st, acc, kids, email
}

func childrenOf(t *testing.T, st *store.Store, email string) (int64, []int64) {
	t.Helper()
	var acc int64
	if err := st.DB().Get(&acc, `SELECT id FROM account WHERE email = $1`, email); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	if err := st.DB().Select(&ids, `SELECT c.id FROM child c JOIN household h ON h.id = c.household_id WHERE h.account_id = $1 ORDER BY c.id`, acc); err != nil {
		t.Fatal(err)
	}
	return acc, ids
}

func TestBookingIsIdempotentAndScoped(t *testing.T) {
	tw := newTown(farDay, farDay.AddDate(0, 0, 1), farDay.AddDate(0, 0, 2))
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Maternelle: 10, store.Elementaire: 15})
	mine := tw.household("infirmier", farDay.AddDate(0, 0, -9), nil, store.Maternelle, store.Elementaire)
	theirs := tw.household("policier", farDay.AddDate(0, 0, -9), nil, store.Elementaire)
	st := tw.load(t)
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	acc, kids := childrenOf(t, st, mine)
	_, other := childrenOf(t, st, theirs)
	in := store.BookingInput{ChildIDs: kids, Days: []time.Time{farDay, farDay.AddDate(0, 0, 2)}, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:30"}
	b, replayed, err := st.Book(ctx, p, acc, "key-00000001", []byte("hash-a"), in)
	if err != nil || replayed || len(b.Days) != 4 {
		t.Fatalf("first booking: %+v, replayed %v, %v", b, replayed, err)
	}
	for _, d := range b.Days {
		if d.Status != "proposed" || d.HubName == "" || d.ArriveAt != "08:00" {
			t.Errorf("answer %+v", d)
		}
	}
	again, replayed, err := st.Book(ctx, p, acc, "key-00000001", []byte("hash-a"), in)
	if err != nil || !replayed || len(again.Days) != 4 {
		t.Fatalf("replay: %+v, %v, %v", again, replayed, err)
	}
	var requests int
	if err := st.DB().Get(&requests, `SELECT count(*) FROM booking_request`); err != nil || requests != 4 {
		t.Errorf("requests after a replay: %d (%v), want 4", requests, err)
	}
	if _, _, err := st.Book(ctx, p, acc, "key-00000001", []byte("hash-b"), in); !errors.Is(err, store.ErrIdempotencyMismatch) {
		t.Errorf("same key, other request: %v", err)
	}
	steal := in
	steal.ChildIDs = append([]int64{}, other...)
	if _, _, err := st.Book(ctx, p, acc, "key-00000002", []byte("hash-c"), steal); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("booking another household's child: %v, want ErrNotFound", err)
	}
	closed := in
	closed.Days = []time.Time{farDay.AddDate(0, 0, 5)} // a Saturday
	if _, _, err := st.Book(ctx, p, acc, "key-00000003", []byte("hash-d"), closed); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("booking a closed day: %v, want ErrInvalid", err)
	}
	var keys int
	if err := st.DB().Get(&keys, `SELECT count(*) FROM idempotency_key`); err != nil || keys != 1 {
		t.Errorf("refused bookings left %d keys (%v), want 1", keys, err)
	}
	// Cancelling a day frees the seats and is e-mailed.
	done, err := st.CancelBooking(ctx, p, acc, kids[0], farDay)
	if err != nil || done.Cancelled != 1 || len(done.Kept) != 0 {
		t.Fatalf("cancel: %+v, %v", done, err)
	}
	if _, err := st.CancelBooking(ctx, p, acc, other[0], farDay); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("cancelling another household's child: %v", err)
	}
	left, err := st.UpcomingBookings(ctx, acc, farDay)
	if err != nil || len(left) != 3 {
		t.Errorf("after cancelling one day: %d days (%v), want 3", len(left), err)
	}
	var mails int
	if err := st.DB().Get(&mails, `SELECT count(*) FROM outbox_email WHERE to_address = $1`, mine); err != nil || mails != 2 {
		t.Errorf("e-mails: %d (%v), want 2 (booking, cancellation)", mails, err)
	}
	// Asking again for the cancelled day books it again.
	if b, _, err := st.Book(ctx, p, acc, "key-00000004", []byte("hash-e"), store.BookingInput{ChildIDs: kids[:1], Days: []time.Time{farDay},
		Location: store.NearWork, ArriveAt: "07:30", DepartAt: "18:30"}); err != nil || len(b.Days) != 1 || b.Days[0].Status == "pending" {
		t.Errorf("booking a cancelled day again: %+v, %v", b, err)
	}
}

// TestBatchAnswersEachCallAlone: one transaction books for several families at once; each call
// gets its own answer, the same as "my bookings" reads afterwards (seat, hub, times, waitlist
// position), and a refused call or a replayed key leaves the others untouched.
func TestBatchAnswersEachCallAlone(t *testing.T) {
	tw := newTown(farDay, farDay.AddDate(0, 0, 1))
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Maternelle: 1, store.Elementaire: 15})
	var emails []string
	for i := 0; i < 4; i++ {
		emails = append(emails, tw.household("infirmier", farDay.AddDate(0, 0, -9), nil, store.Maternelle, store.Elementaire))
	}
	st := tw.load(t)
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	var accs []int64
	var kids [][]int64
	for _, e := range emails {
		a, k := childrenOf(t, st, e)
		accs, kids = append(accs, a), append(kids, k)
	}
	// The first family books alone, and its key is replayed in the batch below.
	first := store.BookingInput{ChildIDs: kids[0], Days: []time.Time{farDay}, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:30"}
	if _, _, err := st.Book(ctx, p, accs[0], "first-key", []byte("h0"), first); err != nil {
		t.Fatal(err)
	}
	both := []time.Time{farDay, farDay.AddDate(0, 0, 1)}
	calls := []*store.BookingCall{
		{AccountID: accs[0], Key: "first-key", Hash: []byte("h0"), In: first},
		{AccountID: accs[1], Key: "second-key", Hash: []byte("h1"), In: store.BookingInput{ChildIDs: kids[1], Days: both, Location: store.NearWork, ArriveAt: "07:45", DepartAt: "16:00"}},
		{AccountID: accs[2], Key: "steal-key", Hash: []byte("h2"), In: store.BookingInput{ChildIDs: kids[3], Days: both, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00"}},
		{AccountID: accs[3], Key: "fourth-key", Hash: []byte("h3"), In: store.BookingInput{ChildIDs: kids[3][1:], Days: both, Location: store.NearHome, ArriveAt: "09:00", DepartAt: "17:00"}},
	}
	st.BookBatch(ctx, p, calls)
	if c := calls[0]; c.Err != nil || !c.Replayed || len(c.Booking.Days) != 2 {
		t.Errorf("replayed key: %+v", c)
	}
	if c := calls[2]; !errors.Is(c.Err, store.ErrNotFound) || len(c.Booking.Days) != 0 {
		t.Errorf("another family's children: %+v, want ErrNotFound", c)
	}
	for i, c := range calls {
		if c.Err != nil || i == 0 {
			continue
		}
		if c.Replayed {
			t.Errorf("call %d replayed", i)
		}
		read, err := st.UpcomingBookings(ctx, c.AccountID, farDay)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.Booking.Days, read) {
			t.Errorf("call %d answered\n%+v\nbut reads back\n%+v", i, c.Booking.Days, read)
		}
	}
	// The maternelle seat went to the first family: the second waits, with a position.
	var waiting int
	for _, d := range calls[1].Booking.Days {
		if d.Status == "waitlisted" {
			waiting++
			if d.Position < 1 || d.Reason == "" {
				t.Errorf("waitlisted without position or reason: %+v", d)
			}
		} else if d.HubName == "" || d.HubAddress == "" || d.ArriveAt != "07:45" {
			t.Errorf("placed answer: %+v", d)
		}
	}
	if waiting == 0 || len(calls[1].Booking.Days) != 4 {
		t.Errorf("second family: %+v", calls[1].Booking.Days)
	}
	var keys, requests, mails int
	if err := st.DB().Get(&keys, `SELECT count(*) FROM idempotency_key WHERE account_id = $1`, accs[2]); err != nil || keys != 0 {
		t.Errorf("the refused call left %d keys (%v)", keys, err)
	}
	if err := st.DB().Get(&requests, `SELECT count(*) FROM booking_request`); err != nil || requests != 2+4+2 {
		t.Errorf("requests: %d (%v), want 8", requests, err)
	}
	if err := st.DB().Get(&mails, `SELECT count(*) FROM outbox_email`); err != nil || mails != 3 {
		t.Errorf("e-mails: %d (%v), want 3 (one per booking)", mails, err)
	}
}

// TestLastSeatsUnderAThousandBookers: 1,000 households book at once for a hub-day with 10 seats
// left: exactly 10 get one, every other gets a waitlist answer, none an error, and the hub never
// holds more than its capacity.
func TestLastSeatsUnderAThousandBookers(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 concurrent bookings")
	}
	tw := newTown(farDay, farDay.AddDate(0, 0, 1))
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 10})
	var emails []string
	for i := 0; i < 1000; i++ {
		emails = append(emails, tw.household("aide_soignant", farDay.AddDate(0, 0, -9), nil, store.Elementaire))
	}
	st := tw.load(t)
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	type booker struct {
		acc  int64
		kids []int64
	}
	var bookers []booker
	for _, e := range emails {
		acc, kids := childrenOf(t, st, e)
		bookers = append(bookers, booker{acc, kids})
	}
	// Each booking in a transaction of its own, then through a Booker (in batches) whose queue
	// holds them all.
	batcher := store.NewBooker(st, p, 64, len(bookers))
	for round, book := range []func(acc int64, key string, in store.BookingInput) (store.Booking, bool, error){
		func(acc int64, key string, in store.BookingInput) (store.Booking, bool, error) {
			return st.Book(ctx, p, acc, key, []byte("h"), in)
		},
		func(acc int64, key string, in store.BookingInput) (store.Booking, bool, error) {
			return batcher.Book(ctx, acc, key, []byte("h"), in)
		},
	} {
		day := farDay.AddDate(0, 0, round)
		var wg sync.WaitGroup
		var mu sync.Mutex
		placed, waitlisted := 0, 0
		var failures []error
		start := make(chan struct{})
		for i, bk := range bookers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				b, _, err := book(bk.acc, fmt.Sprintf("rush-%d-%08d", round, i), store.BookingInput{ChildIDs: bk.kids,
					Days: []time.Time{day}, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00"})
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					failures = append(failures, err)
					return
				}
				switch d := b.Days[0]; d.Status {
				case "proposed":
					placed++
				case "waitlisted":
					if d.Position < 1 || d.Reason == "" {
						failures = append(failures, fmt.Errorf("waitlist answer without position or reason: %+v", d))
					}
					waitlisted++
				}
			}()
		}
		close(start)
		wg.Wait()
		if len(failures) > 0 {
			t.Fatalf("round %d: %d bookings failed, first: %v", round, len(failures), failures[0])
		}
		var counter, rows int
		if err := st.DB().Get(&counter, `SELECT placed FROM hub_day_capacity WHERE day = $1`, day); err != nil {
			t.Fatal(err)
		}
		if err := st.DB().Get(&rows, `SELECT count(*) FROM placement WHERE day = $1`, day); err != nil {
			t.Fatal(err)
		}
		if placed != 10 || waitlisted != 990 || counter != 10 || rows != 10 {
			t.Fatalf("round %d: placed %d, waitlisted %d, counter %d, rows %d; want 10, 990, 10, 10", round, placed, waitlisted, counter, rows)
		}
	}
}

// TestBookerSerialisesOneAccount: a double click (the same key twice at once) and a second tab
// (another key, the same child and day) through a Booker: one request, one seat, one e-mail;
// the same key replays the same answer and the other tab sees the seat already given.
func TestBookerSerialisesOneAccount(t *testing.T) {
	st, acc, kids, _ := oneFamily(t, farDay)
	ctx := context.Background()
	booker := store.NewBooker(st, store.DefaultAllocationPolicy(), 64, 0)
	in := store.BookingInput{ChildIDs: kids, Days: []time.Time{farDay}, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00"}
	type answer struct {
		b        store.Booking
		replayed bool
		err      error
	}
	answers := make([]answer, 3)
	var wg sync.WaitGroup
	for i, key := range []string{"click-0001", "click-0001", "other-tab-1"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, replayed, err := booker.Book(ctx, acc, key, []byte("same"), in)
			answers[i] = answer{b, replayed, err}
		}()
	}
	wg.Wait()
	for i, a := range answers {
		if a.err != nil || len(a.b.Days) != 1 || a.b.Days[0].Status != "proposed" {
			t.Fatalf("answer %d: %+v", i, a)
		}
		// As the family reads them (a replay comes back from its stored JSON).
		got, _ := json.Marshal(a.b)
		first, _ := json.Marshal(answers[0].b)
		if string(got) != string(first) {
			t.Errorf("answer %d differs:\n%s\n%s", i, got, first)
		}
	}
	if answers[0].replayed == answers[1].replayed {
		t.Errorf("the same key twice: replayed %v and %v, want exactly one replay", answers[0].replayed, answers[1].replayed)
	}
	var requests, seats, mails int
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM booking_request`: &requests,
		`SELECT count(*) FROM placement`:       &seats,
		`SELECT count(*) FROM outbox_email`:    &mails,
	} {
		if err := st.DB().Get(dst, q); err != nil {
			t.Fatal(err)
		}
	}
	// One e-mail: the other tab's booking is answered (its seat, already given), but the family
	// was told that seat already.
	if requests != 1 || seats != 1 || mails != 1 {
		t.Errorf("requests %d, seats %d, e-mails %d; want 1, 1, 1", requests, seats, mails)
	}
}

// TestWaitlistPositionsInOneBatch: a batch waitlisting families of every tier answers each
// with the position "my bookings" reads once it is written, counting those already waiting
// and the batch's own, in priority order (tier, then time of the request); a family asking
// again for a day it already waits on reads its position moved by those ahead of it.
func TestWaitlistPositionsInOneBatch(t *testing.T) {
	tw := newTown(farDay)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 1})
	tiers := map[string]string{"A": "vaccination", "B": "enseignant_accueil", "C": "infirmier", "G": "vaccination",
		"D": "enseignant_accueil", "E": "infirmier", "F": "vaccination"}
	email := map[string]string{}
	for _, f := range []string{"A", "B", "C", "G", "D", "E", "F"} {
		email[f] = tw.household(tiers[f], farDay.AddDate(0, 0, -9), nil, store.Elementaire)
	}
	st := tw.load(t)
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	call := func(f string) *store.BookingCall {
		acc, kids := childrenOf(t, st, email[f])
		return &store.BookingCall{AccountID: acc, Key: "key-of-" + f + "-0001", Hash: []byte(f),
			In: store.BookingInput{ChildIDs: kids, Days: []time.Time{farDay}, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00"}}
	}
	// A takes the seat; B, C and G wait, one after the other.
	for _, f := range []string{"A", "B", "C", "G"} {
		c := call(f)
		st.BookBatch(ctx, p, []*store.BookingCall{c})
		if c.Err != nil {
			t.Fatal(c.Err)
		}
	}
	// One batch: D, E and F wait too, and G asks again (new key, same day).
	batch := []*store.BookingCall{call("D"), call("E"), call("F"), call("G")}
	batch[3].Key = "key-of-G-0002"
	st.BookBatch(ctx, p, batch)
	want := map[string]int{"C": 1, "E": 2, "G": 3, "F": 4, "B": 5, "D": 6}
	for i, f := range []string{"D", "E", "F", "G"} {
		c := batch[i]
		if c.Err != nil || len(c.Booking.Days) != 1 {
			t.Fatalf("%s: %+v", f, c)
		}
		read, err := st.UpcomingBookings(ctx, c.AccountID, farDay)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(c.Booking.Days, read) {
			t.Errorf("%s answered\n%+v\nbut reads back\n%+v", f, c.Booking.Days, read)
		}
		if got := c.Booking.Days[0]; got.Status != "waitlisted" || got.Position != want[f] {
			t.Errorf("%s: %s at position %d, want waitlisted at %d", f, got.Status, got.Position, want[f])
		}
	}
}

// TestBookerOutlivesItsConnection: when the database drops the connections the Booker and the
// SessionLoader keep (a restart, an administrator), the next booking and session read are
// answered all the same, on new ones.
func TestBookerOutlivesItsConnection(t *testing.T) {
	st, acc, kids, _ := oneFamily(t, farDay, farDay.AddDate(0, 0, 1))
	ctx := context.Background()
	booker := store.NewBooker(st, store.DefaultAllocationPolicy(), 64, 0)
	policy := store.SessionPolicy{Absolute: time.Hour, Idle: time.Hour}
	loader := store.NewSessionLoader(st, policy, 0)
	token, _, err := st.CreateSession(ctx, acc, policy, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	for i, day := range []time.Time{farDay, farDay.AddDate(0, 0, 1)} {
		if _, err := loader.Session(ctx, token); err != nil {
			t.Fatalf("session read %d: %v", i, err)
		}
		in := store.BookingInput{ChildIDs: kids, Days: []time.Time{day}, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00"}
		b, _, err := booker.Book(ctx, acc, fmt.Sprintf("outlive-%04d", i), []byte("h"), in)
		if err != nil || len(b.Days) != 1 || b.Days[0].Status != "proposed" {
			t.Fatalf("booking %d: %+v, %v", i, b, err)
		}
		// Every other connection to the database is dropped.
		if _, err := st.DB().Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSameKeyFromTwoProcesses: the same submission reaching two processes at once (two Stores
// on one database, no Booker between them) books once; the other replays the same answer,
// whether it saw the key when it read or only when it wrote.
func TestSameKeyFromTwoProcesses(t *testing.T) {
	st, acc, kids, _ := oneFamily(t, farDay)
	other := store.New(st.DB())
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	in := store.BookingInput{ChildIDs: kids, Days: []time.Time{farDay}, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00"}
	const rounds = 20
	for round := range rounds {
		key := fmt.Sprintf("twice-%04d", round)
		type answer struct {
			b        store.Booking
			replayed bool
			err      error
		}
		var answers [2]answer
		var wg sync.WaitGroup
		for i, s := range []*store.Store{st, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b, replayed, err := s.Book(ctx, p, acc, key, []byte("same"), in)
				answers[i] = answer{b, replayed, err}
			}()
		}
		wg.Wait()
		for i, a := range answers {
			if a.err != nil || len(a.b.Days) != 1 || a.b.Days[0].Status != "proposed" {
				t.Fatalf("round %d, answer %d: %+v", round, i, a)
			}
		}
		first, _ := json.Marshal(answers[0].b)
		second, _ := json.Marshal(answers[1].b)
		if string(first) != string(second) || answers[0].replayed == answers[1].replayed {
			t.Fatalf("round %d: answers differ or not exactly one replay (%v, %v):\n%s\n%s", round,
				answers[0].replayed, answers[1].replayed, first, second)
		}
	}
	var requests, seats, mails, keys int
	for q, dst := range map[string]*int{
		`SELECT count(*) FROM booking_request`: &requests,
		`SELECT count(*) FROM placement`:       &seats,
		`SELECT count(*) FROM outbox_email`:    &mails,
		`SELECT count(*) FROM idempotency_key`: &keys,
	} {
		if err := st.DB().Get(dst, q); err != nil {
			t.Fatal(err)
		}
	}
	// One e-mail: the rounds after the first only repeat the seat the family was told of.
	if requests != 1 || seats != 1 || mails != 1 || keys != rounds {
		t.Errorf("requests %d, seats %d, e-mails %d, keys %d; want 1, 1, 1, %d", requests, seats, mails, keys, rounds)
	}
}

// TestBookerPlansGoByKey: the booking batch's statements and the sessions' read, on the
// connections the Booker and the SessionLoader keep, read every table by key even when the
// tables are nearly empty, as at the start of a crisis: a plan made then is kept (generic
// plans) and must not scan the tables once they hold the morning's bookings.
func TestBookerPlansGoByKey(t *testing.T) {
	st, acc, kids, email := oneFamily(t, farDay)
	day := farDay.Format(time.DateOnly)
	now := pgtest.Now()
	ctx := context.Background()
	days := pq.Array([]string{day})
	read, err := st.ExplainNamedOnOwnConnection(ctx, store.ReadBatchSQL, map[string]any{
		"days": days, "accounts": pq.Array([]int64{acc}), "keys": pq.Array([]string{"plan-0001"}), "max_km": 20.0})
	if err != nil {
		t.Fatal(err)
	}
	write, err := st.ExplainNamedOnOwnConnection(ctx, store.BookAtOnceSQL, map[string]any{
		"now": now, "key_account": pq.Array([]int64{acc}), "key": pq.Array([]string{"plan-0001"}), "key_hash": pq.ByteaArray([][]byte{{1}}),
		"key_response": pq.ByteaArray([][]byte{[]byte("{}")}),
		"ask_account":  pq.Array([]int64{acc}), "ask_child": pq.Array(kids), "ask_day": days, "ask_location": pq.Array([]string{"home"}),
		"ask_arrive": pq.Array([]string{"08:00"}), "ask_depart": pq.Array([]string{"17:00"}),
		"kind": "instant", "day_from": day, "day_to": day, "seed": int64(1), "started_by": int64(0), "report": []byte("{}"), "store_run": true,
		"mail_to": pq.Array([]string{email}), "mail_subject": pq.Array([]string{"s"}), "mail_body": pq.Array([]string{"b"}),
		"mail_kind": pq.Array([]string{"booking"}), "mail_account": pq.Array([]int64{acc}),
		"wait_child": pq.Array(kids), "wait_day": days, "wait_reason": pq.Array([]string{"hubs_full"}), "wait_hub": pq.Array([]int64{0}),
		"wait_account": pq.Array([]int64{acc}),
		"seat_child":   pq.Array(kids), "seat_day": days, "seat_hub": pq.Array([]int64{1}), "seat_status": pq.Array([]string{"proposed"}),
		"seat_distance": pq.Array([]int64{100}), "seat_account": pq.Array([]int64{acc})})
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := st.ExplainOnOwnConnection(ctx, store.SessionsByTokensSQL, pq.ByteaArray([][]byte{make([]byte, 32)}), now, now)
	if err != nil {
		t.Fatal(err)
	}
	for name, plan := range map[string]string{"batch read": read, "batch write": write, "sessions read": sessions} {
		if strings.Contains(plan, "Seq Scan") {
			t.Errorf("the %s scans a table:\n%s", name, plan)
		}
	}
	if !strings.Contains(sessions, "session_pkey") {
		t.Errorf("the sessions read does not find sessions by their key:\n%s", sessions)
	}
}

// Answers name their hubs from names read at most a couple of seconds earlier: a hub opened
// since is named all the same.
func TestAnswersNameAHubOpenedSinceTheNamesWereRead(t *testing.T) {
	tw := newTown(farDay)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 1})
	first := tw.household("infirmier", farDay.AddDate(0, 0, -9), nil, store.Elementaire)
	second := tw.household("policier", farDay.AddDate(0, 0, -9), nil, store.Elementaire)
	st := tw.load(t)
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	book := func(email, key string) store.BookedDay {
		t.Helper()
		acc, kids := childrenOf(t, st, email)
		in := store.BookingInput{ChildIDs: kids, Days: []time.Time{farDay}, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:30"}
		b, _, err := st.Book(ctx, p, acc, key, []byte(key), in)
		if err != nil || len(b.Days) != 1 {
			t.Fatalf("booking %s: %+v, %v", email, b, err)
		}
		return b.Days[0]
	}
	if d := book(first, "key-first-1"); d.Status != "proposed" || d.HubName != "École 0250001A" {
		t.Fatalf("first answer %+v", d)
	}
	if _, err := st.ImportHubs(ctx, p, store.Scope{Role: store.RoleRectorat}, []store.HubImport{{
		Line: 1, UAI: "0250002B", Name: "École des Tilleuls", Address: "3 rue des Tilleuls", CommuneCode: "25056",
		Lat: 47.250, Lon: 6.020, Levels: []store.Level{store.Elementaire},
	}}, []time.Time{farDay}, false); err != nil {
		t.Fatal(err)
	}
	d := book(second, "key-second-1")
	if d.Status != "proposed" || d.HubName != "École des Tilleuls" || d.HubAddress != "3 rue des Tilleuls, Besançon" || d.HubLat == 0 {
		t.Errorf("answer in the hub opened since: %+v", d)
	}
	// Each booking stored its run, with its report, in the statement that took its seat.
	var runs []struct {
		Kind   string `db:"kind"`
		Placed int    `db:"placed"`
		Seats  int    `db:"seats"`
		// The booking path skips the report's costlier figures (the bound keeping siblings
		// together: about a second solve).
		SiblingBound float64 `db:"sibling_bound"`
	}
	if err := st.DB().Select(&runs, `
		SELECT r.kind, (r.report->>'child_days_placed')::int AS placed, count(p.*) AS seats,
		       COALESCE((r.report->>'sibling_bound_km')::float8, 0) AS sibling_bound
		FROM allocation_run r LEFT JOIN placement p ON p.run_id = r.id
		WHERE r.kind = 'instant' GROUP BY r.id ORDER BY r.id`); err != nil {
		t.Fatal(err)
	}
	if len(runs) != 2 || runs[0].Placed != 1 || runs[0].Seats != 1 || runs[1].Placed != 1 || runs[1].Seats != 1 ||
		runs[0].SiblingBound != 0 || runs[1].SiblingBound != 0 {
		t.Errorf("instant runs %+v, want two of one seat each", runs)
	}
}

// TestBookingSentAgainIsNotEmailedAgain: the booking form sent again (back, then submit: a new
// key for the same choices) answers the same seats and writes no second e-mail; a booking that
// adds a day is e-mailed, and so is one that gives a waiting child a seat.
func TestBookingSentAgainIsNotEmailedAgain(t *testing.T) {
	tw := newTown(farDay, farDay.AddDate(0, 0, 1))
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 10})
	tw.hub("0680002B", 47.75, 7.34, map[store.Level]int{store.Elementaire: 10}) // out of reach: keeps the days open
	email := tw.household("infirmier", farDay.AddDate(0, 0, -9), nil, store.Elementaire)
	st := tw.load(t)
	acc, kids := childrenOf(t, st, email)
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	mails := func() int {
		t.Helper()
		var n int
		if err := st.DB().Get(&n, `SELECT count(*) FROM outbox_email WHERE to_address = $1 AND kind = 'booking'`, email); err != nil {
			t.Fatal(err)
		}
		return n
	}
	in := store.BookingInput{ChildIDs: kids, Days: []time.Time{farDay}, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00"}
	first, _, err := st.Book(ctx, p, acc, "form-key-1", []byte("same"), in)
	if err != nil || mails() != 1 {
		t.Fatalf("first booking: %v, %d e-mails", err, mails())
	}
	again, replayed, err := st.Book(ctx, p, acc, "form-key-2", []byte("same"), in)
	if err != nil || replayed || !reflect.DeepEqual(again.Days, first.Days) {
		t.Fatalf("the same booking under a new key: %+v, replayed %v, %v; want the same answer", again, replayed, err)
	}
	if n := mails(); n != 1 {
		t.Errorf("the same booking sent again: %d e-mails, want 1", n)
	}
	// A day added is told, here a waitlist place (the day has no seat left); asked again, the
	// child still waits: nothing new to tell.
	if _, err := st.DB().Exec(`UPDATE hub_day_capacity SET capacity = 0 WHERE day = $1 AND hub_id = (SELECT id FROM hub WHERE uai = '0250001A')`,
		farDay.AddDate(0, 0, 1).Format(time.DateOnly)); err != nil {
		t.Fatal(err)
	}
	in.Days = append(in.Days, farDay.AddDate(0, 0, 1))
	b, _, err := st.Book(ctx, p, acc, "form-key-3", []byte("more"), in)
	if err != nil || len(b.Days) != 2 || b.Days[1].Status != "waitlisted" || mails() != 2 {
		t.Fatalf("a booking adding a full day: %+v, %v, %d e-mails, want a waitlist place and 2 e-mails", b, err, mails())
	}
	if _, _, err := st.Book(ctx, p, acc, "form-key-4", []byte("more"), in); err != nil || mails() != 2 {
		t.Errorf("the same booking with a waiting day sent again: %v, %d e-mails, want 2", err, mails())
	}
}
