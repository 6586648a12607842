// Package waitingroom is the waiting room (salle d'attente) in front of the parents' journey:
// when more parents are active than the service can serve, newcomers queue and are let in first
// come, first served, while staff and the parents already in are never stopped.
//
// # Design
//
// A visitor holds a ticket in a cookie: a random 63-bit number, the millisecond it was issued,
// the last time it was seen, and whether it was let in, signed with HMAC-SHA256 under a key that
// every process shares (WAITING_ROOM_KEY, or one kept in PostgreSQL). The queue's order is the
// order of issue (millisecond, then number).
//
// Each process answers every request from memory: it checks the ticket's signature and its
// own view of the shared state, and it notes the tickets that came back (when, from which
// address, how often) in a map. Once a second, Sync does three things in PostgreSQL: it
// records that map in one statement; under the lock of the room's single row (so one process
// at a time) it lets in the oldest waiting tickets, as many as there are free places
// (capacity minus the tickets holding a place when they pass), and announces when the door
// closes or opens again; and it reads the state back into the view (mode, capacity, counts,
// the door's switches, the waiting tickets counted by millisecond of issue for positions, the
// tickets let in, the tickets revoked), dated by the instant it held the lock. No request ever waits on
// PostgreSQL for the room; when the room is not queuing, a request costs a signature check and
// a map update.
//
// The door. Newcomers are let in at once (the door is open) or given a place in the queue (it
// is closed). No process decides that alone: if each closed its door when its own counts said
// so, one would still let newcomers in while the other queued earlier ones (this overtook
// parents of the load run). The room's row decides it, at a sync: when the places held, plus
// the door's visitors it expects to come back (below), reach the capacity, it sets the instant
// from which newcomers queue, Notice (3 s) ahead; when they no longer do and no one waits, the
// instant the door opens again, as far ahead. The visitors expected: those the door lets in
// until it closes and those let in lately who have not come back yet, that is the rate at which
// the door's visitors came back over the last two syncs, times the notice, their mean time to
// come back and one sync. Closing only once the places held reached the capacity let in about
// twice the capacity (they hold a place only once back, and the door stays open for the
// notice); counting every visitor let in, back or not, closed the room on traffic that never
// came back (the load run's setup) and held places nobody took. Every
// process syncs within the notice, so all of them know an instant before it comes and switch at it together, by the
// time of issue of the ticket. A process whose view is older than the notice may have missed
// an announcement: it queues newcomers until it syncs again, then lets them in at their next
// request if the door is open (meanwhile, the other processes may let later arrivals in: the
// order holds only while every process syncs within the notice).
//
// A ticket is recorded only when it comes back: a flood of requests that keep no cookie
// writes nothing and takes no place. The page tells a new ticket to come back within 3 s
// (Retry-After, meta refresh, or the script's poll).
//
// # Guarantees
//
//   - Every process lets in the same tickets in the same order, at the same instant: only the
//     process holding the row lock lets tickets in, by order of issue, and they pass from
//     Notice later, when every process with a view younger than the notice knows them. So a
//     parent told they pass by one process passes in the other, even with the ticket first
//     given (a client that keeps its first cookie).
//   - First come, first served: every process closes its door to the tickets issued from the
//     same instant on, and opens it again to those issued from another one; the queue lets
//     in only tickets issued at least Lag (5 s) ago, so a ticket that came back within the 3 s
//     it is asked to, and was recorded by its process within the next second, is never
//     overtaken by one issued after it in any process. When the door opens again, tickets of
//     the queue pass at their next request, as newcomers do. This assumes the processes'
//     clocks agree within a few milliseconds (one machine, or NTP).
//   - A forged ticket (bad signature) gets a new ticket at the back. So does an expired one
//     (let in but idle longer than the stay, or waiting and not back for 2 minutes: the queue
//     skips it, so it can never jump to the front with its old issue time), and a revoked one.
//   - Copies: one ticket is one place, however many browsers hold it. A ticket seen from more
//     than 4 client addresses, or making more than 600 requests a minute across all processes,
//     is revoked within two syncs (about 2 s): every holder gets a new ticket at the back.
//     Copies from one address making fewer requests than that are not told apart from one
//     busy parent.
//   - The bound: the queue lets in only up to the capacity. A visitor let in at the door holds
//     a place once they come back and their process has synced (a newcomer that never comes
//     back, such as a script keeping no cookie, takes none), and the door lets in until the
//     instant announced. The room goes over the capacity by the error of the estimate: the
//     door's rate is first known once its first visitors came back and were recorded, so when
//     arrivals jump from none to many the door closes about (time to come back + one sync +
//     the notice) × the rate after the jump; a visitor slower to come back than Lag + Notice
//     is not measured. In the load run (83 parents a second coming back 2 s after arriving,
//     against 500 places) 490 to 567 were let in at the door in four runs, against about 985 when
//     the door closed at the places held.
//   - A ticket the queue let in keeps its place for the abandon window (2 minutes) while its
//     holder comes back, then for the stay after each request.
//   - If PostgreSQL is unreachable the processes keep their last view for the notice, then
//     queue every newcomer (503 with Retry-After, as the pages that need the database answer
//     anyway) until it answers again; parents let in keep passing. A forced mode (open or
//     closed, the admin page) takes effect in each process at its next sync.
package waitingroom

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// Config is the room's deployment configuration.
type Config struct {
	// Capacity is how many parents may be active at once (WAITING_ROOM_CAPACITY); the admin
	// page may change it.
	Capacity int
	// Stay is how long an admitted visitor keeps the place after their last request
	// (WAITING_ROOM_STAY).
	Stay time.Duration
	// Key signs the tickets (WAITING_ROOM_KEY): the same in every process. Empty: New refuses;
	// the command line reads the key kept in PostgreSQL (store.WaitingRoomKey).
	Key []byte
}

