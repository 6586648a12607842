package waitingroom_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
	"github.com/accueil-prioritaire/accueil/waitingroom"
)

// clock is the tests' clock, moved by hand; every store of a test reads it.
type clock struct {
	mu sync.Mutex
	at time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.at
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = c.at.Add(d)
}

var testKey = []byte(strings.Repeat("k", 32))

// rooms returns n rooms over one database, each with a Store of its own, as n processes have:
// what they share is PostgreSQL alone.
func rooms(t *testing.T, n int, cfg waitingroom.Config) ([]*waitingroom.Room, *store.Store, *clock) {
	t.Helper()
	clk := &clock{at: pgtest.Now()}
	base := pgtest.NewStore(t).WithClock(clk.now)
	if cfg.Key == nil {
		cfg.Key = testKey
	}
	var out []*waitingroom.Room
	for range n {
		r, err := waitingroom.New(store.New(base.DB()).WithClock(clk.now), cfg)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out, base, clk
}

// syncAll syncs the rooms at the same moment, as processes do, and fails the test on an error.
func syncAll(t *testing.T, rs ...*waitingroom.Room) {
	t.Helper()
	errs := make(chan error, len(rs))
	for _, r := range rs {
		go func() { errs <- r.Sync(context.Background()) }()
	}
	for range rs {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

func setMode(t *testing.T, st *store.Store, mode store.WaitingRoomMode, capacity int) {
	t.Helper()
	if err := st.SetWaitingRoom(t.Context(), store.Scope{Role: store.RoleAdmin}, mode, capacity); err != nil {
		t.Fatal(err)
	}
}

// visitor is a browser: it keeps the cookie the room gives it.
type visitor struct {
	name, cookie, addr string
}

func (v *visitor) visit(r *waitingroom.Room) waitingroom.Pass {
	p := r.Visit(v.cookie, v.addr)
	v.cookie = p.Ticket
	return p
}

// crowd brings n visitors into a room forced open, 7 ms apart, and brings each back a second
// later (the page asks for 3 s), so that the queue holds them all in arrival order.
func crowd(t *testing.T, clk *clock, rs []*waitingroom.Room, n int) []*visitor {
	t.Helper()
	vs := make([]*visitor, n)
	for i := range vs {
		vs[i] = &visitor{name: string(rune('A' + i)), addr: "192.0.2." + string(rune('1'+i%9))}
		if p := vs[i].visit(rs[i%len(rs)]); p.Admitted {
			t.Fatalf("visitor %d let in by an open room", i)
		}
		clk.add(7 * time.Millisecond)
	}
	clk.add(time.Second)
	for i, v := range vs {
		v.visit(rs[(i+1)%len(rs)]) // back through the other process
	}
	// Twice: a process syncing at the same moment as another may read the state before the
	// other's report; the next second's sync sees it.
	syncAll(t, rs...)
	syncAll(t, rs...)
	return vs
}

// TestTwoProcessesAdmitInTheSameOrder runs two processes over one database, visitors
// alternating between them, a capacity of 3 and a short stay: every visitor is told their
// place in arrival order, and they are let in strictly in that order, never more than the
// capacity at once, none twice.
func TestTwoProcessesAdmitInTheSameOrder(t *testing.T) {
	rs, st, clk := rooms(t, 2, waitingroom.Config{Capacity: 3, Stay: time.Minute})
	setMode(t, st, store.WaitingRoomOpen, 0)
	syncAll(t, rs...)
	vs := crowd(t, clk, rs, 12)
	for i, v := range vs {
		if p := v.visit(rs[i%2]); p.Admitted || p.Position != i+1 {
			t.Fatalf("visitor %d: admitted %v, position %d, want position %d", i, p.Admitted, p.Position, i+1)
		}
	}
	var order []int
	admitted := map[int]bool{}
	for round := 0; len(order) < len(vs) && round < 200; round++ {
		clk.add(10 * time.Second)
		syncAll(t, rs...)
		for _, r := range rs {
			if a := r.Snapshot().Active; a > 3 {
				t.Fatalf("round %d: %d active, capacity 3", round, a)
			}
		}
		for i, v := range vs {
			if admitted[i] {
				continue // let in, then gone: the place frees when the stay ends
			}
			p := v.visit(rs[(round+i)%2])
			if p.Admitted {
				admitted[i] = true
				order = append(order, i)
			}
		}
	}
	if len(order) != len(vs) {
		t.Fatalf("let in %v of %d", order, len(vs))
	}
	for i, v := range order {
		if v != i {
			t.Fatalf("let in in the order %v", order)
		}
	}
	var total int64
	if err := st.DB().Get(&total, `SELECT admitted_total FROM waiting_room`); err != nil || total != int64(len(vs)) {
		t.Errorf("admitted_total %d (%v), want %d", total, err, len(vs))
	}
}

// TestAdmittedVisitorIsNeverQueued: a visitor let in while the room was free keeps passing
// while others queue, as long as they keep coming back within the stay.
func TestAdmittedVisitorIsNeverQueued(t *testing.T) {
	rs, _, clk := rooms(t, 1, waitingroom.Config{Capacity: 1, Stay: 5 * time.Minute})
	r := rs[0]
	syncAll(t, r)
	in := &visitor{addr: "192.0.2.1"}
	if p := in.visit(r); !p.Admitted {
		t.Fatal("the first visitor of a free room waits")
	}
	// Back, the one let in at the door holds the place: the room is full at the sync, and the
	// door closes at the instant it announces, the notice after.
	in.visit(r)
	syncAll(t, r)
	late := &visitor{addr: "192.0.2.2"}
	if p := late.visit(r); !p.Admitted {
		t.Fatal("the door closed before the instant it announced")
	}
	late.cookie = ""
	clk.add(r.Rules().Notice)
	if p := late.visit(r); p.Admitted {
		t.Fatal("a second visitor got past a room of capacity 1 once its door closed")
	}
	for range 30 { // 30 × 4 min: far beyond the stay, but never idle that long
		clk.add(4 * time.Minute)
		if p := in.visit(r); !p.Admitted {
			t.Fatal("an admitted visitor was queued")
		}
		late.visit(r) // a new ticket: away 4 minutes, the last one expired
		clk.add(time.Second)
		late.visit(r)
		syncAll(t, r)
		if p := late.visit(r); p.Admitted {
			t.Fatal("a visitor got in while the only place is held")
		}
	}
	// Idle past the stay, the place is gone: back of the queue, behind the one who waits.
	clk.add(5*time.Minute + time.Second)
	late.visit(r)
	clk.add(time.Second)
	late.visit(r)
	syncAll(t, r)
	if p := in.visit(r); p.Admitted {
		t.Fatal("a ticket idle past its stay still passes")
	}
}

// TestForgedTicketGoesToTheBack: a ticket signed with another key, or altered, claiming an
// early number and issue time, gets a new ticket behind everyone who waits.
func TestForgedTicketGoesToTheBack(t *testing.T) {
	rs, st, clk := rooms(t, 1, waitingroom.Config{Capacity: 1, Stay: 20 * time.Minute})
	r := rs[0]
	// A forger's room: same code, another key, an hour earlier.
	early := &clock{at: clk.now().Add(-time.Hour)}
	forger, err := waitingroom.New(store.New(st.DB()).WithClock(early.now), waitingroom.Config{Capacity: 1, Stay: time.Hour, Key: []byte(strings.Repeat("x", 32))})
	if err != nil {
		t.Fatal(err)
	}
	setMode(t, st, store.WaitingRoomOpen, 0)
	syncAll(t, r)
	vs := crowd(t, clk, rs, 3)

	forged := forger.Visit("", "192.0.2.9").Ticket
	altered := []byte(vs[0].cookie)
	altered[5] ^= 1 // the same ticket, another number
	for name, cookie := range map[string]string{"other key": forged, "altered": string(altered), "garbage": "bm90IGEgdGlja2V0"} {
		v := &visitor{cookie: cookie, addr: "192.0.2.10"}
		p := v.visit(r)
		if p.Admitted || v.cookie == cookie {
			t.Fatalf("%s: admitted %v, same ticket %v", name, p.Admitted, v.cookie == cookie)
		}
		clk.add(time.Second)
		v.visit(r)
		for _, w := range vs {
			w.visit(r)
		}
		syncAll(t, r)
		if p := v.visit(r); p.Position <= len(vs) {
			t.Fatalf("%s: position %d, ahead of %d honest visitors", name, p.Position, len(vs))
		}
		vs = append(vs, v)
	}
}

// TestExpiredTicketsGoToTheBack: a waiting ticket gone longer than 2 minutes loses its place
// (its early issue time does not put it in front), and an admitted one idle past its stay
// queues again, at the back.
func TestExpiredTicketsGoToTheBack(t *testing.T) {
	rs, st, clk := rooms(t, 1, waitingroom.Config{Capacity: 1, Stay: 10 * time.Minute})
	r := rs[0]
	setMode(t, st, store.WaitingRoomOpen, 0)
	syncAll(t, r)
	vs := crowd(t, clk, rs, 4) // A B C D: A will be let in, B goes away, C and D wait
	clk.add(6 * time.Second)
	syncAll(t, r)
	clk.add(r.Rules().Notice)
	if p := vs[0].visit(r); !p.Admitted {
		t.Fatal("the first in line was not let in")
	}
	// B leaves; C, D and A keep coming back every 20 s for 3 minutes.
	for range 9 {
		clk.add(20 * time.Second)
		for _, v := range []*visitor{vs[0], vs[2], vs[3]} {
			v.visit(r)
		}
		syncAll(t, r)
	}
	b := vs[1]
	old := b.cookie
	b.visit(r)
	if b.cookie == old {
		t.Fatal("an expired ticket was kept")
	}
	clk.add(time.Second)
	b.visit(r)
	vs[2].visit(r)
	vs[3].visit(r)
	syncAll(t, r)
	if p := b.visit(r); p.Admitted || p.Position != 3 {
		t.Fatalf("back after 3 minutes: admitted %v, position %d, want 3 (behind C and D)", p.Admitted, p.Position)
	}
	if p := vs[2].visit(r); p.Position != 1 {
		t.Fatalf("C's position %d, want 1", p.Position)
	}
	// A goes idle past the stay: C is let in, and A comes back behind B.
	for range 35 {
		clk.add(20 * time.Second)
		for _, v := range []*visitor{b, vs[2], vs[3]} {
			v.visit(r)
		}
		syncAll(t, r)
	}
	if p := vs[2].visit(r); !p.Admitted {
		t.Fatal("C was not let in once A's stay ended")
	}
	if p := vs[0].visit(r); p.Admitted {
		t.Fatal("A, idle past the stay, still passes")
	}
	clk.add(time.Second)
	vs[0].visit(r)
	b.visit(r)
	vs[3].visit(r)
	syncAll(t, r)
	if p := vs[0].visit(r); p.Admitted || p.Position != 3 {
		t.Fatalf("A after the stay: admitted %v, position %d, want 3 (behind D and B)", p.Admitted, p.Position)
	}
}

// TestCopiedTicketIsRevoked: one admitted ticket copied to browsers at five addresses admits
// none of them past the next sync: all get new tickets at the back.
func TestCopiedTicketIsRevoked(t *testing.T) {
	rs, st, clk := rooms(t, 2, waitingroom.Config{Capacity: 1, Stay: 20 * time.Minute})
	setMode(t, st, store.WaitingRoomOpen, 0)
	syncAll(t, rs...)
	vs := crowd(t, clk, rs, 3)
	clk.add(6 * time.Second)
	syncAll(t, rs...)
	clk.add(rs[0].Rules().Notice)
	if p := vs[0].visit(rs[0]); !p.Admitted {
		t.Fatal("the first in line was not let in")
	}
	stolen := vs[0].cookie
	copies := []*visitor{vs[0]}
	for i := range 5 {
		copies = append(copies, &visitor{cookie: stolen, addr: "198.51.100." + string(rune('1'+i))})
	}
	for i, c := range copies {
		c.visit(rs[i%2])
	}
	vs[1].visit(rs[0])
	vs[2].visit(rs[1])
	// The revocation reaches a process syncing at the same moment at its next sync.
	syncAll(t, rs...)
	syncAll(t, rs...)
	for i, c := range copies {
		p := c.visit(rs[i%2])
		if p.Admitted {
			t.Fatalf("copy %d still admitted after the sync", i)
		}
		if c.cookie == stolen {
			t.Fatalf("copy %d kept the revoked ticket", i)
		}
	}
	// The copies' new tickets are behind B and C, and B, next in line, takes the freed place.
	clk.add(time.Second)
	for i, c := range copies {
		c.visit(rs[i%2])
	}
	vs[1].visit(rs[0])
	vs[2].visit(rs[1])
	syncAll(t, rs...)
	for i, c := range copies {
		if p := c.visit(rs[i%2]); p.Admitted || p.Position < 2 {
			t.Fatalf("copy %d: admitted %v, position %d: ahead of those who waited", i, p.Admitted, p.Position)
		}
	}
	clk.add(6 * time.Second)
	syncAll(t, rs...)
	clk.add(rs[0].Rules().Notice)
	if p := vs[1].visit(rs[1]); !p.Admitted {
		t.Fatal("B was not let in once the copied ticket lost its place")
	}
}

// TestKeyKeptInPostgreSQLIsShared: without WAITING_ROOM_KEY, processes starting at once read one
// key from the database, so a ticket signed by one passes in the other.
func TestKeyKeptInPostgreSQLIsShared(t *testing.T) {
	st := pgtest.NewStore(t)
	keys := make(chan []byte, 2)
	for range 2 {
		go func() {
			k, err := store.New(st.DB()).WaitingRoomKey(context.Background())
			if err != nil {
				t.Error(err)
			}
			keys <- k
		}()
	}
	a, b := <-keys, <-keys
	if len(a) != 32 || string(a) != string(b) {
		t.Fatalf("keys %x and %x", a, b)
	}
	one, _ := waitingroom.New(store.New(st.DB()), waitingroom.Config{Capacity: 5, Stay: time.Minute, Key: a})
	other, _ := waitingroom.New(store.New(st.DB()), waitingroom.Config{Capacity: 5, Stay: time.Minute, Key: b})
	ticket := one.Visit("", "192.0.2.1").Ticket
	if p := other.Visit(ticket, "192.0.2.1"); p.Ticket[:20] != ticket[:20] {
		t.Error("a ticket of one process is not taken by the other")
	}
}

// TestPlaceFreesAfterTheStayOnceBack: a visitor let in by the queue holds the place for the
// abandon window only until they come back; from then on, like everyone, for the stay after
// their last request. The next in the queue is let in once that stay is over.
func TestPlaceFreesAfterTheStayOnceBack(t *testing.T) {
	rs, st, clk := rooms(t, 1, waitingroom.Config{Capacity: 1, Stay: 10 * time.Second})
	setMode(t, st, store.WaitingRoomOpen, 0)
	r := rs[0]
	syncAll(t, r)
	vs := crowd(t, clk, rs, 2)
	first, second := vs[0], vs[1]
	clk.add(5 * time.Second) // past the ordering lag
	syncAll(t, r)
	clk.add(r.Rules().Notice)
	if p := first.visit(r); !p.Admitted {
		t.Fatal("the first in the queue is not let in")
	}
	second.visit(r)
	clk.add(11 * time.Second) // the first is gone: past the stay, well within the abandon window
	second.visit(r)
	syncAll(t, r)
	clk.add(r.Rules().Notice)
	if p := second.visit(r); !p.Admitted {
		t.Fatal("the place of a visitor who came back and left is held beyond the stay")
	}
}
