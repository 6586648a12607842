package store_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// fingerprint digests every table a lever or an allocation writes to: equal fingerprints, nothing
// written.
func fingerprint(t *testing.T, st *store.Store) string {
	t.Helper()
	var out string
	for _, q := range []string{
		`SELECT count(*) || ':' || coalesce(md5(string_agg(child_id || '/' || day || '/' || hub_id || '/' || status || '/' || coalesce(run_id, 0), ',' ORDER BY child_id, day)), '') FROM placement`,
		`SELECT count(*) || ':' || coalesce(md5(string_agg(child_id || '/' || day || '/' || reason, ',' ORDER BY child_id, day)), '') FROM waitlist_entry`,
		`SELECT count(*) || ':' || coalesce(md5(string_agg(hub_id || '/' || day || '/' || level || '/' || capacity || '/' || placed, ',' ORDER BY hub_id, day, level)), '') FROM hub_day_capacity`,
		`SELECT count(*) || ':' || coalesce(md5(string_agg(id || '/' || status, ',' ORDER BY id)), '') FROM hub`,
		`SELECT count(*)::text FROM audit_log`, `SELECT count(*)::text FROM outbox_email`, `SELECT count(*)::text FROM allocation_run`,
	} {
		var s string
		if err := st.DB().Get(&s, q); err != nil {
			t.Fatal(err)
		}
		out += s + ";"
	}
	return out
}

// seatMoves is what changed between two states of the seats (see seats), grouped as the what-if
// groups it: hub of origin → hub of destination (0: no seat), children and child-days.
func seatMoves(before, after map[[2]int64]int64, requested map[[2]int64]bool) map[[2]int64][2]int {
	children := map[[2]int64]map[int64]bool{}
	days := map[[2]int64]int{}
	for k := range requested {
		p := [2]int64{before[k], after[k]}
		if p[0] == p[1] {
			continue
		}
		if children[p] == nil {
			children[p] = map[int64]bool{}
		}
		children[p][k[0]] = true
		days[p]++
	}
	out := map[[2]int64][2]int{}
	for p, cs := range children {
		out[p] = [2]int{len(cs), days[p]}
	}
	return out
}

func requestedDays(t *testing.T, st *store.Store, days []time.Time) map[[2]int64]bool {
	t.Helper()
	var rows []seat
	if err := st.DB().Select(&rows, `SELECT child_id, day FROM booking_request WHERE cancelled_at IS NULL AND day = ANY($1)`, pqDays(days)); err != nil {
		t.Fatal(err)
	}
	out := map[[2]int64]bool{}
	for _, r := range rows {
		out[[2]int64{r.Child, r.Day.Unix()}] = true
	}
	return out
}

func whatIfMoves(r store.WhatIfResult) map[[2]int64][2]int {
	out := map[[2]int64][2]int{}
	for _, m := range r.Moves {
		out[[2]int64{m.From, m.To}] = [2]int{m.Children, m.ChildDays}
	}
	return out
}