// DefaultCapacity is the default number of parents active at once, from the booking load run
// (README, Figures): about 2,000 bookings/s on 2 cores, that is about 1 ms of the machine per
// booking. A parent's journey at the rush is a login (an argon2id hash of 19 MiB, 2 passes:
// about 30 ms of one core, some 30 bookings' worth), three or four pages that each cost about a
// booking, and one booking: about 35 bookings' worth, spent within the two minutes or so the
// parent needs to click through, so about 0.3 booking's worth per second. Keeping half of the
// machine for staff, retries and a slower database leaves 1,000 bookings' worth per second:
// 1,000 / 0.3 ≈ 3,300 parents working at once. Places are held for the stay after the last
// click, so most held places are parents done already; counting every held place as working
// keeps the bound safe when they all arrive in the same minute, as at 8:00.
const DefaultCapacity = 3000

// DefaultConfig is the production configuration, without its key.
func DefaultConfig() Config { return Config{Capacity: DefaultCapacity, Stay: 20 * time.Minute} }

// Fixed parts of the rules (see the guarantees in the package comment).
const (
	abandon = 2 * time.Minute
	lag     = 5 * time.Second
	// notice must exceed the time between two syncs (1 s, each taking up to 0.2 s in the load
	// run): 3 s bears two syncs in a row late or failed.
	notice = 3 * time.Second
	// syncEvery is how often the service runs Sync (cmd/accueil's serve).
	syncEvery    = time.Second
	firstReturn  = 3 * time.Second
	maxRetry     = 20 * time.Second
	maxAddresses = 4
	maxPerMinute = 600
	// maxPending bounds the map of tickets seen between two syncs; past it a sighting is
	// dropped (the ticket is recorded at its next request).
	maxPending = 200_000
)

// Room is one process's side of the shared waiting room. Its methods are safe for concurrent use.
type Room struct {
	st    *store.Store
	rules store.WaitingRoomRules
	key   []byte

	mu   sync.Mutex
	view view
	// doorAdmitted counts the visitors this process let in at the door since its last sync
	// (for the snapshot: they hold places once they come back and are recorded).
	doorAdmitted int
	pending      map[int64]*store.TicketSighting

	syncMu sync.Mutex
}

