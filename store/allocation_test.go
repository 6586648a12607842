package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/geo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// farDay is a Monday far enough ahead that its cutoff has not passed.
var farDay = time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC)

// town builds an académie of one commune (Besançon) with the given hubs and households.
type town struct {
	seed store.Seed
	n    int
}

func newTown(days ...time.Time) *town {
	return &town{seed: store.Seed{
		Departements: []geo.Departement{{Code: "25", Name: "Doubs"}},
		Communes: []geo.Commune{
			{InseeCode: "25056", Name: "Besançon", Departement: "25", Population: 120000, PostalCode: "25000", Point: geo.Point{Lat: 47.2488, Lon: 6.0182}},
			{InseeCode: "25388", Name: "Montbéliard", Departement: "25", Population: 25000, PostalCode: "25200", Point: geo.Point{Lat: 47.5100, Lon: 6.7980}},
		},
		OpenDays: days,
	}}
}

func (tw *town) hub(uai string, lat, lon float64, capacity map[store.Level]int) {
	tw.seed.Hubs = append(tw.seed.Hubs, store.SeedHub{UAI: uai, Name: "École " + uai, Address: "1 rue de l'École",
		CommuneCode: "25056", Point: geo.Point{Lat: lat, Lon: lon}, Capacity: capacity})
}

