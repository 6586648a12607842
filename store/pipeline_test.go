package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/alloc"
)

// These tests run the plan step of the pipeline, and the writer's parameters, without
// PostgreSQL: rows and seats are built by hand as the readers would return them.

var planDay = time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)

func planRow(child, household int64, tier int, lat, lon float64) requestRow {
	return requestRow{ChildID: child, HouseholdID: household, Level: Elementaire, Day: planDay, Tier: tier, Lat: lat, Lon: lon,
		RequestedAt: planDay.AddDate(0, 0, -5).Add(time.Duration(child) * time.Minute), Email: "famille" + string(rune('0'+household)) + "@example.fr",
		FirstName: "Enfant" + string(rune('0'+child))}
}

func placedAt(r requestRow, hub int64, status PlacementStatus) requestRow {
	r.PlacedHub, r.PlacedStatus = sql.NullInt64{Int64: hub, Valid: true}, sql.NullString{String: string(status), Valid: true}
	return r
}

// A rebalance-like plan (every seat not confirmed is given again) frees the seats and entries of
// the child-days it places again, counts their seats back, and keeps the confirmed brothers and
// sisters in place as fixed seats, unless their household allowed a split.
func TestPlanChoosesWhatToFreeAndWhatStaysFixed(t *testing.T) {
	proposed := placedAt(planRow(1, 1, 1, 47.20, 6.00), 10, Proposed)
	sibling := placedAt(planRow(2, 1, 1, 47.20, 6.00), 10, Confirmed)
	waiting := planRow(3, 2, 2, 47.30, 6.10)
	waiting.Waitlisted = true
	split := placedAt(planRow(4, 3, 3, 47.25, 6.05), 11, Proposed)
	split.AllowSplit = true
	splitSibling := placedAt(planRow(5, 3, 3, 48.00, 7.00), 11, Confirmed)
	splitSibling.AllowSplit = true
	rows := []requestRow{proposed, sibling, waiting, split, splitSibling}

	pl := newPlan(DefaultAllocationPolicy(), allocation{kind: KindRebalance, days: []time.Time{planDay},
		replace: func(r requestRow) bool { return !r.confirmed() }}, rows)

	var toPlace []int64
	for k := range pl.toPlace {
		toPlace = append(toPlace, k.child)
	}
	slices.Sort(toPlace)
	if !slices.Equal(toPlace, []int64{1, 3, 4}) {
		t.Errorf("placed again: %v, want 1, 3, 4", toPlace)
	}
	d := planDay.Format(time.DateOnly)
	if want := []cdKey{{1, d}, {3, d}, {4, d}}; !slices.Equal(pl.free, want) {
		t.Errorf("freed: %v, want %v", pl.free, want)
	}
	// Hub 10: child 1's seat freed, child 2's seat fixed; hub 11: child 4's seat freed (child 5
	// is not in the problem: its household allowed a split).
	if got := pl.extra[seatKey{10, d, alloc.Elementaire}]; got != 2 {
		t.Errorf("seats added back at hub 10: %d, want 2", got)
	}
	if got := pl.extra[seatKey{11, d, alloc.Elementaire}]; got != 1 {
		t.Errorf("seats added back at hub 11: %d, want 1", got)
	}
	var asked []int64
	for _, r := range pl.problem.Requests {
		asked = append(asked, r.ChildID)
	}
	if !slices.Equal(asked, []int64{1, 2, 3, 4}) {
		t.Errorf("problem's requests: %v, want 1, 2, 3, 4", asked)
	}
	if len(pl.problem.Fixed) != 1 || pl.problem.Fixed[0].ChildID != 2 || pl.problem.Fixed[0].HubID != 10 {
		t.Errorf("fixed seats: %+v, want child 2 at hub 10", pl.problem.Fixed)
	}
	// The seats read are those in reach of the families of the problem: child 5's place is not one.
	if pl.places != (extent{47.20, 47.30, 6.00, 6.10}) {
		t.Errorf("places: %+v", pl.places)
	}
	if pl.problem.Params.NoFigures {
		t.Errorf("a rebalance skips its report's figures")
	}
}

// An instant plan over one seat gives it to the higher tier and waitlists the other; the
// writer's parameters then hold one seat and one waitlist entry, and the run is stored.
func TestPlanSolvesAndWritesSeatsAndWaitlist(t *testing.T) {
	teacher := planRow(1, 1, 3, 47.25, 6.02)
	nurse := planRow(2, 2, 1, 47.25, 6.02)
	pl := newPlan(DefaultAllocationPolicy(), allocation{kind: KindInstant, days: []time.Time{planDay}, seed: 7,
		replace: requestRow.unsettled}, []requestRow{teacher, nurse})
	if len(pl.free) != 0 {
		t.Errorf("new requests free nothing, got %v", pl.free)
	}
	seats := seatList{hub: []int64{10}, lat: []float64{47.25}, lon: []float64{6.02}, day: []string{planDay.Format(time.DateOnly)},
		level: []string{string(Elementaire)}, left: []int64{1}}
	if err := pl.solve(context.Background(), seats.hubs(pl.extra), func(time.Time) PlacementStatus { return Proposed }); err != nil {
		t.Fatal(err)
	}
	if len(pl.outcomes) != 2 {
		t.Fatalf("outcomes: %+v", pl.outcomes)
	}
	first, second := pl.outcomes[0], pl.outcomes[1]
	if first.ChildID != 1 || first.Status != RequestWaitlisted || first.Reason == "" {
		t.Errorf("the teacher's child: %+v, want waitlisted with a reason", first)
	}
	if second.ChildID != 2 || second.Status != RequestProposed || second.HubID != 10 {
		t.Errorf("the nurse's child: %+v, want a proposed seat at hub 10", second)
	}
	w := pl.writes([]email{{to: "famille1@example.fr", subject: "s", body: "b"}})
	if !w.storeRun || w.run.Kind != KindInstant || w.run.Seed != 7 {
		t.Errorf("run written: store %v, kind %q, seed %d", w.storeRun, w.run.Kind, w.run.Seed)
	}
	args, err := w.args(planDay)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"seat_child": "{2}", "seat_hub": "{10}", "seat_status": `{"proposed"}`, "wait_child": "{1}",
		"mail_kind": `{"notice"}`, "mail_to": `{"famille1@example.fr"}`} {
		v, err := args[name].(driver.Valuer).Value()
		if err != nil || v != want {
			t.Errorf("%s = %v (%v), want %s", name, v, err, want)
		}
	}
	if _, err := writeSQL.args(args); err != nil {
		t.Errorf("the writer's statement does not take the writer's parameters: %v", err)
	}
	args["key"] = pq.Array([]string{"k"})
	if _, err := writeSQL.args(args); err == nil {
		t.Error("a parameter the statement does not take is accepted")
	}
}