// view is the shared state as of the last sync.
type view struct {
	mode                      store.WaitingRoomMode
	capacity, active, waiting int
	admittedLastMinute        int
	admittedTotal             int64
	queue                     []store.QueueSlot
	before                    []int // before[i]: waiting tickets issued before queue[i]'s millisecond
	// admitted: the tickets the queue let in, and the Unix millisecond they pass from.
	admitted map[int64]int64
	revoked  map[int64]bool
	// Newcomers issued a ticket in [queueFrom, queueUntil) (Unix milliseconds; 0: no bound)
	// queue; queueFrom 0: none.
	queueFrom, queueUntil int64
	syncedAt              time.Time // when the state was read, under the room's lock; zero: never
}

// New returns the room of this process; it reads nothing until the first Sync and, until then,
// lets everyone in.
func New(st *store.Store, c Config) (*Room, error) {
	if len(c.Key) < 16 {
		return nil, errors.New("waiting room: the key must be at least 16 bytes")
	}
	if c.Capacity < 1 || c.Stay <= 0 {
		return nil, errors.New("waiting room: capacity and stay must be positive")
	}
	r := &Room{st: st, key: c.Key, pending: map[int64]*store.TicketSighting{},
		rules: store.WaitingRoomRules{Capacity: c.Capacity, Stay: c.Stay, Abandon: abandon, Lag: lag, Notice: notice,
			MaxAddresses: maxAddresses, MaxPerMinute: maxPerMinute, SyncEvery: syncEvery}}
	r.view = view{mode: store.WaitingRoomAuto, capacity: c.Capacity}
	return r, nil
}

// Pass is the room's answer to one request.
type Pass struct {
	Admitted bool
	// Position in the queue (1: next) and the estimated wait, when not admitted.
	Position int
	Wait     time.Duration
	// RetryAfter is when to come back.
	RetryAfter time.Duration
	// Ticket is the cookie's new value: always set it (it carries the time of this request).
	Ticket string
}

// ticket is what the cookie carries, signed.
type ticket struct {
	number   int64
	issuedMs int64
	seenMs   int64
	admitted bool
}

const ticketLen = 8 + 8 + 8 + 1 + 16

func (r *Room) mac(b []byte) []byte {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte("salle-attente/v1\x00"))
	m.Write(b)
	return m.Sum(nil)[:16]
}

func (r *Room) encode(t ticket) string {
	b := make([]byte, ticketLen)
	binary.BigEndian.PutUint64(b[0:], uint64(t.number))
	binary.BigEndian.PutUint64(b[8:], uint64(t.issuedMs))
	binary.BigEndian.PutUint64(b[16:], uint64(t.seenMs))
	if t.admitted {
		b[24] = 1
	}
	copy(b[25:], r.mac(b[:25]))
	return base64.RawURLEncoding.EncodeToString(b)
}

// decode returns the ticket of a cookie, false when it is not one this room signed.
func (r *Room) decode(s string) (ticket, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != ticketLen || b[24] > 1 || !hmac.Equal(b[25:], r.mac(b[:25])) {
		return ticket{}, false
	}
	return ticket{number: int64(binary.BigEndian.Uint64(b[0:])), issuedMs: int64(binary.BigEndian.Uint64(b[8:])),
		seenMs: int64(binary.BigEndian.Uint64(b[16:])), admitted: b[24] == 1}, true
}

// addressHash is a keyed hash of a client address: the database never holds the address, and
// no one without the key can find it by trying all addresses.
func (r *Room) addressHash(addr string) int32 {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte("salle-attente/adresse\x00" + addr))
	return int32(binary.BigEndian.Uint32(m.Sum(nil)))
}

func newNumber() int64 {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return int64(binary.BigEndian.Uint64(b[:]) >> 1)
}

