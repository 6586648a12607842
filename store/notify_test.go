package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestSeatsChangedEmailSaysWhyAndTheHubBefore: the "vos places ont changé" e-mail says what
// happened (a capacity cut, a hub closed for the day, seats restored) and names the hub the
// child had before, in French and in English.
func TestSeatsChangedEmailSaysWhyAndTheHubBefore(t *testing.T) {
	tw := newTown(farDay)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 2})
	tw.hub("0250002B", 47.300, 6.050, map[store.Level]int{store.Elementaire: 1})
	// Asked before the cut, as a child brought back must have been.
	nurse := tw.household("infirmier", pgtest.Now().Add(-2*time.Hour), []time.Time{farDay}, store.Elementaire)
	teacher := tw.household("enseignant_accueil", pgtest.Now().Add(-time.Hour), []time.Time{farDay}, store.Elementaire)
	st := tw.load(t)
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	for _, e := range []string{nurse, teacher} {
		if _, err := st.PlaceHousehold(ctx, p, householdID(t, st, e), []time.Time{farDay}); err != nil {
			t.Fatal(err)
		}
	}
	ids, _ := st.HubIDsByUAI(ctx, []string{"0250001A", "0250002B"})
	rectorat := store.Scope{Role: store.RoleRectorat}
	lastMail := func(to string) string {
		t.Helper()
		var body string
		if err := st.DB().Get(&body, `SELECT body_text FROM outbox_email WHERE to_address = $1 AND kind = 'seats_changed' ORDER BY id DESC LIMIT 1`, to); err != nil {
			t.Fatalf("no seats-changed e-mail to %s: %v", to, err)
		}
		return body
	}
	check := func(step, body string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s: the e-mail lacks %q:\n%s", step, w, body)
			}
		}
	}
	// A cut to one seat moves the teacher (lowest tier) to the other hub.
	if _, err := st.SetCapacity(ctx, p, rectorat, ids[0], farDay, store.Elementaire, 1); err != nil {
		t.Fatal(err)
	}
	check("capacity cut", lastMail(teacher),
		"en a moins ce jour-là, sur décision de la préfecture ou du rectorat", "place proposée à École 0250002B", "Avant : École 0250001A. Motif : moins de places dans ce pôle ce jour-là.",
		"has fewer seats that day", "Before: École 0250001A. Why: fewer seats at that hub that day.")
	// Seats restored soon after bring the teacher's child back.
	if _, err := st.PullLever(ctx, p, rectorat, store.Lever{Action: store.LeverCapacity, HubID: ids[0], Day: farDay, Level: store.Elementaire,
		Capacity: 2, BringBack: true}); err != nil {
		t.Fatal(err)
	}
	check("brought back", lastMail(teacher), "a retrouvé ses places : votre enfant y retourne", "place proposée à École 0250001A",
		"Avant : École 0250002B.", "The hub your child had to leave has its seats back")
	// Closing that hub for the day: no seat left in reach, the teacher's child waits.
	if _, err := st.CloseHubDay(ctx, p, rectorat, ids[0], farDay); err != nil {
		t.Fatal(err)
	}
	check("hub closed for the day", lastMail(teacher), "est fermé ce jour-là", "liste d'attente", "Avant : École 0250001A. Motif : pôle fermé ce jour-là.",
		"is closed that day", "waitlist", "Why: hub closed that day.")
	// Merged with another e-mail of the family (the outbox's window), each line keeps its why.
	merged := store.MergeFamilyEmailsForTest(lastMail(teacher), "Bonjour,\n\n- Enfant1, le 04/03/2031 : annulé.\n\n---\n\nHello,\n\n- Enfant1, on 04/03/2031: cancelled.")
	check("merged", merged, "Motif : pôle fermé ce jour-là.", "Why: hub closed that day.")
}
