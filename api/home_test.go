package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/geo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// twoDepartements is a small académie: one hub in Besançon (Doubs), one in Dole (Jura), a
// director of each, a prefecture agent of each, the rectorat, and two households.
func twoDepartements(day time.Time) store.Seed {
	child := func(first, last string) store.SeedChild {
		return store.SeedChild{FirstName: first, LastName: last, BirthDate: time.Date(2018, 3, 1, 0, 0, 0, 0, time.UTC),
			Level: store.Elementaire, Requests: []store.SeedRequest{{Day: day, Location: store.NearHome,
				ArriveAt: "08:00", DepartAt: "17:00", RequestedAt: day.Add(-24 * time.Hour)}}}
	}
	return store.Seed{
		Departements: []geo.Departement{{Code: "25", Name: "Doubs"}, {Code: "39", Name: "Jura"}},
		Communes: []geo.Commune{
			{InseeCode: "25056", Name: "Besançon", Departement: "25", Population: 120000, PostalCode: "25000", Point: geo.Point{Lat: 47.2488, Lon: 6.0182}},
			{InseeCode: "39198", Name: "Dole", Departement: "39", Population: 23000, PostalCode: "39100", Point: geo.Point{Lat: 47.0925, Lon: 5.4897}},
		},
		Hubs: []store.SeedHub{
			{UAI: "0250001A", Name: "École Jean-Macé", Address: "1 rue Jean-Macé", CommuneCode: "25056",
				Point: geo.Point{Lat: 47.25, Lon: 6.02}, Capacity: map[store.Level]int{store.Elementaire: 30}},
			{UAI: "0390002B", Name: "École Pasteur de Dole", Address: "2 rue Pasteur", CommuneCode: "39198",
				Point: geo.Point{Lat: 47.09, Lon: 5.49}, Capacity: map[store.Level]int{store.Elementaire: 15}},
		},
		OpenDays: []time.Time{day},
		Accounts: []store.SeedAccount{
			{Email: "dir25@example.fr", Password: goodPassword, Role: store.RoleDirector, DisplayName: "Directrice Doubs", HubUAIs: []string{"0250001A"}},
			{Email: "dir39@example.fr", Password: goodPassword, Role: store.RoleDirector, DisplayName: "Directeur Jura", HubUAIs: []string{"0390002B"}},
			{Email: "pref25@example.fr", Password: goodPassword, Role: store.RolePrefecture, DepartementCode: "25"},
			{Email: "pref39@example.fr", Password: goodPassword, Role: store.RolePrefecture, DepartementCode: "39"},
			{Email: "rectorat@example.fr", Password: goodPassword, Role: store.RoleRectorat},
			{Email: "p1@example.fr", Password: goodPassword, Role: store.RoleParent},
			{Email: "p2@example.fr", Password: goodPassword, Role: store.RoleParent},
		},
		Households: []store.SeedHousehold{
			{AccountEmail: "p1@example.fr", HomeCommune: "25056", WorkCommune: "25056", SwornAt: day,
				Parents:  []store.SeedParent{{FirstName: "Inès", LastName: "Dupré", Phone: "0611223344", ProfessionCode: "infirmier"}},
				Children: []store.SeedChild{child("Zoé", "Dupré")}},
			{AccountEmail: "p2@example.fr", HomeCommune: "39198", WorkCommune: "39198", SwornAt: day,
				Parents:  []store.SeedParent{{FirstName: "Maël", LastName: "Nguyen", Phone: "0655667788", ProfessionCode: "pompier"}},
				Children: []store.SeedChild{child("Noé", "Nguyen")}},
		},
	}
}

// TestEachRoleSeesOnlyItsScope: the home page of each role shows its own scope and nothing of
// another household, hub or département.
func TestEachRoleSeesOnlyItsScope(t *testing.T) {
	app, st := newApp(t)
	// A Monday far enough ahead to be the next open day whatever today is.
	day := pgtest.Today().AddDate(0, 0, 14)
	for day.Weekday() != time.Monday {
		day = day.AddDate(0, 0, 1)
	}
	if err := st.LoadSeed(context.Background(), twoDepartements(day)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		email         string
		must, mustNot []string
	}{
		{"dir25@example.fr", []string{"Mes pôles d’accueil", "École Jean-Macé", "0250001A"}, []string{"École Pasteur de Dole", "Zoé", "Noé"}},
		{"dir39@example.fr", []string{"École Pasteur de Dole"}, []string{"École Jean-Macé"}},
		{"pref25@example.fr", []string{"Préfecture — Doubs", "25 Doubs"}, []string{"Jura", "Dole"}},
		{"pref39@example.fr", []string{"Préfecture — Jura", "39 Jura"}, []string{"Doubs"}},
		{"rectorat@example.fr", []string{"25 Doubs", "39 Jura", "Total"}, nil},
		{"p1@example.fr", []string{"Zoé Dupré", "En cours d’attribution"}, []string{"Noé", "Nguyen"}},
		{"p2@example.fr", []string{"Noé Nguyen"}, []string{"Zoé", "Dupré"}},
	} {
		b := newBrowser(t, app)
		b.login(tc.email, goodPassword)
		body := b.get("/").body
		for _, s := range tc.must {
			if !strings.Contains(body, s) {
				t.Errorf("%s: home lacks %q", tc.email, s)
			}
		}
		for _, s := range tc.mustNot {
			if strings.Contains(body, s) {
				t.Errorf("%s: home shows %q, outside its scope", tc.email, s)
			}
		}
	}
}

// loadAndPlace loads seed and places its requests of day, as the allocator's batch would.
func loadAndPlace(t *testing.T, st *store.Store, seed store.Seed, day time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := st.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AllocateDays(ctx, store.DefaultAllocationPolicy(), []time.Time{day}, false, 1, 0); err != nil {
		t.Fatal(err)
	}
}