// TestWhatIfCapacityCutMatchesTheLever: on the demo académie, cutting to a fifth the busiest hub's
// élémentaire seats on a day is rehearsed without writing anything, and the lever then does
// exactly what the rehearsal said: the same children move to the same hubs, the same wait.
func TestWhatIfCapacityCutMatchesTheLever(t *testing.T) {
	today := time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC) // a Monday
	seed, _ := demo.Generate(2021, today)
	ctx := context.Background()
	st := pgtest.NewStore(t).WithClock(func() time.Time { return today.AddDate(0, 0, -2) })
	if err := st.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	p := store.DefaultAllocationPolicy()
	week := seed.OpenDays[:5]
	if _, err := st.AllocateDays(ctx, p, week, false, 11, 0); err != nil {
		t.Fatal(err)
	}
	rectorat := store.Scope{Role: store.RoleRectorat}
	// The élémentaire class of the busiest hub one day, then the maternelle one another day:
	// little ones often have a brother or sister placed with them, who goes too.
	for i, level := range []store.Level{store.Elementaire, store.Maternelle} {
		day := week[1+i]
		var hub int64
		var placed int
		if err := st.DB().QueryRow(`SELECT hub_id, placed FROM hub_day_capacity WHERE day = $1 AND level = $2
			ORDER BY placed DESC, hub_id LIMIT 1`, day, level).Scan(&hub, &placed); err != nil {
			t.Fatal(err)
		}
		cut := placed / 5
		before := fingerprint(t, st)
		seatsBefore := seats(t, st)
		w := store.WhatIf{Days: []time.Time{day}, Changes: []store.WhatIfChange{{Action: store.WhatIfCapacity, HubID: hub, Level: level, Capacity: cut}}}
		res, err := st.RunWhatIf(ctx, p, rectorat, w)
		if err != nil {
			t.Fatal(err)
		}
		if after := fingerprint(t, st); after != before {
			t.Fatalf("the what-if wrote:\nbefore %s\nafter  %s", before, after)
		}
		onDay := 0
		for k := range seatsBefore {
			if k[1] == day.Unix() {
				onDay++
			}
		}
		if res.Levers.Moved != placed-cut || res.Before.ChildDaysPlaced != onDay {
			t.Fatalf("what-if: %d moved (want %d), %d placed before (the database has %d)", res.Levers.Moved, placed-cut, res.Before.ChildDaysPlaced, onDay)
		}

		got, err := st.PullLever(ctx, p, rectorat, store.Lever{Action: store.LeverCapacity, HubID: hub, Day: day, Level: level, Capacity: cut})
		if err != nil {
			t.Fatal(err)
		}
		want := res.Levers
		want.Emails = got.Emails // the what-if writes to nobody
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("the lever did\n%+v\nthe what-if said\n%+v", got, want)
		}
		seatsAfter := seats(t, st)
		lever := seatMoves(seatsBefore, seatsAfter, requestedDays(t, st, []time.Time{day}))
		if fmt.Sprint(lever) != fmt.Sprint(whatIfMoves(res)) || len(lever) == 0 {
			t.Errorf("moves: the lever made %v, the what-if said %v", lever, whatIfMoves(res))
		}
		// Child by child: every seat the what-if changed is where the lever put it, and the
		// lever changed no other.
		changed := 0
		for _, c := range res.Changed {
			k := [2]int64{c.ChildID, c.Day.Unix()}
			if seatsBefore[k] != c.From || seatsAfter[k] != c.To {
				t.Errorf("child %d: the what-if said %d → %d, the lever %d → %d", c.ChildID, c.From, c.To, seatsBefore[k], seatsAfter[k])
			}
		}
		for k, hub := range seatsAfter {
			if seatsBefore[k] != hub {
				changed++
			}
		}
		for k, hub := range seatsBefore {
			if _, still := seatsAfter[k]; !still && hub != 0 {
				changed++
			}
		}
		if changed != len(res.Changed) {
			t.Errorf("the lever changed %d seats, the what-if %d", changed, len(res.Changed))
		}
		var nowPlaced int
		if err := st.DB().Get(&nowPlaced, `SELECT count(*) FROM placement WHERE day = $1`, day); err != nil {
			t.Fatal(err)
		}
		if nowPlaced != res.After.ChildDaysPlaced {
			t.Errorf("after the lever %d child-days placed, the what-if said %d", nowPlaced, res.After.ChildDaysPlaced)
		}
		// The full view solved the same day before and after: fewer seats never place more.
		if res.FullBefore.ChildDaysRequested != res.After.ChildDaysRequested || res.FullAfter.ChildDaysPlaced > res.FullBefore.ChildDaysPlaced ||
			res.FullBefore.LowerBoundKm <= 0 || res.FullAfter.Violations != 0 {
			t.Errorf("full view: before %+v\nafter %+v", res.FullBefore, res.FullAfter)
		}
		// Its figures hold the week's objective (distance and hub changes) and the bound on it
		// the page shows, before and after.
		for _, r := range []alloc.Report{res.FullBefore, res.FullAfter} {
			if r.WeekBoundKm <= 0 || r.WeekBoundKm < r.SiblingBoundKm || r.ObjectiveKm < r.WeekBoundKm ||
				math.Abs(r.ObjectiveKm-r.TotalDistanceKm-r.HubChangeCostKm) > 0.01 ||
				math.Abs(r.WeekGapPercent-(r.ObjectiveKm-r.WeekBoundKm)/r.WeekBoundKm*100) > 0.01 {
				t.Errorf("full view's week figures: objective %.3f km (distance %.3f, hub changes %.3f), week bound %.3f km, gap %.3f %%, sibling bound %.3f km",
					r.ObjectiveKm, r.TotalDistanceKm, r.HubChangeCostKm, r.WeekBoundKm, r.WeekGapPercent, r.SiblingBoundKm)
			}
		}
		if res.HubChangeKm != alloc.DefaultHubChangeKm {
			t.Errorf("the objective charges %v km per hub change", res.HubChangeKm)
		}
		t.Logf("hub %d cut from %d to %d: %d moved, %d siblings, %d waiting; full view week gap %.2f %% → %.2f %%",
			hub, placed, cut, res.Levers.Moved, res.Levers.Siblings, res.Levers.Waitlisted, res.FullBefore.WeekGapPercent, res.FullAfter.WeekGapPercent)
	}
}

