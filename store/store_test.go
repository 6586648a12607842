package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/geo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

var monday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// smallAcademie is one commune, one hub taking élémentaire (capacity 10) on Monday, and n
// households of one child each asking for Monday.
func smallAcademie(n int) store.Seed {
	seed := store.Seed{
		Departements: []geo.Departement{{Code: "25", Name: "Doubs"}},
		Communes: []geo.Commune{{InseeCode: "25056", Name: "Besançon", Departement: "25", Population: 120000,
			PostalCode: "25000", Point: geo.Point{Lat: 47.2488, Lon: 6.0182}}},
		Hubs: []store.SeedHub{{UAI: "0250001A", Name: "École élémentaire Jean-Macé", Address: "1 rue de l'École",
			CommuneCode: "25056", Point: geo.Point{Lat: 47.25, Lon: 6.02},
			Capacity: map[store.Level]int{store.Elementaire: 10}}},
		OpenDays: []time.Time{monday},
	}
	for i := range n {
		email := fmt.Sprintf("p%d@demo.test", i)
		seed.Accounts = append(seed.Accounts, store.SeedAccount{Email: email, Role: store.RoleParent})
		seed.Households = append(seed.Households, store.SeedHousehold{
			AccountEmail: email, HomeCommune: "25056", WorkCommune: "25056", SwornAt: monday.Add(-48 * time.Hour),
			Parents: []store.SeedParent{{FirstName: "Éloïse", LastName: "N'Diaye", Phone: "0612345678", ProfessionCode: "infirmier"}},
			Children: []store.SeedChild{{FirstName: "Lê", LastName: "N'Diaye", BirthDate: time.Date(2018, 5, 1, 0, 0, 0, 0, time.UTC),
				Level: store.Elementaire, Requests: []store.SeedRequest{{Day: monday, Location: store.NearHome,
					ArriveAt: "08:00", DepartAt: "17:30", RequestedAt: monday.Add(-time.Duration(i+1) * time.Minute)}}}},
		})
	}
	return seed
}