// Visit decides one request of the parents' journey from its ticket (the cookie's value, maybe
// empty) and its client address. It never touches the database.
func (r *Room) Visit(cookie, addr string) Pass {
	now := r.st.Now()
	nowMs := now.UnixMilli()
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.decode(cookie)
	switch {
	case !ok:
	case r.view.revoked[t.number]:
		ok = false
	case t.admitted && nowMs-t.seenMs > r.rules.Stay.Milliseconds():
		ok = false
	case !t.admitted && nowMs-t.seenMs > abandon.Milliseconds():
		ok = false
	case t.seenMs > nowMs+lag.Milliseconds() || t.issuedMs > t.seenMs:
		ok = false // signed by us, but not a time we wrote: another key holder's mistake
	}
	queuing := r.queuingLocked(nowMs)
	if !ok {
		// A new ticket, at the back; recorded only when it comes back.
		t = ticket{number: newNumber(), issuedMs: nowMs, seenMs: nowMs, admitted: !queuing}
		if t.admitted {
			r.doorAdmitted++
		}
		return r.passLocked(t, true)
	}
	if !t.admitted {
		if from, ok := r.view.admitted[t.number]; ok && from <= nowMs {
			t.admitted = true
		} else if !queuing {
			// The door is open: a ticket of an earlier queue passes, as a newcomer would.
			t.admitted = true
			r.doorAdmitted++
		}
	}
	t.seenMs = nowMs
	r.noteLocked(t, now, addr)
	return r.passLocked(t, false)
}

// queuingLocked reports whether a newcomer must queue at nowMs (Unix milliseconds). In auto
// mode, every process decides it from the door's switches the room's row announced a notice
// ahead, so they all switch at the same instant; a view older than the notice may have missed
// one, so it queues (never synced: a process just started lets in, as it did before the room).
func (r *Room) queuingLocked(nowMs int64) bool {
	v := &r.view
	switch {
	case v.mode == store.WaitingRoomClosed:
		return false
	case v.mode == store.WaitingRoomOpen:
		return true
	case v.syncedAt.IsZero():
		return false
	case nowMs >= v.syncedAt.UnixMilli()+r.rules.Notice.Milliseconds():
		return true
	}
	return v.queueFrom != 0 && v.queueFrom <= nowMs && (v.queueUntil == 0 || nowMs < v.queueUntil)
}

// sightingLocked is the entry of ticket t in the map of the next report, nil when the map is full.
func (r *Room) sightingLocked(t ticket) *store.TicketSighting {
	p, ok := r.pending[t.number]
	if !ok {
		if len(r.pending) >= maxPending {
			return nil
		}
		p = &store.TicketSighting{Number: t.number, IssuedAt: time.UnixMilli(t.issuedMs)}
		r.pending[t.number] = p
	}
	return p
}

func (r *Room) noteLocked(t ticket, now time.Time, addr string) {
	p := r.sightingLocked(t)
	if p == nil {
		return
	}
	p.SeenAt, p.Admitted = now, p.Admitted || t.admitted
	p.Requests++
	h := r.addressHash(addr)
	for _, a := range p.Addresses {
		if a == h {
			return
		}
	}
	if len(p.Addresses) <= maxAddresses {
		p.Addresses = append(p.Addresses, h)
	}
}

func (r *Room) passLocked(t ticket, fresh bool) Pass {
	p := Pass{Admitted: t.admitted, Ticket: r.encode(t)}
	if t.admitted {
		return p
	}
	i := sort.Search(len(r.view.queue), func(i int) bool { return r.view.queue[i].Millisecond >= t.issuedMs })
	ahead := 0
	if i < len(r.view.queue) {
		ahead = r.view.before[i]
	} else if n := len(r.view.queue); n > 0 {
		ahead = r.view.before[n-1] + r.view.queue[n-1].Count
	}
	p.Position = ahead + 1
	p.Wait = lag
	if from, ok := r.view.admitted[t.number]; ok {
		// Let in by the queue, passing from the notice after (t.seenMs is now).
		p.Position, p.Wait = 1, time.Duration(max(from-t.seenMs, 0))*time.Millisecond
	} else if beyond := p.Position - (r.view.capacity - r.view.active); beyond > 0 {
		// No place for this one at the next sync: places free up at the pace of the last
		// minute, and at least as stays end.
		rate := max(float64(r.view.admittedLastMinute)/60, float64(r.view.capacity)/r.rules.Stay.Seconds())
		p.Wait += time.Duration(float64(beyond) / rate * float64(time.Second))
	}
	p.RetryAfter = min(max(p.Wait, firstReturn), maxRetry)
	if fresh {
		p.RetryAfter = firstReturn
	}
	return p
}