// TestWhatIfCombinesChangesWithinScope: closing the near hub sends its children where seats are
// left, or to the waitlist; opening a hub in Besançon then gives the waiting ones a seat there;
// nobody placed elsewhere moves; the database is left as it was; a prefecture agent cannot use
// another département's hub or commune.
func TestWhatIfCombinesChangesWithinScope(t *testing.T) {
	tw := newTown(farDay)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Maternelle: 10, store.Elementaire: 15})
	tw.hub("0250002B", 47.260, 6.030, map[store.Level]int{store.Elementaire: 1})
	family := tw.household("infirmier", farDay.AddDate(0, 0, -9), []time.Time{farDay}, store.Maternelle, store.Elementaire)
	other := tw.household("policier", farDay.AddDate(0, 0, -8), []time.Time{farDay}, store.Elementaire)
	st := tw.load(t)
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	for _, e := range []string{family, other} {
		if _, err := st.PlaceHousehold(ctx, p, householdID(t, st, e), []time.Time{farDay}); err != nil {
			t.Fatal(err)
		}
	}
	ids, _ := st.HubIDsByUAI(ctx, []string{"0250001A", "0250002B"})
	before := fingerprint(t, st)
	w := store.WhatIf{Days: []time.Time{farDay}, Changes: []store.WhatIfChange{
		{Action: store.WhatIfClose, HubID: ids[0]},
		{Action: store.WhatIfOpen, Commune: "25056", Seats: map[store.Level]int{store.Maternelle: 10, store.Elementaire: 10}},
	}}
	doubs := store.Scope{Role: store.RolePrefecture, Departement: "25"}
	res, err := st.RunWhatIf(ctx, p, doubs, w)
	if err != nil {
		t.Fatal(err)
	}
	if after := fingerprint(t, st); after != before {
		t.Fatalf("the what-if wrote")
	}
	// Closing runs level by level, as the lever does: the nurse's maternelle child loses its
	// seat, and waits (no other maternelle class); its élémentaire brother or sister goes with
	// it, but back to the same hub, which still has élémentaire seats. Then the élémentaire
	// class closes: the nurse's child takes the far hub's only seat (tier 1), the police
	// officer's child waits. The new hub gives the two waiting children a seat.
	if res.Levers.Moved != 3 || res.Levers.Siblings != 0 || res.Levers.Waitlisted != 0 || res.Levers.Promoted != 0 ||
		fmt.Sprint(res.Levers.To) != fmt.Sprintf("[{%d Besançon  2} {%d École 0250002B 1 rue de l'École, Besançon 1}]", int64(1)<<50+1, ids[1]) {
		t.Errorf("levers: %+v", res.Levers)
	}
	if fmt.Sprint(whatIfMoves(res)) != fmt.Sprint(map[[2]int64][2]int{{ids[0], ids[1]}: {1, 1}, {ids[0], int64(1)<<50 + 1}: {2, 2}}) ||
		res.Before.ChildDaysNoSeat != 0 || res.After.ChildDaysNoSeat != 0 || res.After.ChildDaysPlaced != 3 {
		t.Errorf("moves %+v, before %+v, after %+v", res.Moves, res.Before, res.After)
	}
	if res.FullAfter.Hubs != 2 || res.FullBefore.Hubs != 2 || res.FullAfter.ChildDaysPlaced != 3 {
		t.Errorf("full view: before %+v\nafter %+v", res.FullBefore, res.FullAfter)
	}

	jura := store.Scope{Role: store.RolePrefecture, Departement: "39"}
	if _, err := st.RunWhatIf(ctx, p, jura, store.WhatIf{Days: w.Days, Changes: w.Changes[:1]}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a Jura agent closes a Doubs hub in a what-if: %v", err)
	}
	if _, err := st.RunWhatIf(ctx, p, jura, store.WhatIf{Days: w.Days, Changes: w.Changes[1:]}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a Jura agent opens a hub in a Doubs commune: %v", err)
	}
	if _, err := st.RunWhatIf(ctx, p, doubs, store.WhatIf{Days: w.Days, Changes: []store.WhatIfChange{{Action: store.WhatIfCapacity, HubID: ids[1], Level: store.College, Capacity: 3}}}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("a level the hub does not take: %v", err)
	}
	if after := fingerprint(t, st); after != before {
		t.Fatalf("a refused what-if wrote")
	}
}