// household adds a household of the profession with one child per level, asking for days,
// requested at the given time; it returns the account e-mail.
func (tw *town) household(profession string, requested time.Time, days []time.Time, levels ...store.Level) string {
	tw.n++
	email := fmt.Sprintf("h%d@example.fr", tw.n)
	births := map[store.Level]time.Time{
		store.Maternelle:  time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC),
		store.Elementaire: time.Date(2023, 5, 1, 0, 0, 0, 0, time.UTC),
		store.College:     time.Date(2018, 5, 1, 0, 0, 0, 0, time.UTC),
	}
	var children []store.SeedChild
	for i, l := range levels {
		reqs := []store.SeedRequest{}
		for _, d := range days {
			reqs = append(reqs, store.SeedRequest{Day: d, Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00", RequestedAt: requested})
		}
		children = append(children, store.SeedChild{FirstName: fmt.Sprintf("Enfant%d", i+1), LastName: fmt.Sprintf("Famille%d", tw.n),
			BirthDate: births[l], Level: l, Requests: reqs})
	}
	tw.seed.Accounts = append(tw.seed.Accounts, store.SeedAccount{Email: email, Role: store.RoleParent})
	tw.seed.Households = append(tw.seed.Households, store.SeedHousehold{AccountEmail: email, HomeCommune: "25056", WorkCommune: "25388",
		SwornAt: requested, Parents: []store.SeedParent{{FirstName: "Inès", LastName: "Dupré", Phone: "0611223344", ProfessionCode: profession}},
		Children: children})
	return email
}

func (tw *town) load(t *testing.T) *store.Store {
	t.Helper()
	st := pgtest.NewStore(t)
	if err := st.LoadSeed(context.Background(), tw.seed); err != nil {
		t.Fatal(err)
	}
	return st
}

func householdID(t *testing.T, st *store.Store, email string) int64 {
	t.Helper()
	var id int64
	if err := st.DB().Get(&id, `SELECT h.id FROM household h JOIN account a ON a.id = h.account_id WHERE a.email = $1`, email); err != nil {
		t.Fatal(err)
	}
	return id
}

type outcomeRow struct {
	Child  string `db:"first_name"`
	Email  string `db:"email"`
	Status string `db:"status"`
	Hub    string `db:"hub"`
}

// outcomes reads back every child-day of day: who is where, by e-mail and child name.
func outcomes(t *testing.T, st *store.Store, day time.Time) map[string]outcomeRow {
	t.Helper()
	var rows []outcomeRow
	if err := st.DB().Select(&rows, `
		SELECT c.first_name, a.email,
		       request_status(br.cancelled_at, p.status, w.child_id IS NOT NULL) AS status,
		       COALESCE(h.uai, '') AS hub
		FROM booking_request br JOIN child c ON c.id = br.child_id JOIN household hh ON hh.id = c.household_id
		JOIN account a ON a.id = hh.account_id
		LEFT JOIN placement p ON p.child_id = br.child_id AND p.day = br.day LEFT JOIN hub h ON h.id = p.hub_id
		LEFT JOIN waitlist_entry w ON w.child_id = br.child_id AND w.day = br.day
		WHERE br.day = $1`, day); err != nil {
		t.Fatal(err)
	}
	out := map[string]outcomeRow{}
	for _, r := range rows {
		out[r.Email+"/"+r.Child] = r
	}
	return out
}

func TestInstantPlacementKeepsSiblingsTogether(t *testing.T) {
	tw := newTown(farDay, farDay.AddDate(0, 0, 1))
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 15})                       // nearest, no maternelle
	tw.hub("0250002B", 47.260, 6.030, map[store.Level]int{store.Maternelle: 10, store.Elementaire: 15}) // both levels
	email := tw.household("infirmier", farDay.AddDate(0, 0, -10), []time.Time{farDay, farDay.AddDate(0, 0, 1)}, store.Maternelle, store.Elementaire)
	st := tw.load(t)
	run, err := st.PlaceHousehold(context.Background(), store.DefaultAllocationPolicy(), householdID(t, st, email), []time.Time{farDay, farDay.AddDate(0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if len(run.Outcomes) != 4 || run.ID == 0 {
		t.Fatalf("outcomes %+v, run %d", run.Outcomes, run.ID)
	}
	for _, day := range []time.Time{farDay, farDay.AddDate(0, 0, 1)} {
		got := outcomes(t, st, day)
		for _, child := range []string{"Enfant1", "Enfant2"} {
			if o := got[email+"/"+child]; o.Status != "proposed" || o.Hub != "0250002B" {
				t.Errorf("%s %s: %+v, want a proposed seat in the hub taking both levels", day.Format(time.DateOnly), child, o)
			}
		}
	}
	// Placing again changes nothing: the requests are answered.
	again, err := st.PlaceHousehold(context.Background(), store.DefaultAllocationPolicy(), householdID(t, st, email), []time.Time{farDay})
	if err != nil || len(again.Outcomes) != 0 {
		t.Errorf("second placement: %+v, %v", again.Outcomes, err)
	}
}

// TestInstantPlacementUnderConcurrentBookings: 40 households book at once for a hub-day with 10
// seats: exactly 10 get one, the others a waitlist entry, and no error.
func TestInstantPlacementUnderConcurrentBookings(t *testing.T) {
	tw := newTown(farDay)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 10})
	var emails []string
	for i := 0; i < 40; i++ {
		emails = append(emails, tw.household("policier", farDay.AddDate(0, 0, -5).Add(time.Duration(i)*time.Minute), []time.Time{farDay}, store.Elementaire))
	}
	st := tw.load(t)
	var wg sync.WaitGroup
	errs := make(chan error, len(emails))
	for _, e := range emails {
		id := householdID(t, st, e)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.PlaceHousehold(context.Background(), store.DefaultAllocationPolicy(), id, []time.Time{farDay})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a booking failed: %v", err)
		}
	}
	placed, waitlisted := 0, 0
	for _, o := range outcomes(t, st, farDay) {
		switch o.Status {
		case "proposed":
			placed++
		case "waitlisted":
			waitlisted++
		default:
			t.Errorf("child left %s", o.Status)
		}
	}
	var counter int
	if err := st.DB().Get(&counter, `SELECT placed FROM hub_day_capacity`); err != nil {
		t.Fatal(err)
	}
	if placed != 10 || waitlisted != 30 || counter != 10 {
		t.Fatalf("placed %d, waitlisted %d, counter %d; want 10, 30, 10", placed, waitlisted, counter)
	}
}

