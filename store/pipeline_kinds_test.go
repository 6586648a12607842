package store_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// Every kind of allocation goes through the one writer of the pipeline, and every run stored
// was stored by it.
func TestEveryAllocationKindGoesThroughTheWriter(t *testing.T) {
	next := farDay.AddDate(0, 0, 1)
	st, nurse, teacher, late := threeFamilies(t, newTown(farDay, next))
	var mu sync.Mutex
	var seen []store.AllocationKind
	st.ObserveWrites(func(k store.AllocationKind) {
		mu.Lock()
		defer mu.Unlock()
		if k != "" && !slices.Contains(seen, k) {
			seen = append(seen, k)
		}
	})
	ctx := context.Background()
	p := store.DefaultAllocationPolicy()
	for _, e := range []string{nurse, teacher, late} {
		if _, err := st.PlaceHousehold(ctx, p, householdID(t, st, e), []time.Time{farDay}); err != nil {
			t.Fatal(err)
		}
	}
	ids, err := st.HubIDsByUAI(ctx, []string{"0250001A"})
	if err != nil {
		t.Fatal(err)
	}
	rectorat := store.Scope{Role: store.RoleRectorat}
	steps := []struct {
		name string
		do   func() error
	}{
		{"a cut (the teacher's child is placed again, and waits)", func() error {
			_, err := st.SetCapacity(ctx, p, rectorat, ids[0], farDay, store.Elementaire, 1)
			return err
		}},
		{"a run by hand", func() error { _, err := st.AllocateDays(ctx, p, []time.Time{farDay}, false, 1, 0); return err }},
		{"a rebalance", func() error { _, err := st.AllocateDays(ctx, p, []time.Time{farDay}, true, 1, 0); return err }},
		{"a raise (the waitlist moves up)", func() error {
			_, err := st.SetCapacity(ctx, p, rectorat, ids[0], farDay, store.Elementaire, 3)
			return err
		}},
		{"a booking", func() error {
			acc, kids := childrenOf(t, st, nurse)
			_, _, err := st.Book(ctx, p, acc, "kinds-0001", []byte("h"), store.BookingInput{ChildIDs: kids, Days: []time.Time{next},
				Location: store.NearHome, ArriveAt: "08:00", DepartAt: "17:00"})
			return err
		}},
		{"a confirmation", func() error { _, _, err := st.ConfirmDay(ctx, p, farDay, 1, 0); return err }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	all := []store.AllocationKind{store.KindInstant, store.KindReplacement, store.KindManual, store.KindRebalance, store.KindPromotion, store.KindConfirmation}
	for _, k := range all {
		if !slices.Contains(seen, k) {
			t.Errorf("no %s run went through the writer (seen: %v)", k, seen)
		}
	}
	var stored []store.AllocationKind
	if err := st.DB().Select(&stored, `SELECT DISTINCT kind FROM allocation_run ORDER BY kind`); err != nil {
		t.Fatal(err)
	}
	for _, k := range stored {
		if !slices.Contains(seen, k) {
			t.Errorf("a %s run was stored without the writer", k)
		}
	}
}

// The rows of a run are inserted in one place: the writer. (The director's take-in gives one
// seat by hand, InsertPlacement, or moves one child's seat to their hub, without a run: the
// only seats written elsewhere.)
func TestOneWriterPerTable(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	count := map[string][]string{}
	tables := []string{"INSERT INTO allocation_run", "INSERT INTO placement", "INSERT INTO waitlist_entry", "INSERT INTO outbox_email",
		"DELETE FROM placement x USING", "DELETE FROM waitlist_entry x USING", "UPDATE placement"}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tab := range tables {
			for range strings.Count(string(src), tab) {
				count[tab] = append(count[tab], f)
			}
		}
	}
	for _, tab := range tables {
		want := []string{"pipeline_write.go"}
		switch tab {
		case "INSERT INTO placement":
			want = []string{"pipeline_write.go", "placements.go"}
		case "UPDATE placement": // a seat moved or confirmed by hand: only by the take-in
			want = []string{"attendance.go"}
		}
		if !slices.Equal(count[tab], want) {
			t.Errorf("%q is written in %v, want %v", tab, count[tab], want)
		}
	}
}
