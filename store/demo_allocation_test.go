package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

type seat struct {
	Child int64     `db:"child_id"`
	Day   time.Time `db:"day"`
	Hub   int64     `db:"hub_id"`
}

func seats(t *testing.T, st *store.Store) map[[2]int64]int64 {
	t.Helper()
	var rows []seat
	if err := st.DB().Select(&rows, `SELECT child_id, day, hub_id FROM placement`); err != nil {
		t.Fatal(err)
	}
	out := map[[2]int64]int64{}
	for _, r := range rows {
		out[[2]int64{r.Child, r.Day.Unix()}] = r.Hub
	}
	return out
}

// TestDemoAcademieAllocation runs the modes on the whole demo académie: the same seed gives the
// same placements, and closing a hub re-places its children and moves nobody else.
func TestDemoAcademieAllocation(t *testing.T) {
	today := time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC) // a Monday
	seed, _ := demo.Generate(2021, today)
	ctx := context.Background()
	// Two days before: every day of the week is before its cutoff, so seats are proposed.
	st := pgtest.NewStore(t).WithClock(func() time.Time { return today.AddDate(0, 0, -2) })
	if err := st.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	p := store.DefaultAllocationPolicy()
	week := seed.OpenDays[:5]
	first, err := st.AllocateDays(ctx, p, week, false, 11, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := first.Report
	// Family groups no hub can take together are placed child by child (SiblingSplits), so that
	// nobody waits with a free seat in reach.
	if r.PriorityInversions != 0 || r.Violations != 0 || r.ChildDaysPlaced < 15000 ||
		r.WaitingWithFreeSeat != r.WaitingWithFreeSeatAllOrNone || r.ChildDaysPlaced*100 < r.ChildDaysPlaceableMax*98 {
		t.Fatalf("demo week report: %+v", r)
	}
	t.Logf("demo week: %d placed of %d placeable, %d waitlisted (%d with a free seat in reach), %d family groups split, mean %.2f km, gap %.2f %%, %d children with >1 hub, %.0f ms",
		r.ChildDaysPlaced, r.ChildDaysPlaceableMax, r.ChildDaysWaitlist, r.WaitingWithFreeSeat, r.SiblingSplits, r.MeanDistanceKm, r.GapPercent, r.ChildrenMultiHub, r.DurationMS)

	// Replay: re-placing every proposed seat with the same seed gives the same placements.
	before := seats(t, st)
	if _, err := st.AllocateDays(ctx, p, week, true, 11, 0); err != nil {
		t.Fatal(err)
	}
	after := seats(t, st)
	if len(after) != len(before) {
		t.Fatalf("replay: %d seats, before %d", len(after), len(before))
	}
	for k, hub := range before {
		if after[k] != hub {
			t.Fatalf("replay with the same seed moved child %d on %v from hub %d to %d", k[0], time.Unix(k[1], 0), hub, after[k])
		}
	}

	// Close the busiest hub on the first day.
	var busiest int64
	if err := st.DB().Get(&busiest, `SELECT hub_id FROM hub_day_capacity WHERE day = $1 GROUP BY hub_id ORDER BY sum(placed) DESC, hub_id LIMIT 1`, week[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CloseHubDay(ctx, p, store.Scope{Role: store.RoleRectorat}, busiest, week[0]); err != nil {
		t.Fatal(err)
	}
	closed := seats(t, st)
	moved, evicted := 0, 0
	for k, hub := range after {
		now, placed := closed[k]
		switch {
		case hub == busiest && k[1] == week[0].Unix():
			evicted++
			if placed && now == busiest {
				t.Errorf("child %d still in the closed hub", k[0])
			}
		case !placed || now != hub:
			moved++
		}
	}
	if evicted == 0 || moved != 0 {
		t.Fatalf("closing hub %d: %d children had to move, %d others moved (want 0)", busiest, evicted, moved)
	}
	var counted, rows int
	if err := st.DB().Get(&counted, `SELECT sum(placed) FROM hub_day_capacity`); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Get(&rows, `SELECT count(*) FROM placement`); err != nil {
		t.Fatal(err)
	}
	if counted != rows {
		t.Errorf("capacity counters say %d seats, placements %d", counted, rows)
	}
	var lost int
	if err := st.DB().Get(&lost, `SELECT count(*) FROM booking_request br WHERE cancelled_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM placement p WHERE p.child_id = br.child_id AND p.day = br.day)
		AND NOT EXISTS (SELECT 1 FROM waitlist_entry w WHERE w.child_id = br.child_id AND w.day = br.day)
		AND day = ANY($1)`, pqDays(week)); err != nil {
		t.Fatal(err)
	}
	if lost != 0 {
		t.Errorf("%d child-days left without an answer", lost)
	}
	t.Logf("closing hub %d re-placed %d children; nobody else moved", busiest, evicted)
}

func pqDays(days []time.Time) any {
	var s []string
	for _, d := range days {
		s = append(s, d.Format(time.DateOnly))
	}
	return pq.Array(s)
}