// TestConfirmationRunHonoursPriority: a low-tier family books first and gets the only seat; a
// nurse books later and waits. At the cutoff the nurse gets the seat, the other family waits and
// both are told by e-mail.
func TestConfirmationRunHonoursPriority(t *testing.T) {
	tw := newTown(farDay)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 1})
	teacher := tw.household("enseignant_accueil", farDay.AddDate(0, 0, -9), []time.Time{farDay}, store.Elementaire)
	nurse := tw.household("infirmier", farDay.AddDate(0, 0, -2), []time.Time{farDay}, store.Elementaire)
	st := tw.load(t)
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	for _, e := range []string{teacher, nurse} {
		if _, err := st.PlaceHousehold(ctx, p, householdID(t, st, e), []time.Time{farDay}); err != nil {
			t.Fatal(err)
		}
	}
	before := outcomes(t, st, farDay)
	if before[teacher+"/Enfant1"].Status != "proposed" || before[nurse+"/Enfant1"].Status != "waitlisted" {
		t.Fatalf("before the cutoff: %+v", before)
	}
	run, ok, err := st.ConfirmDay(ctx, p, farDay, 42, 0)
	if err != nil || !ok {
		t.Fatalf("confirmation: %v, %v", ok, err)
	}
	after := outcomes(t, st, farDay)
	if after[nurse+"/Enfant1"].Status != "confirmed" || after[teacher+"/Enfant1"].Status != "waitlisted" {
		t.Fatalf("after the confirmation run: %+v", after)
	}
	if run.Report.PriorityInversions != 0 || run.Report.Seed != 42 {
		t.Errorf("report: %+v", run.Report)
	}
	var reason string
	if err := st.DB().Get(&reason, `SELECT w.reason FROM waitlist_entry w JOIN child c ON c.id = w.child_id JOIN household h ON h.id = c.household_id JOIN account a ON a.id = h.account_id WHERE a.email = $1`, teacher); err != nil || reason != "higher_priority" {
		t.Errorf("teacher's waitlist reason %q (%v), want higher_priority", reason, err)
	}
	var mails []string
	if err := st.DB().Select(&mails, `SELECT to_address FROM outbox_email ORDER BY to_address`); err != nil {
		t.Fatal(err)
	}
	if len(mails) != 2 {
		t.Errorf("e-mails queued to %v, want both families", mails)
	}
	if _, ok, err := st.ConfirmDay(ctx, p, farDay, 43, 0); ok || err != nil {
		t.Errorf("second confirmation: ran %v, %v; want a no-op", ok, err)
	}
	// A rebalance never moves a confirmed seat.
	if _, err := st.AllocateDays(ctx, p, []time.Time{farDay}, true, 7, 0); err != nil {
		t.Fatal(err)
	}
	if got := outcomes(t, st, farDay); got[nurse+"/Enfant1"].Status != "confirmed" {
		t.Errorf("rebalance moved a confirmed seat: %+v", got)
	}
}

// threeFamilies loads tw with a near hub of two seats and a far one of one, and three families
// of one child asking for farDay: a nurse's, a teacher's and, asking last, a police officer's.
func threeFamilies(t *testing.T, tw *town) (st *store.Store, nurse, teacher, late string) {
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 2})
	tw.hub("0250002B", 47.300, 6.050, map[store.Level]int{store.Elementaire: 1})
	nurse = tw.household("infirmier", farDay.AddDate(0, 0, -9), []time.Time{farDay}, store.Elementaire)
	teacher = tw.household("enseignant_accueil", farDay.AddDate(0, 0, -8), []time.Time{farDay}, store.Elementaire)
	late = tw.household("policier", farDay.AddDate(0, 0, -1), []time.Time{farDay}, store.Elementaire)
	return tw.load(t), nurse, teacher, late
}

