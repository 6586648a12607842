package sheets

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/accueil-prioritaire/accueil/store"
)

func readCSV(t *testing.T, s Sheet) (raw []byte, rows [][]string) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteCSV(&b, s); err != nil {
		t.Fatal(err)
	}
	raw = b.Bytes()
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\uFEFF"))))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, raw)
	}
	return raw, rows
}

func TestCSV(t *testing.T) {
	s := fixture(1, 60, 42)
	raw, rows := readCSV(t, s)
	if !bytes.HasPrefix(raw, []byte{0xEF, 0xBB, 0xBF}) {
		t.Error("no UTF-8 byte order mark")
	}
	if !bytes.Contains(raw, []byte("Date;UAI;Pôle;Niveau;Groupe;Nom;Prénom")) {
		t.Errorf("header not ';'-separated: %.80s", raw)
	}
	if len(rows) != 1+len(s.Children) {
		t.Fatalf("%d rows, want %d", len(rows), 1+len(s.Children))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	// Same children, same order as the PDF's groups.
	i := 1
	for _, g := range Groups(s) {
		for _, c := range g.Children {
			r := rows[i]
			if r[col["Nom"]] != c.LastName || r[col["Prénom"]] != c.FirstName {
				t.Errorf("row %d: %q %q, want %q %q", i, r[col["Nom"]], r[col["Prénom"]], c.LastName, c.FirstName)
			}
			if r[col["Niveau"]] != LevelName(g.Level) || r[col["Date"]] != "23/11/2026" || r[col["UAI"]] != "0250001A" {
				t.Errorf("row %d: %q", i, r)
			}
			if c.HealthNote != "" && r[col["Santé / PAI"]] != c.HealthNote {
				t.Errorf("row %d: health %q, want %q", i, r[col["Santé / PAI"]], c.HealthNote)
			}
			i++
		}
	}
}

func TestCSVInjectionAndQuotes(t *testing.T) {
	s := Sheet{Day: day, Hub: Hub{UAI: "0250001A", Name: `École "Les Tilleuls"; annexe`}}
	s.Children = []Child{
		{ID: 1, LastName: "=HYPERLINK(\"http://evil\";\"x\")", FirstName: "+cmd", Level: store.Maternelle,
			ParentName: "@SUM(A1)", ParentPhone: "+33612345678", HealthNote: "-2+3",
			Pickups: []store.Pickup{{Name: "\t=1+1", Relation: "oncle"}}},
		{ID: 2, LastName: "Dupré\r\n=1", FirstName: "Zoé", Level: store.Maternelle, HealthNote: "ligne 1\nligne 2"},
	}
	raw, rows := readCSV(t, s)
	for _, r := range rows[1:] {
		for j, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("column %q starts with %q: %q", rows[0][j], cell[0], cell)
			}
		}
	}
	want := map[string]string{
		"Nom": "'=HYPERLINK(\"http://evil\";\"x\")", "Prénom": "'+cmd", "Responsable légal": "'@SUM(A1)",
		"Téléphone du responsable": "'+33 6 12 34 56 78", "Santé / PAI": "'-2+3",
		"Personnes autorisées à récupérer l'enfant": "'=1+1 (oncle)", "Pôle": `École "Les Tilleuls"; annexe`,
	}
	for j, h := range rows[0] {
		if w, ok := want[h]; ok && rows[1][j] != w {
			t.Errorf("%s = %q, want %q", h, rows[1][j], w)
		}
	}
	// Quotes are doubled inside a quoted field; line breaks inside a value become spaces.
	if !bytes.Contains(raw, []byte(`"École ""Les Tilleuls""; annexe"`)) {
		t.Errorf("quotes not escaped:\n%s", raw)
	}
	if rows[2][5] != "Dupré =1" || rows[2][14] != "ligne 1 ligne 2" {
		t.Errorf("row 2 = %q", rows[2])
	}
	if len(rows) != 3 {
		t.Errorf("%d rows, want 3 (a line break in a value must not add a row)", len(rows))
	}
}

func TestCSVNoChild(t *testing.T) {
	_, rows := readCSV(t, fixture(3, 0, 1))
	if len(rows) != 1 {
		t.Errorf("%d rows, want the header only", len(rows))
	}
}
