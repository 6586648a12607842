package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/geo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
	"github.com/jmoiron/sqlx"
)

// TestSheetsCommandSpeaksTheLanguageAsked: `accueil sheets` writes the day's sheets, their ZIP
// and merged PDF in French by default and in English with --lang en, with the sheets' own
// words; another language is refused and writes nothing.
func TestSheetsCommandSpeaksTheLanguageAsked(t *testing.T) {
	pdftotext := poppler(t, "pdftotext")
	url := pgtest.URL(t)
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": url, "DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}[k]
	}
	ctx := context.Background()
	w := pgtest.Weekday()
	day := time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := store.New(db).WithClock(pgtest.Now).LoadSeed(ctx, store.Seed{
		Departements: []geo.Departement{{Code: "25", Name: "Doubs"}},
		Communes: []geo.Commune{{InseeCode: "25056", Name: "Besançon", Departement: "25", Population: 120000, PostalCode: "25000",
			Point: geo.Point{Lat: 47.2488, Lon: 6.0182}}},
		Hubs: []store.SeedHub{{UAI: "0250001A", Name: "École Jean-Macé", Address: "1 rue Jean-Macé", CommuneCode: "25056",
			Point: geo.Point{Lat: 47.25, Lon: 6.02}, Capacity: map[store.Level]int{store.Elementaire: 15}}},
		OpenDays: []time.Time{day},
	}); err != nil {
		t.Fatal(err)
	}
	d := day.Format(time.DateOnly)
	text := func(path string) string {
		t.Helper()
		out, err := exec.Command(pdftotext, path, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", path, err)
		}
		return strings.Join(strings.Fields(string(out)), " ")
	}
	for _, c := range []struct {
		lang       []string
		title, not string
	}{
		{nil, "Feuille de présence", "Attendance"},
		{[]string{"--lang", "en"}, "Attendance sheet", "présence"},
	} {
		dir := t.TempDir()
		if err := run(ctx, append([]string{"sheets", "--day", d, "--out", dir}, c.lang...), env, pgtest.Now, nil, io.Discard, io.Discard); err != nil {
			t.Fatal(err)
		}
		names, _ := filepath.Glob(filepath.Join(dir, d+"_0250001A_*.pdf"))
		if len(names) != 1 {
			t.Fatalf("%v: the hub's sheet: %v", c.lang, names)
		}
		for _, path := range []string{names[0], filepath.Join(dir, "feuilles-"+d+".pdf")} {
			if got := text(path); !strings.Contains(got, c.title) || strings.Contains(got, c.not) {
				t.Errorf("%v: %s says %q, want %q and no %q", c.lang, filepath.Base(path), got, c.title, c.not)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "feuilles-"+d+".zip")); err != nil {
			t.Errorf("%v: no ZIP: %v", c.lang, err)
		}
	}
	dir := t.TempDir()
	if err := run(ctx, []string{"sheets", "--day", d, "--out", dir, "--lang", "de"}, env, pgtest.Now, nil, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "--lang fr|en") {
		t.Errorf("--lang de: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("--lang de wrote %d files", len(entries))
	}
}