// TestCapacityCutReplacesOnlyTheChildrenWhoLoseTheirSeat and an increase promotes the waitlist.
func TestCapacityCutAndIncrease(t *testing.T) {
	st, nurse, teacher, late := threeFamilies(t, newTown(farDay))
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	for _, e := range []string{nurse, teacher, late} {
		if _, err := st.PlaceHousehold(ctx, p, householdID(t, st, e), []time.Time{farDay}); err != nil {
			t.Fatal(err)
		}
	}
	got := outcomes(t, st, farDay)
	if got[nurse+"/Enfant1"].Hub != "0250001A" || got[teacher+"/Enfant1"].Hub != "0250001A" || got[late+"/Enfant1"].Hub != "0250002B" {
		t.Fatalf("initial placements: %+v", got)
	}
	ids, _ := st.HubIDsByUAI(ctx, []string{"0250001A", "0250002B"})
	rectorat := store.Scope{Role: store.RoleRectorat}
	// Cut the near hub to 1 seat: the teacher (lowest tier) loses the seat; the far hub is full,
	// so the teacher waits; the nurse and the late police officer do not move.
	if _, err := st.SetCapacity(ctx, p, rectorat, ids[0], farDay, store.Elementaire, 1); err != nil {
		t.Fatal(err)
	}
	got = outcomes(t, st, farDay)
	if got[nurse+"/Enfant1"].Hub != "0250001A" || got[late+"/Enfant1"].Hub != "0250002B" || got[teacher+"/Enfant1"].Status != "waitlisted" {
		t.Fatalf("after the cut: %+v", got)
	}
	// Raising it again gives the seat back to the waiting child.
	if _, err := st.SetCapacity(ctx, p, rectorat, ids[0], farDay, store.Elementaire, 3); err != nil {
		t.Fatal(err)
	}
	if got = outcomes(t, st, farDay); got[teacher+"/Enfant1"].Hub != "0250001A" {
		t.Fatalf("after the increase: %+v", got)
	}
	// Closing the far hub for the day moves its child to the near hub, which has room.
	if _, err := st.CloseHubDay(ctx, p, rectorat, ids[1], farDay); err != nil {
		t.Fatal(err)
	}
	if got = outcomes(t, st, farDay); got[late+"/Enfant1"].Hub != "0250001A" {
		t.Fatalf("after closing the far hub: %+v", got)
	}
	// A child checked in keeps the seat: a cut below the children present is refused whole,
	// and a cut to one seat moves the two others, whatever their priority.
	if _, err := st.DB().Exec(`INSERT INTO attendance (child_id, day, hub_id, status, arrived_at)
		SELECT p.child_id, p.day, p.hub_id, 'present', '08:00' FROM placement p JOIN child c ON c.id = p.child_id
		JOIN household hh ON hh.id = c.household_id JOIN account a ON a.id = hh.account_id WHERE p.day = $1 AND a.email = $2`,
		farDay, nurse); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetCapacity(ctx, p, rectorat, ids[0], farDay, store.Elementaire, 0); !errors.Is(err, store.ErrChildrenPresent) {
		t.Fatalf("closing a hub with a child present: %v, want ErrChildrenPresent", err)
	}
	if after := outcomes(t, st, farDay); after[nurse+"/Enfant1"].Hub != "0250001A" || after[late+"/Enfant1"].Hub != "0250001A" || after[teacher+"/Enfant1"].Hub != "0250001A" {
		t.Fatalf("a refused cut moved children: %+v", after)
	}
	if _, err := st.SetCapacity(ctx, p, rectorat, ids[0], farDay, store.Elementaire, 1); err != nil {
		t.Fatal(err)
	}
	if got = outcomes(t, st, farDay); got[nurse+"/Enfant1"].Hub != "0250001A" || got[late+"/Enfant1"].Hub == "0250001A" || got[teacher+"/Enfant1"].Hub == "0250001A" {
		t.Fatalf("after a cut to the child present: %+v", got)
	}
	// A prefecture agent of another département cannot touch the hub.
	jura := store.Scope{Role: store.RolePrefecture, Departement: "39"}
	if _, err := st.SetCapacity(ctx, p, jura, ids[0], farDay, store.Elementaire, 0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another département's agent: %v, want ErrNotFound", err)
	}
	var audits int
	if err := st.DB().Get(&audits, `SELECT count(*) FROM audit_log WHERE action = 'hub.capacity'`); err != nil || audits != 4 {
		t.Errorf("capacity changes audited: %d (%v), want 4", audits, err)
	}
}

func TestDueConfirmations(t *testing.T) {
	monday := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	tw := newTown(monday, monday.AddDate(0, 0, 1))
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 2})
	base := tw.load(t)
	p := store.DefaultAllocationPolicy()
	for _, tc := range []struct {
		now  time.Time
		want int
	}{
		{time.Date(2026, 11, 29, 14, 59, 0, 0, time.UTC), 0}, // Sunday 15:59 in Paris
		{time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC), 1},  // Sunday 16:00 in Paris: Monday is due
		{time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC), 2},  // Monday 16:00: Tuesday too
	} {
		st := base.WithClock(func() time.Time { return tc.now })
		due, err := st.DueConfirmations(context.Background(), p)
		if err != nil || len(due) != tc.want {
			t.Errorf("at %v: due %v (%v), want %d days", tc.now, due, err, tc.want)
		}
	}
}