// Release gives up the place of the ticket in cookie: a parent logging out, or staff who
// logged in through the parents' form (staff never need a place). From the next sync on, the
// ticket holds no place and gets its holder a new one at the back.
func (r *Room) Release(cookie string) {
	t, ok := r.decode(cookie)
	if !ok {
		return
	}
	now := r.st.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if p := r.sightingLocked(t); p != nil {
		p.SeenAt, p.Released = now, true
	}
}

// Sync reports the tickets seen and the visitors let in at the door since the last sync, lets
// in the next ones if places are free and announces the door's switches (one process at a
// time), and refreshes the view. Run it about once a second: a view older than the notice
// (3 s) queues every newcomer.
func (r *Room) Sync(ctx context.Context) error {
	r.syncMu.Lock()
	defer r.syncMu.Unlock()
	r.mu.Lock()
	seen := make([]store.TicketSighting, 0, len(r.pending))
	for _, p := range r.pending {
		seen = append(seen, *p)
	}
	r.pending = map[int64]*store.TicketSighting{}
	r.mu.Unlock()
	if err := r.st.RecordTickets(ctx, seen, r.rules); err != nil {
		return fmt.Errorf("waiting room: %w", err)
	}
	st, err := r.st.AdvanceWaitingRoom(ctx, r.rules)
	if err != nil {
		return err
	}
	v := view{mode: st.Mode, capacity: st.Capacity, active: st.Active, waiting: st.Waiting,
		admittedLastMinute: st.AdmittedLastMinute, admittedTotal: st.AdmittedTotal, queue: st.Queue,
		before: make([]int, len(st.Queue)), admitted: make(map[int64]int64, len(st.Admitted)),
		revoked: make(map[int64]bool, len(st.Revoked)), syncedAt: st.ReadAt}
	if st.QueueFrom != nil {
		v.queueFrom = st.QueueFrom.UnixMilli()
	}
	if st.QueueUntil != nil {
		v.queueUntil = st.QueueUntil.UnixMilli()
	}
	n := 0
	for i, q := range st.Queue {
		v.before[i] = n
		n += q.Count
	}
	for _, a := range st.Admitted {
		v.admitted[a.Number] = a.From.UnixMilli()
	}
	for _, a := range st.Revoked {
		v.revoked[a] = true
	}
	r.mu.Lock()
	r.view, r.doorAdmitted = v, 0
	r.mu.Unlock()
	return nil
}

// Snapshot is the room as of the last sync, for the admin page and the metrics.
type Snapshot struct {
	Mode     store.WaitingRoomMode
	Queuing  bool // newcomers queue now
	Capacity int
	// Active: parents holding a place; Waiting: the queue's length.
	Active, Waiting int
	// AdmittedTotal: let in by the queue since the room exists; AdmittedLastMinute: let in
	// during the last minute, by the queue or at the door.
	AdmittedTotal      int64
	AdmittedLastMinute int
	SyncedAt           time.Time // zero: never synced
}

// Snapshot reads the view; it costs a lock, never a query.
func (r *Room) Snapshot() Snapshot {
	nowMs := r.st.Now().UnixMilli()
	r.mu.Lock()
	defer r.mu.Unlock()
	v := r.view
	return Snapshot{Mode: v.mode, Queuing: r.queuingLocked(nowMs), Capacity: v.capacity, Active: v.active + r.doorAdmitted,
		Waiting: v.waiting, AdmittedTotal: v.admittedTotal, AdmittedLastMinute: v.admittedLastMinute, SyncedAt: v.syncedAt}
}

// Rules are the room's limits, for reading the shared state (store.ReadWaitingRoom).
func (r *Room) Rules() store.WaitingRoomRules { return r.rules }
