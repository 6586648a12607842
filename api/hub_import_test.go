package api_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

const importHeader = "uai;nom;adresse;code_commune;latitude;longitude;type\n"

// importApp is the app over the two-département seed, with the Doubs prefecture logged in.
func importApp(t *testing.T) (*browser, *store.Store) {
	t.Helper()
	app, st := newApp(t)
	if err := st.LoadSeed(context.Background(), twoDepartements(nextWeekdays(1)[0])); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, app)
	b.login("pref25@example.fr", goodPassword)
	return b, st
}

// importCSV posts csv to the import form, dry or not.
func (b *browser) importCSV(csv string, dryRun bool) response {
	b.t.Helper()
	form := url.Values{"csrf": {b.csrf("/poles/import")}, "csv": {csv}}
	if dryRun {
		form.Set("dry_run", "true")
	}
	return b.post("/poles/import", form)
}

// hubsSnapshot is every hub as stored, to see that a refused import changed nothing.
func hubsSnapshot(t *testing.T, st *store.Store) string {
	t.Helper()
	var rows []string
	if err := st.DB().Select(&rows, `
		SELECT concat_ws('|', h.uai, h.name, h.address, h.commune_code, h.lat, h.lon, h.updated_at,
		       (SELECT string_agg(level::text || ':' || default_capacity, ',' ORDER BY level) FROM hub_level WHERE hub_id = h.id),
		       (SELECT count(*) FROM hub_day_capacity WHERE hub_id = h.id))
		FROM hub h ORDER BY h.uai`); err != nil {
		t.Fatal(err)
	}
	return strings.Join(rows, "\n")
}

func TestHubImportWithDryRun(t *testing.T) {
	b, st := importApp(t)
	file, err := os.ReadFile("testdata/hubs-import.csv")
	if err != nil {
		t.Fatal(err)
	}
	before := hubsSnapshot(t, st)
	// A file with bad lines is refused whole, dry or not, with the same report.
	var reports []string
	for _, dry := range []bool{true, false} {
		res := b.importCSV(string(file), dry)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "rien n’a été enregistré") {
			t.Fatalf("dry run %v: %d", dry, res.StatusCode)
		}
		for _, want := range []string{"Ligne 4 : UAI invalide", "Ligne 5 : latitude ou longitude invalide", "Ligne 6 : type inconnu",
			"Ligne 7 : commune 99999 inconnue", "Ligne 8 : 3 champs au lieu de 7", "Ligne 9 : commune du département 39, hors de votre périmètre",
			"6 ligne(s) refusée(s)"} {
			if !strings.Contains(res.body, want) {
				t.Errorf("dry run %v: the report lacks %q", dry, want)
			}
		}
		if strings.Contains(res.body, "Créé") || strings.Contains(res.body, "Modifié") {
			t.Errorf("dry run %v: a refused file's report shows lines as done", dry)
		}
		reports = append(reports, regexpFind(t, res.body, `(?s)(<table>.*</table>)`))
		if got := hubsSnapshot(t, st); got != before {
			t.Fatalf("dry run %v: a refused file changed the hubs:\n%s\nwas\n%s", dry, got, before)
		}
	}
	if reports[0] != reports[1] {
		t.Errorf("the dry run and the real run report differently:\n%s\n%s", reports[0], reports[1])
	}
	good := strings.Join(strings.SplitAfter(string(file), "\n")[:3], "")
	res := b.importCSV(good, true)
	if res.StatusCode != 200 || !strings.Contains(res.body, "rien n’a été enregistré") || !strings.Contains(res.body, "Créé") || !strings.Contains(res.body, "Modifié") {
		t.Fatalf("dry run of a good file: %d", res.StatusCode)
	}
	if got := hubsSnapshot(t, st); got != before {
		t.Fatal("the dry run kept something")
	}
	res = b.importCSV(good, false)
	if res.StatusCode != 200 || !strings.Contains(res.body, "Rapport d’import") {
		t.Fatalf("import: %d", res.StatusCode)
	}
	var hubs, levels, days int
	if err := st.DB().Get(&hubs, `SELECT count(*) FROM hub`); err != nil || hubs != 3 {
		t.Errorf("after the import: %d hubs (%v), want 3", hubs, err)
	}
	if err := st.DB().Get(&levels, `SELECT count(*) FROM hub_level hl JOIN hub h ON h.id = hl.hub_id WHERE h.uai = '0251234X'`); err != nil || levels != 2 {
		t.Errorf("new hub levels: %d (%v), want 2", levels, err)
	}
	if err := st.DB().Get(&days, `SELECT count(DISTINCT day) FROM hub_day_capacity x JOIN hub h ON h.id = x.hub_id WHERE h.uai = '0251234X' AND day >= $1`, pgtest.Today()); err != nil || days == 0 {
		t.Errorf("new hub has no capacity days (%v)", err)
	}
	var name string
	if err := st.DB().Get(&name, `SELECT name FROM hub WHERE uai = '0250001A'`); err != nil || name != "École Jean-Macé (rénovée)" {
		t.Errorf("updated hub name %q (%v)", name, err)
	}
	dir := newBrowser(t, b.app)
	dir.login("dir25@example.fr", goodPassword)
	if res := dir.get("/poles/import"); res.StatusCode != http.StatusNotFound {
		t.Errorf("director: %d", res.StatusCode)
	}
	bad := b.importCSV("pas;un;entete\n1;2;3", true)
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "Colonne « uai » absente") {
		t.Errorf("bad header: %d", bad.StatusCode)
	}
}