func childIDs(t *testing.T, st *store.Store) []int64 {
	t.Helper()
	var ids []int64
	if err := st.DB().Select(&ids, `SELECT id FROM child ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	return ids
}

func hubID(t *testing.T, st *store.Store) int64 {
	t.Helper()
	var id int64
	if err := st.DB().Get(&id, `SELECT id FROM hub WHERE uai = '0250001A'`); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestCapacityHoldsUnderConcurrentWriters: 60 writers race for 10 seats; the database itself
// lets exactly 10 through and refuses the others with ErrFull.
func TestCapacityHoldsUnderConcurrentWriters(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	if err := st.LoadSeed(ctx, smallAcademie(60)); err != nil {
		t.Fatal(err)
	}
	hub := hubID(t, st)
	var wg sync.WaitGroup
	var mu sync.Mutex
	placed, full := 0, 0
	var other []error
	start := make(chan struct{})
	for _, child := range childIDs(t, st) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := st.InsertPlacement(ctx, store.NewPlacement{ChildID: child, Day: monday, HubID: hub, Status: store.Proposed})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				placed++
			case errors.Is(err, store.ErrFull):
				full++
			default:
				other = append(other, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(other) > 0 {
		t.Fatalf("unexpected errors: %v", other)
	}
	if placed != 10 || full != 50 {
		t.Fatalf("placed %d, refused full %d; want 10 and 50", placed, full)
	}
	var rows, counter int
	if err := st.DB().Get(&rows, `SELECT count(*) FROM placement WHERE hub_id = $1 AND day = $2`, hub, monday); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Get(&counter, `SELECT placed FROM hub_day_capacity WHERE hub_id = $1 AND day = $2 AND level = 'elementaire'`, hub, monday); err != nil {
		t.Fatal(err)
	}
	if rows != 10 || counter != 10 {
		t.Fatalf("placement rows %d, counter %d; want 10 and 10", rows, counter)
	}
}

// TestPlacementInvariants: the schema refuses what the domain forbids, and the counter follows
// deletions, moves and level changes.
func TestPlacementInvariants(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	seed := smallAcademie(3)
	seed.Hubs = append(seed.Hubs, store.SeedHub{UAI: "0250002B", Name: "École maternelle Les Tilleuls", Address: "2 rue des Tilleuls",
		CommuneCode: "25056", Point: geo.Point{Lat: 47.26, Lon: 6.03}, Capacity: map[store.Level]int{store.Maternelle: 10}},
		store.SeedHub{UAI: "0250003C", Name: "École élémentaire Pasteur", Address: "3 rue Pasteur",
			CommuneCode: "25056", Point: geo.Point{Lat: 47.24, Lon: 6.01}, Capacity: map[store.Level]int{store.Elementaire: 2}})
	if err := st.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	hub := hubID(t, st)
	var maternelle, pasteur int64
	if err := st.DB().Get(&maternelle, `SELECT id FROM hub WHERE uai = '0250002B'`); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Get(&pasteur, `SELECT id FROM hub WHERE uai = '0250003C'`); err != nil {
		t.Fatal(err)
	}
	kids := childIDs(t, st)
	counter := func(hub int64, level string) int {
		var n int
		if err := st.DB().Get(&n, `SELECT placed FROM hub_day_capacity WHERE hub_id = $1 AND day = $2 AND level = $3`, hub, monday, level); err != nil {
			t.Fatal(err)
		}
		return n
	}
	place := func(child, hub int64, day time.Time) error {
		_, err := st.InsertPlacement(ctx, store.NewPlacement{ChildID: child, Day: day, HubID: hub, Status: store.Proposed})
		return err
	}
	if err := place(kids[0], hub, monday); err != nil {
		t.Fatal(err)
	}
	if err := place(kids[0], hub, monday); !errors.Is(err, store.ErrConflict) {
		t.Errorf("second seat the same day: %v, want ErrConflict", err)
	}
	if err := place(kids[1], maternelle, monday); !errors.Is(err, store.ErrHubClosed) {
		t.Errorf("élémentaire child in a maternelle-only hub: %v, want ErrHubClosed", err)
	}
	if err := place(kids[1], hub, monday.AddDate(0, 0, 1)); err == nil {
		t.Error("a seat on a day the child did not ask for was accepted")
	}
	if _, err := st.DB().Exec(`INSERT INTO waitlist_entry (child_id, day, reason) VALUES ($1, $2, 'hubs_full')`, kids[0], monday); err == nil {
		t.Error("a placed child-day was also waitlisted")
	}
	if got := counter(hub, "elementaire"); got != 1 {
		t.Errorf("counter after one placement = %d", got)
	}
	// A child who changes level moves its seat's count with it; here the hub lacks maternelle,
	// so the database refuses the change rather than count a seat that does not exist.
	if _, err := st.DB().Exec(`UPDATE child SET level = 'maternelle' WHERE id = $1`, kids[0]); err == nil {
		t.Error("level change to a level the hub does not take was accepted")
	}
	if _, err := st.DB().Exec(`UPDATE placement SET hub_id = $2 WHERE child_id = $1`, kids[0], maternelle); err == nil {
		t.Error("move to a hub without the child's level was accepted")
	}
	if _, err := st.DB().Exec(`UPDATE hub_day_capacity SET capacity = 0 WHERE hub_id = $1`, hub); err == nil {
		t.Error("capacity cut below the seats held was accepted")
	}
	if err := st.DeletePlacement(ctx, kids[0], monday); err != nil {
		t.Fatal(err)
	}
	if got := counter(hub, "elementaire"); got != 0 {
		t.Errorf("counter after deletion = %d", got)
	}
	if err := st.DeletePlacement(ctx, kids[0], monday); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("deleting a missing seat: %v, want ErrNotFound", err)
	}

	// Seats are counted per statement: several rows at once, moves netted, all or nothing.
	exec := func(query string, args ...any) error {
		_, err := st.DB().Exec(query, args...)
		return err
	}
	if err := exec(`INSERT INTO placement (child_id, day, hub_id, level) SELECT id, $2, $3, level FROM child WHERE id = ANY($1)`,
		pq.Array(kids[:3]), monday, hub); err != nil {
		t.Fatal(err)
	}
	if got := counter(hub, "elementaire"); got != 3 {
		t.Errorf("counter after three seats in one statement = %d", got)
	}
	if err := exec(`UPDATE placement SET hub_id = $1`, pasteur); err == nil {
		t.Error("three seats moved into a hub with two were accepted")
	}
	if got, moved := counter(hub, "elementaire"), counter(pasteur, "elementaire"); got != 3 || moved != 0 {
		t.Errorf("after a refused move: counters %d and %d, want 3 and 0", got, moved)
	}
	if err := exec(`UPDATE placement SET hub_id = $1, status = 'confirmed' WHERE child_id = ANY($2)`, pasteur, pq.Array(kids[:2])); err != nil {
		t.Fatal(err)
	}
	if err := exec(`UPDATE placement SET status = 'proposed'`); err != nil {
		t.Fatal(err)
	}
	if got, moved := counter(hub, "elementaire"), counter(pasteur, "elementaire"); got != 1 || moved != 2 {
		t.Errorf("after moving two seats: counters %d and %d, want 1 and 2", got, moved)
	}
	if err := exec(`DELETE FROM hub WHERE id = $1`, pasteur); err == nil {
		t.Error("a hub holding seats was deleted")
	}
	if err := exec(`DELETE FROM hub_day_capacity WHERE hub_id = $1`, pasteur); err == nil {
		t.Error("a capacity row holding seats was deleted")
	}
	if err := st.DeletePlacement(ctx, kids[2], monday); err != nil {
		t.Fatal(err)
	}
	if err := exec(`INSERT INTO waitlist_entry (child_id, day, reason) VALUES ($1, $2, 'hubs_full')`, kids[2], monday); err != nil {
		t.Fatal(err)
	}
	if err := place(kids[2], hub, monday); !errors.Is(err, store.ErrConflict) {
		t.Errorf("seat for a waitlisted child-day: %v, want ErrConflict", err)
	}
	if err := exec(`DELETE FROM placement`); err != nil {
		t.Fatal(err)
	}
	if got, moved := counter(hub, "elementaire"), counter(pasteur, "elementaire"); got != 0 || moved != 0 {
		t.Errorf("after deleting every seat: counters %d and %d", got, moved)
	}
	if err := exec(`DELETE FROM hub WHERE id = $1`, pasteur); err != nil {
		t.Errorf("a hub without seats could not be deleted: %v", err)
	}
}
