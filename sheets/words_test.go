package sheets

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// frenchOnly are fixed texts of the French sheet that must not be left in an English one.
var frenchOnly = []string{"Feuille de présence", "Direction", "Enfant", "Responsable", "Personnes autorisées",
	"Santé", "Justificatif", "Arrivée", "Départ", "Imprimé", "Enfants / places", "Maternelle", "Élémentaire",
	"Collège", "groupe", "enfants", "À VÉRIFIER", "placement proposé", "personne d'autre", "Document confidentiel", " ans", "lundi", "novembre"}

// TestPDFInEnglish: a sheet for an English-speaking user has every fixed text in English, on
// every page, and the same children and layout as the French one.
func TestPDFInEnglish(t *testing.T) {
	s := fixture(1, 40, 42)
	fr := pdfText(t, render(t, s))
	s.Lang = English
	pages := pdfText(t, render(t, s))
	if len(pages) != len(fr) {
		t.Errorf("%d pages in English, %d in French", len(pages), len(fr))
	}
	all := strings.Join(pages, "\n")
	for i, p := range pages {
		for _, want := range []string{"Attendance sheet — Monday 23 November 2026", "Head: Mme Françoise Lefèvre-Ménétrier",
			"Child", "Parent", "Health / PAI", "Arrival", "Departure", "Signature", fmt.Sprintf("Page %d/%d", i+1, len(pages)),
			"Printed on 22/11/2026 at 18:04", "Children / seats: ", "Confidential document"} {
			if !strings.Contains(p, want) {
				t.Errorf("page %d: no %q", i+1, want)
			}
		}
	}
	for _, want := range []string{"Nursery school", "Primary school", "TO CHECK", "seat proposed", "years · ", "group 1 of", " children"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in the English sheet", want)
		}
	}
	for _, french := range frenchOnly {
		if strings.Contains(all, french) {
			t.Errorf("the English sheet says %q", french)
		}
	}
	for _, c := range s.Children {
		if name := strings.Join(strings.Fields(clean(printedName(c))), " "); !strings.Contains(all, name) {
			t.Errorf("%q missing from the English sheet", name)
		}
	}
	empty := Sheet{Hub: s.Hub, Day: time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC), Lang: English}
	if p := strings.Join(pdfText(t, render(t, empty)), "\n"); !strings.Contains(p, "No child is expected at this hub on Tuesday 1 December 2026.") {
		t.Errorf("empty English sheet:\n%s", p)
	}
}

// TestCSVInEnglish: the same rows as the French CSV, with English headers and fixed words.
func TestCSVInEnglish(t *testing.T) {
	s := fixture(1, 30, 42)
	_, frRows := readCSV(t, s)
	s.Lang = English
	raw, rows := readCSV(t, s)
	if len(rows) != len(frRows) {
		t.Fatalf("%d rows in English, %d in French", len(rows), len(frRows))
	}
	if got := strings.Join(rows[0], ";"); !strings.HasPrefix(got, "Date;UAI;Hub;Level;Group;Last name;First name;Date of birth;Age;") ||
		!strings.HasSuffix(got, ";Arrival time;Departure time;Signature") {
		t.Errorf("English header: %s", got)
	}
	levels := map[string]bool{}
	for _, r := range rows[1:] {
		levels[r[3]] = true
		if r[15] != "yes" && r[15] != "no" || r[16] != "proposed" && r[16] != "confirmed" {
			t.Errorf("row %v: proof %q, status %q", r[5:7], r[15], r[16])
		}
	}
	if !levels[LevelNameIn(store.Elementaire, English)] || levels["Élémentaire"] {
		t.Errorf("levels in the English CSV: %v", levels)
	}
	for _, french := range []string{"Pôle", "Prénom", "oui", "non", "proposé", "confirmé"} {
		if strings.Contains(string(raw), ";"+french+";") {
			t.Errorf("the English CSV says %q", french)
		}
	}
}

// TestMergedAndContactsPDFInEnglish: the day's merged PDF (with nothing in it too) and the
// contact list have their fixed texts in English when asked, in French otherwise.
func TestMergedAndContactsPDFInEnglish(t *testing.T) {
	s := fixture(1, 20, 7)
	s.Lang = English
	var b bytes.Buffer
	if err := WriteMergedPDF(&b, English, func(yield func(Sheet, error) bool) { yield(s, nil) }); err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(pdfText(t, b.Bytes()), "\n"); !strings.Contains(text, "Attendance sheet — ") || strings.Contains(text, "Feuille de présence") {
		t.Errorf("English merged PDF:\n%s", text)
	}
	for lang, want := range map[string]string{English: "No attendance sheet for this selection.", "fr": "Aucune feuille de présence pour cette sélection."} {
		b.Reset()
		if err := WriteMergedPDF(&b, lang, func(func(Sheet, error) bool) {}); err != nil {
			t.Fatal(err)
		}
		if text := strings.Join(pdfText(t, b.Bytes()), "\n"); !strings.Contains(text, want) {
			t.Errorf("empty merged PDF in %s: %q, want %q", lang, text, want)
		}
	}

	groups := Groups(s)
	list := ContactList{ChildID: 42, From: s.Day, To: s.Day.AddDate(0, 0, 2), PrintedAt: s.PrintedAt, Lang: English,
		Days: []ContactDay{{Day: s.Day, Hub: s.Hub, Director: s.Director, Group: groups[0].Title(), Children: groups[0].Children}}}
	b.Reset()
	if err := WriteContactsPDF(&b, list); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(pdfText(t, b.Bytes()), "\n")
	for _, want := range []string{"Contact list — child no. 42, from 23/11/2026 to 25/11/2026", "Monday 23 November 2026 — ", " — head: ",
		"Confidential document for the health authority — printed on 22/11/2026 at 18:04 — page 1", groups[0].Title()} {
		if !strings.Contains(text, want) {
			t.Errorf("English contact list lacks %q:\n%s", want, text)
		}
	}
	for _, french := range frenchOnly {
		if strings.Contains(text, french) {
			t.Errorf("the English contact list says %q", french)
		}
	}
	list.Lang, list.Days = "", nil
	b.Reset()
	if err := WriteContactsPDF(&b, list); err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(pdfText(t, b.Bytes()), "\n"); !strings.Contains(text, "Liste de contacts — enfant n° 42, du 23/11/2026 au 25/11/2026") ||
		!strings.Contains(text, "Aucun jour d’accueil sur la période.") || !strings.Contains(text, "imprimé le 22/11/2026 à 18:04") {
		t.Errorf("French contact list:\n%s", text)
	}
}