// TestHubImportCannotTakeOverAnotherDepartementsHub: a line with the UAI of a Jura hub and a
// Doubs commune is refused to the Doubs prefecture; the Jura hub keeps its name and place, and
// the Jura prefecture still reaches it.
func TestHubImportCannotTakeOverAnotherDepartementsHub(t *testing.T) {
	b, st := importApp(t)
	before := hubsSnapshot(t, st)
	var jura int64
	if err := st.DB().Get(&jura, `SELECT id FROM hub WHERE uai = '0390002B'`); err != nil {
		t.Fatal(err)
	}
	takeOver := importHeader + "0250003C;École des Prés;2 rue;25056;47.24;6.03;primaire\n" +
		"0390002B;École prise;1 rue du Doubs;25056;47.25;6.02;elementaire\n"
	for _, dry := range []bool{true, false} {
		res := b.importCSV(takeOver, dry)
		if res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(res.body, "Ligne 3 : l’établissement 0390002B est un pôle du département 39, hors de votre périmètre") {
			t.Errorf("dry run %v: %d, want 422 naming line 3", dry, res.StatusCode)
		}
	}
	if got := hubsSnapshot(t, st); got != before {
		t.Fatalf("the refused import changed the hubs:\n%s\nwas\n%s", got, before)
	}
	if res := b.get(fmt.Sprintf("/poles/%d", jura)); res.StatusCode != http.StatusNotFound {
		t.Errorf("the Doubs prefecture reaches the Jura hub: %d", res.StatusCode)
	}
	owner := newBrowser(t, b.app)
	owner.login("pref39@example.fr", goodPassword)
	if res := owner.get(fmt.Sprintf("/poles/%d", jura)); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "École Pasteur de Dole") {
		t.Errorf("the Jura prefecture on its own hub: %d", res.StatusCode)
	}
	// The rectorat oversees both départements: the same line moves the hub.
	rect := newBrowser(t, b.app)
	rect.login("rectorat@example.fr", goodPassword)
	if res := rect.importCSV(takeOver, false); res.StatusCode != http.StatusOK {
		t.Errorf("rectorat: %d", res.StatusCode)
	}
	var commune string
	if err := st.DB().Get(&commune, `SELECT commune_code FROM hub WHERE id = $1`, jura); err != nil || commune != "25056" {
		t.Errorf("after the rectorat's import the hub is in commune %q (%v), want 25056", commune, err)
	}
}

func TestHubImportRefusesFormulaCellsAndDuplicates(t *testing.T) {
	b, st := importApp(t)
	before := hubsSnapshot(t, st)
	file := importHeader +
		"0250003C;\"=HYPERLINK(\"\"http://evil.example\"\",\"\"École\"\")\";2 rue;25056;47.24;6.03;primaire\n" +
		"0250004D;École du Lac;@SUM(1+1);25056;47.24;6.03;primaire\n" +
		"0250005E;École du Pont;\t3 rue;25056;47.24;6.03;primaire\n" +
		"0250006F;École des Saules;4 rue;25056;47.24;6.03;primaire\n" +
		"0250007G;École des Lilas;5 rue;25056;47.24;-6.03;primaire\n" +
		"0250006f;École des Saules bis;6 rue;25056;47.24;6.03;primaire\n"
	res := b.importCSV(file, false)
	for _, want := range []string{
		"Ligne 2 : colonne « nom » : une cellule ne peut pas commencer par =",
		"Ligne 3 : colonne « adresse » : une cellule ne peut pas commencer par =",
		"Ligne 4 : colonne « adresse »",
		"Ligne 7 : UAI 0250006F déjà présent ligne 5",
		"4 ligne(s) refusée(s)",
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("status %d, want 422", res.StatusCode)
	}
	if strings.Contains(res.body, "Ligne 6") {
		t.Error("a negative longitude was taken for a formula")
	}
	if got := hubsSnapshot(t, st); got != before {
		t.Fatal("the refused import changed the hubs")
	}
}