// Nothing to place: nothing to free, no problem, and a run that is not stored unless recorded.
func TestPlanWithNothingToPlace(t *testing.T) {
	rows := []requestRow{placedAt(planRow(1, 1, 1, 47.2, 6.0), 10, Confirmed)}
	a := allocation{kind: KindConfirmation, days: []time.Time{planDay}, replace: func(r requestRow) bool { return !r.confirmed() }}
	if pl := newPlan(DefaultAllocationPolicy(), a, rows); len(pl.toPlace) != 0 || len(pl.problem.Requests) != 0 || pl.writes(nil).storeRun {
		t.Errorf("plan: %d to place, %d requests, store %v", len(pl.toPlace), len(pl.problem.Requests), pl.writes(nil).storeRun)
	}
	a.record = true
	if pl := newPlan(DefaultAllocationPolicy(), a, rows); !pl.writes(nil).storeRun {
		t.Error("a confirmation's run is not recorded when it places nobody")
	}
}

// Whom to tell: a child-day whose answer changed (with the hub it leaves), not one whose seat
// stayed, except on a confirmation, which tells every family its seat.
func TestChangeNoticesTellWhoseAnswerChanged(t *testing.T) {
	d := planDay.Format(time.DateOnly)
	stays := placedAt(planRow(1, 1, 1, 47.2, 6.0), 10, Proposed)
	moves := placedAt(planRow(2, 2, 1, 47.2, 6.0), 10, Proposed)
	evicted := planRow(3, 3, 1, 47.2, 6.0) // its seat at hub 12 was just taken away
	before := map[cdKey]requestRow{{1, d}: stays, {2, d}: moves, {3, d}: evicted}
	outcomes := []Outcome{
		{ChildID: 1, Day: planDay, Status: RequestProposed, HubID: 10},
		{ChildID: 2, Day: planDay, Status: RequestProposed, HubID: 11},
		{ChildID: 3, Day: planDay, Status: RequestWaitlisted, ReasonFR: "Complet.", ReasonEN: "Full."},
		{ChildID: 9, Day: planDay, Status: RequestProposed, HubID: 10}, // not placed again by this run
	}
	ns := changeNotices(causeCapacityCut, 12, before, outcomes)
	if len(ns) != 2 || ns[0].child != "Enfant2" || ns[0].had != 10 || ns[0].hub != 11 || ns[1].child != "Enfant3" || ns[1].had != 12 {
		t.Fatalf("notices: %+v", ns)
	}
	if all := changeNotices(causeConfirmation, 0, before, outcomes); len(all) != 3 || all[0].had != 0 {
		t.Errorf("a confirmation tells %d families (%+v), want 3, the first without a hub left", len(all), all)
	}
	mails := composeNotices(causeCapacityCut, append(ns, notice{to: ns[0].to, child: "Enfant4", day: planDay, status: RequestConfirmed, hub: 11}),
		map[int64]hubLabel{10: {ID: 10, Name: "École A", Address: "1 rue, Besançon"}, 11: {ID: 11, Name: "École B", Address: "2 rue, Besançon"}})
	if len(mails) != 2 {
		t.Fatalf("e-mails: %d, want one per family (2)", len(mails))
	}
	for _, want := range []string{"Enfant2, le 03/03/2031 : place proposée à École B, 2 rue, Besançon. Avant : École A.", "Enfant4", "Motif : moins de places"} {
		if !strings.Contains(mails[0].body, want) {
			t.Errorf("the first family's e-mail lacks %q:\n%s", want, mails[0].body)
		}
	}
	if mails[0].kind != EmailSeatsChanged || mails[0].to != ns[0].to {
		t.Errorf("e-mail kind %q to %q", mails[0].kind, mails[0].to)
	}
}

func TestNamedParameters(t *testing.T) {
	q := named("SELECT :a::int, 'HH24:MI', :b_2 -- :c\n, :a::text")
	if want := "SELECT $1::int, 'HH24:MI', $2 -- :c\n, $1::text"; q.text != want {
		t.Errorf("text %q, want %q", q.text, want)
	}
	args, err := q.args(map[string]any{"a": 1, "b_2": "x"})
	if err != nil || !slices.Equal(args, []any{1, "x"}) {
		t.Errorf("args %v, %v", args, err)
	}
	if _, err := q.args(map[string]any{"a": 1}); err == nil {
		t.Error("a missing parameter is accepted")
	}
}
