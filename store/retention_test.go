package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// TestRetentionPurge moves the clock past the retention period of two households of three: they
// go with everything about them and their accounts, the trends of their days stay the same, and
// the audit log loses only what is older than 12 months.
func TestRetentionPurge(t *testing.T) {
	ctx := context.Background()
	later := monday.AddDate(0, 0, 21)
	tw := newTown(monday, later)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 1})
	placed := tw.household("infirmier", monday.AddDate(0, 0, -9), []time.Time{monday}, store.Elementaire)
	staying := tw.household("pompier", monday.AddDate(0, 0, -8), []time.Time{monday, later}, store.Elementaire)
	waiting := tw.household("pompier", monday.AddDate(0, 0, -7), []time.Time{monday}, store.Elementaire)
	st := tw.load(t)
	hub := hubID(t, st)
	accPlaced, kidsPlaced := childrenOf(t, st, placed)
	_, kidsStaying := childrenOf(t, st, staying)
	accWaiting, kidsWaiting := childrenOf(t, st, waiting)
	for _, p := range []store.NewPlacement{{ChildID: kidsPlaced[0], Day: monday, HubID: hub, Status: store.Confirmed},
		{ChildID: kidsStaying[0], Day: later, HubID: hub, Status: store.Confirmed}} {
		if _, err := st.InsertPlacement(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DB().Exec(`INSERT INTO waitlist_entry (child_id, day, reason) VALUES ($1, $3, 'hubs_full'), ($2, $3, 'hubs_full')`,
		kidsStaying[0], kidsWaiting[0], monday); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`INSERT INTO attendance (child_id, day, hub_id, status) VALUES ($1, $2, $3, 'present')`, kidsPlaced[0], monday, hub); err != nil {
		t.Fatal(err)
	}
	withNote(t, st, accPlaced, kidsPlaced[0], pai)
	if _, _, err := st.CreateSession(ctx, accPlaced, store.SessionPolicy{Absolute: 24 * time.Hour, Idle: time.Hour}, "", ""); err != nil {
		t.Fatal(err)
	}

	// The last booked day of the two households is monday: kept for 30 days after it, gone the
	// day after.
	paris := store.DefaultAllocationPolicy().Location
	at := func(day time.Time) *store.Store {
		instant := time.Date(day.Year(), day.Month(), day.Day(), 9, 30, 0, 0, paris)
		return st.WithClock(func() time.Time { return instant })
	}
	lastKept, purgeDay := at(monday.AddDate(0, 0, 30)), at(monday.AddDate(0, 0, 31))
	rectorat := store.Scope{Role: store.RoleRectorat}
	trends := func() []store.TrendPoint {
		tr, err := st.Trends(ctx, rectorat, monday, later)
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	before := trends()
	if len(before) != 2 || before[0].Placed != 1 || before[0].Present != 1 || before[0].Waitlisted != 2 || before[1].Placed != 1 {
		t.Fatalf("trends before the purge: %+v", before)
	}
	count := func(table string) int {
		var n int
		if err := st.DB().Get(&n, `SELECT count(*) FROM `+table); err != nil {
			t.Fatal(err)
		}
		return n
	}

	n, err := lastKept.PurgeExpired(ctx, 30)
	if err != nil {
		t.Fatal(err)
	}
	if n.Households != 0 || n.Children != 0 || n.ParentAccounts != 0 || count("household") != 3 {
		t.Errorf("purge on the last day kept: %+v", n)
	}

	// Entries of the audit log and e-mails, older and younger than their limits.
	for months, action := range map[int]string{13: "test.old", 11: "test.recent"} {
		if err := purgeDay.WithClock(func() time.Time { return purgeDay.Now().AddDate(0, -months, 0) }).Audit(ctx, store.AuditEntry{Action: action}); err != nil {
			t.Fatal(err)
		}
	}
	for days, to := range map[int]string{40: "old@example.fr", 5: "recent@example.fr"} {
		if err := purgeDay.WithClock(func() time.Time { return purgeDay.Now().AddDate(0, 0, -days) }).QueueEmail(ctx, to, "s", "b"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DB().Exec(`UPDATE outbox_email SET sent_at = created_at`); err != nil {
		t.Fatal(err)
	}
	n, err = purgeDay.PurgeExpired(ctx, 30)
	if err != nil {
		t.Fatal(err)
	}
	want := store.PurgeCounts{Households: 2, Children: 2, HealthNotes: 1, BookingRequests: 2, Placements: 1, WaitlistEntries: 1,
		Attendance: 1, ParentAccounts: 2, AuditEntries: 1, Emails: 1}
	if n != want {
		t.Errorf("purge counts: %+v, want %+v", n, want)
	}
	for table, want := range map[string]int{"household": 1, "child": 1, "child_health_note": 0, "booking_request": 2, "placement": 1,
		"waitlist_entry": 1, "attendance": 0, "parent": 1, "pickup_person": 0} {
		if got := count(table); got != want {
			t.Errorf("%s: %d rows left, want %d", table, got, want)
		}
	}
	var left int
	if err := st.DB().Get(&left, `SELECT count(*) FROM account WHERE id = ANY(ARRAY[$1, $2]::bigint[])`, accPlaced, accWaiting); err != nil || left != 0 {
		t.Errorf("accounts of the purged households: %d left (%v)", left, err)
	}
	if got := count("session"); got != 0 {
		t.Errorf("sessions of the purged accounts: %d left", got)
	}
	var actions []string
	if err := st.DB().Select(&actions, `SELECT action FROM audit_log WHERE action LIKE 'test.%' ORDER BY action`); err != nil ||
		!reflect.DeepEqual(actions, []string{"test.recent"}) {
		t.Errorf("audit entries left: %v (%v), want the recent one only", actions, err)
	}
	var emails []string
	if err := st.DB().Select(&emails, `SELECT to_address FROM outbox_email`); err != nil || !reflect.DeepEqual(emails, []string{"recent@example.fr"}) {
		t.Errorf("e-mails left: %v (%v)", emails, err)
	}
	if after := trends(); !reflect.DeepEqual(after, before) {
		t.Errorf("trends after the purge: %+v, want %+v", after, before)
	}

	// A second purge finds nothing more and counts nothing twice.
	if n, err := purgeDay.PurgeExpired(ctx, 30); err != nil || n.Any() {
		t.Errorf("second purge: %+v, %v", n, err)
	}
	if after := trends(); !reflect.DeepEqual(after, before) {
		t.Errorf("trends after a second purge: %+v, want %+v", after, before)
	}
}