// TestHubImportParseErrorsInTheReadersLanguage: a CSV syntax error names its line and column,
// in French, and in English in the English interface.
func TestHubImportParseErrorsInTheReadersLanguage(t *testing.T) {
	b, _ := importApp(t)
	file := importHeader + "0250003C;École des Prés;2 rue;25056;47.24;6.03;primaire\n" +
		"0250004D;École \"du\" Lac;3 rue;25056;47.24;6.03;primaire\n"
	res := b.importCSV(file, true)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Ligne 3 : guillemet « &#34; » inattendu en colonne") {
		t.Errorf("French: %d\n%s", res.StatusCode, regexpFind(t, res.body, `(?s)(<main.*</main>)`))
	}
	if strings.Contains(res.body, "bare") || strings.Contains(res.body, "parse error") {
		t.Error("the report shows Go's English error")
	}
	b.get("/langue?lang=en&next=/")
	res = b.importCSV(file, true)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Line 3: unexpected quote") || !strings.Contains(res.body, "nothing was kept") {
		t.Errorf("English: %d", res.StatusCode)
	}
}

// TestHubImportReadsAWindows1252File: a file saved by a spreadsheet in Windows-1252 is read
// with its accents, never a 500.
func TestHubImportReadsAWindows1252File(t *testing.T) {
	b, st := importApp(t)
	latin1 := []byte(importHeader + "0250003C;\xc9cole des Pr\xe9s;2 rue de l\x92\xc9glise;25056;47.24;6.03;\xe9l\xe9mentaire\n" +
		"0250004D;Coll\xe8ge Victor-Hugo;3 rue;25056;47.25;6.04;coll\xe8ge\n")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("csrf", b.csrf("/poles/import"))
	_ = w.WriteField("csv", "")
	fw, _ := w.CreateFormFile("file", "ecoles.csv")
	_, _ = fw.Write(latin1)
	_ = w.Close()
	req := httptest.NewRequest(http.MethodPost, "/poles/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res := b.do(req)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Windows-1252") {
		t.Fatalf("Windows-1252 upload: %d", res.StatusCode)
	}
	var name, address string
	if err := st.DB().QueryRow(`SELECT name, address FROM hub WHERE uai = '0250003C'`).Scan(&name, &address); err != nil ||
		name != "École des Prés" || address != "2 rue de l’Église" {
		t.Errorf("stored %q, %q (%v)", name, address, err)
	}
}

// TestHubImportTakesThePhone: a "telephone" column sets each hub's phone (written as ten
// digits, however typed); a bad number refuses the file, naming the line; a file without the
// column keeps the phones known.
func TestHubImportTakesThePhone(t *testing.T) {
	b, st := importApp(t)
	phoneOf := func(uai string) string {
		t.Helper()
		var p string
		if err := st.DB().Get(&p, `SELECT phone FROM hub WHERE uai = $1`, uai); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const withPhone = "uai;nom;adresse;code_commune;latitude;longitude;type;telephone\n"
	before := hubsSnapshot(t, st)
	res := b.importCSV(withPhone+"0250001A;École Jean-Macé;1 rue Jean-Macé;25056;47.25;6.02;elementaire;03 81 ab\n", false)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "Ligne 2 : téléphone non valide") || hubsSnapshot(t, st) != before {
		t.Fatalf("bad phone: %d, want 422 naming line 2 and nothing changed", res.StatusCode)
	}
	res = b.importCSV(withPhone+"0250001A;École Jean-Macé;1 rue Jean-Macé;25056;47.25;6.02;elementaire;+33 3 81 12 34 56\n"+
		"0259999Z;École Neuve;5 rue Neuve;25056;47.24;6.01;maternelle;03.81.65.43.21\n", false)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("import with phones: %d", res.StatusCode)
	}
	if got := phoneOf("0250001A"); got != "0381123456" {
		t.Errorf("updated hub's phone %q", got)
	}
	if got := phoneOf("0259999Z"); got != "0381654321" {
		t.Errorf("new hub's phone %q", got)
	}
	if res := b.importCSV(importHeader+"0250001A;École Jean-Macé;1 rue Jean-Macé;25056;47.25;6.02;elementaire\n", false); res.StatusCode != http.StatusOK {
		t.Fatalf("import without phones: %d", res.StatusCode)
	}
	if got := phoneOf("0250001A"); got != "0381123456" {
		t.Errorf("a file without the column changed the phone to %q", got)
	}
}
