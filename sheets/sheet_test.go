package sheets

import (
	"slices"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

func TestGroupsFrenchOrder(t *testing.T) {
	names := [][2]string{
		{"Fanny", "Martin"}, {"Éloïse", "Martin"}, {"Eloi", "Martin"}, {"Dylan", "Martin"},
		{"Zoé", "Ndao"}, {"Awa", "N'Diaye"}, {"Paul", "Nadal"}, {"Léo", "Lê"}, {"Yann", "Le Goff"},
		{"Ana", "Lefèvre"}, {"Ève", "Œuvrard"}, {"Luc", "Oudin"}, {"Max", "Müller"}, {"Jo", "Muller"},
	}
	var s Sheet
	for i, n := range names {
		s.Children = append(s.Children, Child{ID: int64(i), FirstName: n[0], LastName: n[1], Level: store.College})
	}
	groups := Groups(s)
	if len(groups) != 1 {
		t.Fatalf("%d groups, want 1", len(groups))
	}
	var got []string
	for _, c := range groups[0].Children {
		got = append(got, c.LastName+" "+c.FirstName)
	}
	// Accents, case, spaces and apostrophes only break ties: "Lê" sorts as "Le", "N'Diaye" as
	// "Ndiaye", "Œuvrard" as "Oeuvrard", and "Éloïse" between "Eloi" and "Fanny".
	want := []string{
		"Lê Léo", "Lefèvre Ana", "Le Goff Yann",
		"Martin Dylan", "Martin Eloi", "Martin Éloïse", "Martin Fanny",
		"Muller Jo", "Müller Max", "Nadal Paul", "Ndao Zoé", "N'Diaye Awa", "Œuvrard Ève", "Oudin Luc",
	}
	if !slices.Equal(got, want) {
		t.Errorf("order\n got %q\nwant %q", got, want)
	}
}

func TestGroupsLevelsAndSizes(t *testing.T) {
	var s Sheet
	add := func(level store.Level, n int) {
		for range n {
			s.Children = append(s.Children, Child{ID: int64(len(s.Children)), LastName: "X", FirstName: string(rune('a' + len(s.Children)%26)), Level: level})
		}
	}
	// Out of school order on purpose, with an unknown level that must not vanish.
	add(store.College, 15)
	add(store.Elementaire, 31)
	add("lycee", 2)
	add(store.Maternelle, 10)
	type shape struct {
		level     store.Level
		number    int
		of, count int
	}
	var got []shape
	for _, g := range Groups(s) {
		got = append(got, shape{g.Level, g.Number, g.Of, len(g.Children)})
		if g.Level.Valid() && len(g.Children) > g.Level.GroupCap() {
			t.Errorf("%s group %d holds %d, over the cap", g.Level, g.Number, len(g.Children))
		}
	}
	want := []shape{
		{store.Maternelle, 1, 1, 10},
		{store.Elementaire, 1, 3, 11}, {store.Elementaire, 2, 3, 10}, {store.Elementaire, 3, 3, 10},
		{store.College, 1, 1, 15},
		{"lycee", 1, 1, 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("groups\n got %v\nwant %v", got, want)
	}
	if got := Groups(Sheet{}); len(got) != 0 {
		t.Errorf("no child gave %d groups", len(got))
	}
}

func TestCounts(t *testing.T) {
	s := Sheet{Capacity: map[store.Level]int{store.Maternelle: 10, store.Elementaire: 30}}
	for _, l := range []store.Level{store.Maternelle, store.Elementaire, store.Elementaire, store.College} {
		s.Children = append(s.Children, Child{Level: l})
	}
	want := []Count{
		{store.Maternelle, 1, 10}, {store.Elementaire, 2, 30}, {store.College, 1, 0}, {"", 4, 40},
	}
	if got := Counts(s); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestFrenchDate(t *testing.T) {
	for day, want := range map[time.Time]string{
		time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC): "lundi 23 novembre 2026",
		time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC):  "mardi 1er décembre 2026",
		time.Date(2021, 4, 7, 0, 0, 0, 0, time.UTC):   "mercredi 7 avril 2021",
		time.Date(2026, 8, 16, 0, 0, 0, 0, time.UTC):  "dimanche 16 août 2026",
	} {
		if got := FrenchDate(day); got != want {
			t.Errorf("FrenchDate(%s) = %q, want %q", day.Format(time.DateOnly), got, want)
		}
	}
}

func TestFormatPhone(t *testing.T) {
	for in, want := range map[string]string{
		"0612345678":        "06 12 34 56 78",
		"06.12.34.56.78":    "06 12 34 56 78",
		"+33612345678":      "+33 6 12 34 56 78",
		"+33 6 12 34 56 78": "+33 6 12 34 56 78",
		"+41 22 123 45 67":  "+41 22 123 45 67",
		" 15 ":              "15",
		"":                  "",
		"06 12 ext 4":       "06 12 ext 4",
	} {
		if got := FormatPhone(in); got != want {
			t.Errorf("FormatPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFileName(t *testing.T) {
	s := Sheet{Day: day, Hub: Hub{ID: 7, UAI: "0250001a", Name: "École Jean-Macé — Œuvre & Cœur (Besançon)"}}
	if got, want := FileName(s), "2026-11-23_0250001A_ecole-jean-mace-oeuvre-coeur-besancon.pdf"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	s.Hub.UAI, s.Hub.Name = "../", "日本"
	if got, want := FileName(s), "2026-11-23_pole-7.pdf"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
