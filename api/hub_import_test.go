package api_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

func TestHubImportWithDryRun(t *testing.T) {
	app, st := newApp(t)
	ctx := context.Background()
	if err := st.LoadSeed(ctx, twoDepartements(nextWeekdays(1)[0])); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile("testdata/hubs-import.csv")
	if err != nil {
		t.Fatal(err)
	}
	hubs := func() int {
		var n int
		if err := st.DB().Get(&n, `SELECT count(*) FROM hub`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	b := newBrowser(t, app)
	b.login("pref25@example.fr", goodPassword)
	res := b.post("/poles/import", url.Values{"csrf": {b.csrf("/poles/import")}, "csv": {string(file)}, "dry_run": {"true"}})
	if res.StatusCode != 200 || !strings.Contains(res.body, "rien n’a été enregistré") {
		t.Fatalf("dry run: %d", res.StatusCode)
	}
	for _, want := range []string{"UAI invalide", "latitude ou longitude invalide", "type inconnu", "commune 99999 inconnue", "3 champs au lieu de 7", "hors de votre périmètre", "Créé", "Modifié"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("the dry-run report lacks %q", want)
		}
	}
	if hubs() != 2 {
		t.Fatalf("the dry run kept %d hubs, want the 2 of the seed", hubs())
	}
	res = b.post("/poles/import", url.Values{"csrf": {b.csrf("/poles/import")}, "csv": {string(file)}})
	if res.StatusCode != 200 || !strings.Contains(res.body, "Rapport d’import") {
		t.Fatalf("import: %d", res.StatusCode)
	}
	if hubs() != 3 {
		t.Errorf("after the import: %d hubs, want 3 (one created, the Jura line refused)", hubs())
	}
	var levels, days int
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
	dir := newBrowser(t, app)
	dir.login("dir25@example.fr", goodPassword)
	if res := dir.get("/poles/import"); res.StatusCode != http.StatusNotFound {
		t.Errorf("director: %d", res.StatusCode)
	}
	bad := b.post("/poles/import", url.Values{"csrf": {b.csrf("/poles/import")}, "csv": {"pas;un;entete\n1;2;3"}, "dry_run": {"true"}})
	if bad.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "colonne « uai » absente") {
		t.Errorf("bad header: %d", bad.StatusCode)
	}
}