// TestHubCalendarFollowsTheScope: a hub's calendar is read only within the caller's scope.
func TestHubCalendarFollowsTheScope(t *testing.T) {
	tw := newTown(farDay)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 2})
	st := tw.load(t)
	ctx := context.Background()
	ids, _ := st.HubIDsByUAI(ctx, []string{"0250001A"})
	director := func(email string, hubs ...int64) store.Scope {
		a, err := st.CreateAccount(ctx, store.NewAccount{Email: email, Password: "une phrase de passe assez longue", Role: store.RoleDirector, HubIDs: hubs})
		if err != nil {
			t.Fatal(err)
		}
		return store.ScopeOf(a)
	}
	for _, tc := range []struct {
		sc   store.Scope
		want bool
	}{{store.Scope{Role: store.RoleRectorat}, true}, {store.Scope{Role: store.RolePrefecture, Departement: "25"}, true},
		{store.Scope{Role: store.RolePrefecture, Departement: "39"}, false},
		{director("dir@example.fr", ids[0]), true}, {director("other@example.fr"), false}} {
		days, err := st.HubCalendar(ctx, tc.sc, ids[0], farDay, 5)
		if err != nil || (len(days) > 0) != tc.want {
			t.Errorf("%+v: %d days (%v), want some: %v", tc.sc, len(days), err, tc.want)
		}
	}
}

// TestConfirmDayWithNothingToReplace: a day whose seats are all confirmed already (or that has
// no request at all) is still recorded as confirmed, so the confirmation loop stops asking.
func TestConfirmDayWithNothingToReplace(t *testing.T) {
	tw := newTown(farDay)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 2})
	st := tw.load(t)
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	run, ok, err := st.ConfirmDay(ctx, p, farDay, 42, 0)
	if err != nil || !ok {
		t.Fatalf("confirming a day with no request: ran %v, %v", ok, err)
	}
	var runID int64
	if err := st.DB().Get(&runID, `SELECT run_id FROM day_confirmation WHERE day = $1`, farDay); err != nil || runID != run.ID || runID == 0 {
		t.Errorf("day confirmation recorded with run %d (%v), want the run %d", runID, err, run.ID)
	}
	if due, err := st.WithClock(func() time.Time { return p.Cutoff(farDay).Add(time.Minute) }).DueConfirmations(ctx, p); err != nil || len(due) != 0 {
		t.Errorf("still due after its confirmation: %v (%v)", due, err)
	}
}

