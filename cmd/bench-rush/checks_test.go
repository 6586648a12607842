package main

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/cmd/internal/benchkit"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// The ledger check finds every acknowledged booking in the database, and reports one whose
// placement is gone, or whose key was never stored.
func TestLedgerCheckFindsWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	demo, err := benchkit.LoadDemo(ctx, db, pgtest.Today())
	if err != nil {
		t.Fatal(err)
	}
	st := demo.Store.WithClock(pgtest.Now)
	hh, err := benchkit.Sessions(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	b := &booker{hh: hh}
	day := demo.Seed.OpenDays[len(demo.Seed.OpenDays)-1]
	var acks []ack
	for i := range 3 {
		h := hh[i]
		key := "ledger-" + string(rune('a'+i)) + "-key"
		booked, _, err := st.Book(ctx, store.DefaultAllocationPolicy(), h.Account, key, []byte{byte(i)},
			store.BookingInput{ChildIDs: h.Children, Days: []time.Time{day}, Location: store.Location("home"), ArriveAt: "08:00", DepartAt: "17:30"})
		if err != nil {
			t.Fatal(err)
		}
		// The answer as the service gives it (api/answers.go), the fields the run reads.
		var answer struct {
			Days []bookedDay `json:"days"`
		}
		for _, d := range booked.Days {
			answer.Days = append(answer.Days, bookedDay{ChildID: d.ChildID, Day: d.Day, Status: string(d.Status), HubID: d.HubID})
		}
		body, _ := json.Marshal(answer)
		acks = append(acks, ack{household: i, key: key, day: day, status: http.StatusCreated, body: body})
	}
	if lost, example, err := ledgerCheck(ctx, db, b, acks); err != nil || lost != 0 {
		t.Fatalf("every booking is there, yet lost = %d (%s), err %v", lost, example, err)
	}

	// A placement that vanished, and a key the service never kept.
	if _, err := db.Exec(`DELETE FROM placement WHERE child_id = $1 AND day = $2`, hh[0].Children[0], day); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DELETE FROM idempotency_key WHERE key = $1`, acks[2].key); err != nil {
		t.Fatal(err)
	}
	lost, example, err := ledgerCheck(ctx, db, b, acks)
	if err != nil {
		t.Fatal(err)
	}
	if lost != 2 || example == "" {
		t.Errorf("lost = %d (%q), want the 2 bookings with something missing", lost, example)
	}
}

// Refusals count as such only with Retry-After; anything else that did not book is a failure.
func TestTallyCountsOnlyPromisedRefusals(t *testing.T) {
	answers := []answer{
		{status: 201},
		{status: 503, retryAfter: true},
		{status: 429, retryAfter: true},
		{status: 503},
		{status: 500},
		{status: 0, err: "connection reset"},
	}
	byStatus, refused, failed, first := tally(answers)
	if refused != 2 || failed != 3 {
		t.Errorf("refused %d, failed %d; want 2 and 3", refused, failed)
	}
	if byStatus["503 without Retry-After"] != 1 || byStatus["no answer"] != 1 || byStatus["503"] != 1 {
		t.Errorf("by status: %v", byStatus)
	}
	if first != "503 " {
		t.Errorf("first failure %q, want the 503 without Retry-After", first)
	}
}

// A parent let in while someone who got a ticket before them still waited is counted; requests
// that overlap in time prove no order and are not.
func TestJudgeRoomCountsOnlyProvenOvertaking(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	vs := []visitor{
		// 0: ticket at 0–10 ms, still waiting at 5 s.
		{arrived: true, arriveSend: ms(0), arriveRecv: ms(10), ticket: "t0", told: true, lastWaiting: ms(5000), admitted: ms(6000), passed: true},
		// 1: asked after 0 had its ticket, let in at 4 s: overtook 0.
		{arrived: true, arriveSend: ms(20), arriveRecv: ms(30), ticket: "t1", told: true, lastWaiting: ms(1000), admitted: ms(4000), passed: true},
		// 2: asked while 0's request was still out (5 ms): not ordered with 0.
		{arrived: true, arriveSend: ms(5), arriveRecv: ms(40), ticket: "t2", told: true, lastWaiting: -1, admitted: ms(50), passed: true},
		// 3: never let in, and never told a position; 4 holds the same ticket.
		{arrived: true, arriveSend: ms(60), arriveRecv: ms(70), ticket: "t3", lastWaiting: ms(7000), admitted: -1},
		{arrived: true, arriveSend: ms(80), arriveRecv: ms(90), ticket: "t3", told: true, lastWaiting: ms(100), admitted: ms(7500)},
	}
	r := judgeRoom(vs, 10*time.Second)
	// 0 is overtaken by 1. 3, still waiting at 7 s, saw 1 and 2 let in before, but they had
	// arrived before it; 4, after it, was seen let in only after 3's last wait: not proven.
	if r.overtaken != 1 {
		t.Errorf("overtaken = %d, want 1 (%s)", r.overtaken, r.example)
	}
	if r.lost != 1 || r.untold != 1 || r.duplicates != 2 || r.turnedBack != 1 || r.admitted != 4 {
		t.Errorf("lost %d, untold %d, duplicates %d, turned back %d, admitted %d; want 1, 1, 2, 1, 4", r.lost, r.untold, r.duplicates, r.turnedBack, r.admitted)
	}
}

func TestParseFlood(t *testing.T) {
	out := `Running 5s test @ http://127.0.0.1:1
  2 threads and 200 connections
  Latency Distribution
     50%    1.20ms
     99%   12.50ms
  1000 requests in 5.00s, 1.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
Requests/sec:    200.00
flood n_2xx 900
flood n_503 90
flood n_429 0
flood n_other 10
flood n_3xx 0
flood n_no_retry_after 5
`
	r, err := parseFlood(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.requests != 1000 || r.rate != 200 || r.counts["2xx"] != 900 || r.counts["503"] != 90 || r.p99 != 12500*time.Microsecond {
		t.Errorf("parsed %+v", r)
	}
	// 10 other statuses, 5 refusals without Retry-After, 3 socket errors.
	if r.failures() != 18 {
		t.Errorf("failures = %d, want 18", r.failures())
	}
}
