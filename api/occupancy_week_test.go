package api_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestOccupancyWeekPagesAndFilters: on the demo académie (395 hubs), the week view shows 50
// hubs a page and every hub open in the week once over its pages; its search ignores accents,
// its département filter keeps exactly its hubs, and its totals are those of every hub the
// filter keeps (not of a page), equal to a plain SQL sum; a prefecture agent asking for
// another département gets none of its hubs.
func TestOccupancyWeekPagesAndFilters(t *testing.T) {
	app, st := newApp(t)
	ctx := context.Background()
	seed, _ := demo.Generate(2021, pgtest.Today())
	if err := st.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AllocateDays(ctx, store.DefaultAllocationPolicy(), seed.OpenDays, false, 3, 0); err != nil {
		t.Fatal(err)
	}
	days, err := st.OpenDays(ctx, store.DefaultAllocationPolicy().Today(st.Now()), 5)
	if err != nil || len(days) == 0 {
		t.Fatalf("open days: %v %v", days, err)
	}
	var dayList []string
	for _, d := range days {
		dayList = append(dayList, d.Format(time.DateOnly))
	}
	// hubs are the IDs of the hubs open on one of the week's days that cond on h and c keeps.
	hubs := func(cond string) []string {
		t.Helper()
		var ids []string
		if err := st.DB().Select(&ids, `SELECT h.id::text FROM hub h JOIN commune c ON c.insee_code = h.commune_code
			WHERE EXISTS (SELECT 1 FROM hub_day_capacity x WHERE x.hub_id = h.id AND x.day = ANY($1)) AND `+cond, pq.Array(dayList)); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	rect := newBrowser(t, app)
	rect.login(demo.RectoratEmail, demo.StaffPassword)

	all := hubs("true")
	if len(all) < 300 {
		t.Fatalf("the demo has %d hubs open in the week", len(all))
	}
	first := rect.get("/occupation/semaine")
	if n := len(hubRow.FindAllString(first.body, -1)); n != 50 {
		t.Errorf("first page: %d rows, want 50", n)
	}
	if want := fmt.Sprintf("Pôles 1 à 50 sur %d", len(all)); !strings.Contains(strings.ReplaceAll(first.body, "\u202f", ""), want) {
		t.Errorf("first page does not say %q", want)
	}
	if got := occupancyRows(t, rect, "/occupation/semaine"); !sameIDs(got, all) {
		t.Errorf("the pages show %d hubs, SQL counts %d open in the week", len(got), len(all))
	}

	besancon := hubs(`lower(h.name || ' ' || c.name) LIKE '%besançon%'`)
	if len(besancon) < 10 {
		t.Fatalf("only %d hubs in Besançon", len(besancon))
	}
	if got := occupancyRows(t, rect, "/occupation/semaine?q=BESANCON"); !sameIDs(got, besancon) {
		t.Errorf("search BESANCON: %d hubs, want the %d of Besançon", len(got), len(besancon))
	}

	jura := hubs(`c.departement_code = '39'`)
	if got := occupancyRows(t, rect, "/occupation/semaine?departement=39"); !sameIDs(got, jura) || len(jura) == 0 {
		t.Errorf("département 39: %d hubs, want %d", len(got), len(jura))
	}
	// The totals of the Jura's first page are the Jura's, every hub of it, day by day.
	page := rect.get("/occupation/semaine?departement=39")
	foot := regexp.MustCompile(`(?s)<tfoot>(.*)</tfoot>`).FindStringSubmatch(page.body)
	if foot == nil {
		t.Fatal("no totals in the filtered week view")
	}
	cells := regexp.MustCompile(`<td[^>]*>(\d+)/(\d+)</td>`).FindAllStringSubmatch(strings.ReplaceAll(foot[1], "\u202f", ""), -1)
	if len(cells) != len(days) {
		t.Fatalf("%d total cells for %d days", len(cells), len(days))
	}
	for i, d := range days {
		var placed, capacity int
		if err := st.DB().QueryRow(`SELECT COALESCE(sum(x.placed), 0), COALESCE(sum(x.capacity), 0) FROM hub_day_capacity x
			JOIN hub h ON h.id = x.hub_id JOIN commune c ON c.insee_code = h.commune_code WHERE x.day = $1 AND c.departement_code = '39'`, d).Scan(&placed, &capacity); err != nil {
			t.Fatal(err)
		}
		if cells[i][1] != fmt.Sprint(placed) || cells[i][2] != fmt.Sprint(capacity) {
			t.Errorf("Jura total of %s: %s/%s, SQL %d/%d", dayList[i], cells[i][1], cells[i][2], placed, capacity)
		}
	}
	if none := rect.get("/occupation/semaine?q=aucun-pole-de-ce-nom"); none.StatusCode != 200 || !strings.Contains(none.body, "Aucun pôle ne correspond") {
		t.Errorf("a search that finds nothing: %d", none.StatusCode)
	}

	pref := newBrowser(t, app)
	pref.login("prefecture25@demo.test", demo.StaffPassword)
	if got := occupancyRows(t, pref, "/occupation/semaine"); !sameIDs(got, hubs(`c.departement_code = '25'`)) {
		t.Errorf("the Doubs agent's week view shows %d hubs, not the Doubs'", len(got))
	}
	if other := pref.get("/occupation/semaine?departement=39"); len(hubRow.FindAllString(other.body, -1)) != 0 || strings.Contains(other.body, `value="39"`) {
		t.Error("the Doubs agent filtering on the Jura sees its hubs or is offered it")
	}
}