// TestLeverPreviewIsWhatItDoes: a cut's preview says who moves where, changes nothing, and the
// cut then does exactly that; a raise soon after offers to bring them back, and does.
func TestLeverPreviewIsWhatItDoes(t *testing.T) {
	tw := newTown(farDay)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 3, store.Maternelle: 2})
	tw.hub("0250002B", 47.300, 6.050, map[store.Level]int{store.Elementaire: 3, store.Maternelle: 2})
	nurse := tw.household("infirmier", pgtest.Now().AddDate(0, 0, -9), []time.Time{farDay}, store.Elementaire)
	teacher := tw.household("enseignant_accueil", pgtest.Now().AddDate(0, 0, -8), []time.Time{farDay}, store.Elementaire, store.Maternelle)
	police := tw.household("policier", pgtest.Now().AddDate(0, 0, -7), []time.Time{farDay}, store.Elementaire)
	st := tw.load(t)
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	for _, e := range []string{nurse, teacher, police} {
		if _, err := st.PlaceHousehold(ctx, p, householdID(t, st, e), []time.Time{farDay}); err != nil {
			t.Fatal(err)
		}
	}
	if got := outcomes(t, st, farDay); got[teacher+"/Enfant1"].Hub != "0250001A" || got[teacher+"/Enfant2"].Hub != "0250001A" || got[police+"/Enfant1"].Hub != "0250001A" {
		t.Fatalf("initial placements: %+v", got)
	}
	ids, _ := st.HubIDsByUAI(ctx, []string{"0250001A", "0250002B"})
	rectorat := store.Scope{Role: store.RoleRectorat}
	// (requested before the clock: a booking made after a cut is a change, and would not come back)
	cut := store.Lever{Action: store.LeverCapacity, HubID: ids[0], Day: farDay, Level: store.Elementaire, Capacity: 1}
	before := outcomes(t, st, farDay)
	preview, err := st.PreviewLever(ctx, p, rectorat, cut)
	if err != nil {
		t.Fatal(err)
	}
	// The teacher's and the police officer's children of the cut level lose their seat; the
	// teacher's maternelle child goes with the brother; all find seats in the other hub.
	if preview.Moved != 2 || preview.Siblings != 1 || len(preview.To) != 1 || preview.To[0].Children != 3 || preview.To[0].Name != "École 0250002B" ||
		preview.Waitlisted != 0 || preview.Emails != 2 {
		t.Errorf("preview: %+v", preview)
	}
	var mails, audits int
	_ = st.DB().Get(&mails, `SELECT count(*) FROM outbox_email`)
	_ = st.DB().Get(&audits, `SELECT count(*) FROM audit_log`)
	if after := outcomes(t, st, farDay); fmt.Sprint(after) != fmt.Sprint(before) || mails != 0 || audits != 0 {
		t.Fatalf("the preview changed something: %d e-mails, %d audit entries, %+v", mails, audits, after)
	}
	done, err := st.PullLever(ctx, p, rectorat, cut)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", done) != fmt.Sprintf("%+v", preview) {
		t.Errorf("the cut did\n%+v\nits preview said\n%+v", done, preview)
	}
	if got := outcomes(t, st, farDay); got[teacher+"/Enfant2"].Hub != "0250002B" || got[police+"/Enfant1"].Hub != "0250002B" || got[nurse+"/Enfant1"].Hub != "0250001A" {
		t.Fatalf("after the cut: %+v", got)
	}
	// Restored soon after: the raise offers to bring the three back, and does when asked.
	raise := store.Lever{Action: store.LeverCapacity, HubID: ids[0], Day: farDay, Level: store.Elementaire, Capacity: 3}
	offer, err := st.PreviewLever(ctx, p, rectorat, raise)
	if err != nil || offer.CanReturn != 3 || offer.Returned != 0 {
		t.Fatalf("raise preview: %+v (%v)", offer, err)
	}
	raise.BringBack = true
	preview, err = st.PreviewLever(ctx, p, rectorat, raise)
	if err != nil || preview.Returned != 3 || preview.Emails != 2 {
		t.Fatalf("raise preview bringing back: %+v (%v)", preview, err)
	}
	if done, err = st.PullLever(ctx, p, rectorat, raise); err != nil || fmt.Sprintf("%+v", done) != fmt.Sprintf("%+v", preview) {
		t.Errorf("the raise did %+v (%v), its preview said %+v", done, err, preview)
	}
	if got := outcomes(t, st, farDay); fmt.Sprint(got) != fmt.Sprint(before) {
		t.Errorf("after bringing back: %+v, want %+v", got, before)
	}
	// Closed for good, then reopened: the usual capacity comes back.
	if _, err := st.PullLever(ctx, p, rectorat, store.Lever{Action: store.LeverClose, HubID: ids[1], Day: farDay}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PullLever(ctx, p, rectorat, store.Lever{Action: store.LeverClose, HubID: ids[1], Day: farDay}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("closing a closed hub: %v, want ErrConflict", err)
	}
	if _, err := st.PullLever(ctx, p, rectorat, store.Lever{Action: store.LeverReopen, HubID: ids[1], Day: farDay}); err != nil {
		t.Fatal(err)
	}
	var status string
	var capacity int
	_ = st.DB().Get(&status, `SELECT status FROM hub WHERE id = $1`, ids[1])
	_ = st.DB().Get(&capacity, `SELECT capacity FROM hub_day_capacity WHERE hub_id = $1 AND day = $2 AND level = 'elementaire'`, ids[1], farDay)
	if status != "open" || capacity != 3 {
		t.Errorf("reopened: %s with %d seats", status, capacity)
	}
	if _, err := st.PullLever(ctx, p, store.Scope{Role: store.RolePrefecture, Departement: "39"}, store.Lever{Action: store.LeverClose, HubID: ids[1], Day: farDay}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another département's agent closes the hub: %v", err)
	}
}
