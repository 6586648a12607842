package api_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestOccupancyIsExact: after random bookings, cancellations and check-ins on the demo académie,
// every total of the overview equals a plain SQL count, in each scope.
func TestOccupancyIsExact(t *testing.T) {
	app, st := newApp(t)
	ctx := context.Background()
	today := pgtest.Today()
	seed, _ := demo.Generate(2021, today)
	if err := st.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}
	p := store.DefaultAllocationPolicy()
	day := seed.OpenDays[1]
	if _, err := st.AllocateDays(ctx, p, seed.OpenDays[:5], false, 3, 0); err != nil {
		t.Fatal(err)
	}
	// Random cancellations, a capacity cut and roll-call marks straight in the tables.
	r := rand.New(rand.NewPCG(7, 7))
	var placed []struct {
		Child int64 `db:"child_id"`
		Acc   int64 `db:"account_id"`
		Hub   int64 `db:"hub_id"`
	}
	if err := st.DB().Select(&placed, `SELECT p.child_id, h.account_id, p.hub_id FROM placement p JOIN child c ON c.id = p.child_id JOIN household h ON h.id = c.household_id WHERE p.day = $1 ORDER BY p.child_id`, day); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		x := placed[r.IntN(len(placed))]
		_, _ = st.CancelBooking(ctx, p, x.Acc, x.Child, day)
	}
	for i := 0; i < 200; i++ {
		x := placed[r.IntN(len(placed))]
		_, _ = st.DB().Exec(`INSERT INTO attendance (child_id, day, hub_id, status, arrived_at) SELECT child_id, day, hub_id, 'present', '08:00' FROM placement WHERE child_id = $1 AND day = $2 ON CONFLICT DO NOTHING`, x.Child, day)
	}
	// A cut down to the children already present (who keep their seats): the others move.
	var present int
	if err := st.DB().Get(&present, `SELECT count(*) FROM attendance a JOIN placement p USING (child_id, day) WHERE p.hub_id = $1 AND p.day = $2 AND p.level = 'elementaire' AND a.status = 'present'`, placed[0].Hub, day); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetCapacity(ctx, p, store.Scope{Role: store.RoleRectorat}, placed[0].Hub, day, store.Elementaire, present); err != nil && !errors.Is(err, store.ErrInvalid) {
		t.Fatal(err)
	}
	stat := regexp.MustCompile(`id="total-([a-z]+)">([\d\x{202f}]+)<`)
	for _, login := range []struct{ email, dep string }{{demo.RectoratEmail, ""}, {"prefecture25@demo.test", "25"}, {"prefecture90@demo.test", "90"}} {
		b := newBrowser(t, app)
		b.login(login.email, demo.StaffPassword)
		res := b.get("/occupation?jour=" + day.Format(time.DateOnly))
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", login.email, res.StatusCode)
		}
		if strings.Contains(res.body, "%!") {
			t.Errorf("%s: a badly formatted message on the page", login.email)
		}
		if !strings.Contains(res.body, "Alertes") || !strings.Contains(res.body, "/feuilles/"+day.Format(time.DateOnly)+"?format=pdf") {
			t.Errorf("%s: no alert section", login.email)
		}
		shown := map[string]int{}
		for _, m := range stat.FindAllStringSubmatch(res.body, -1) {
			shown[m[1]], _ = strconv.Atoi(strings.ReplaceAll(m[2], "\u202f", ""))
		}
		want := map[string]int{}
		count := func(key, q string) {
			var n int
			if err := st.DB().Get(&n, q, day, login.dep); err != nil {
				t.Fatal(err)
			}
			want[key] = n
		}
		inScope := `JOIN hub h ON h.id = x.hub_id JOIN commune c ON c.insee_code = h.commune_code WHERE x.day = $1 AND ($2 = '' OR c.departement_code = $2)`
		count("hubs", `SELECT count(DISTINCT x.hub_id) FROM hub_day_capacity x `+inScope)
		count("capacity", `SELECT COALESCE(sum(x.capacity), 0) FROM hub_day_capacity x `+inScope)
		count("proposed", `SELECT count(*) FROM placement x `+inScope+` AND x.status = 'proposed'`)
		count("confirmed", `SELECT count(*) FROM placement x `+inScope+` AND x.status = 'confirmed'`)
		count("present", `SELECT count(*) FROM attendance x `+inScope+` AND x.status = 'present'`)
		count("waitlisted", `SELECT count(*) FROM waitlist_entry w JOIN child ch ON ch.id = w.child_id JOIN household hh ON hh.id = ch.household_id JOIN commune c ON c.insee_code = hh.home_commune_code WHERE w.day = $1 AND ($2 = '' OR c.departement_code = $2)`)
		for k, v := range want {
			if shown[k] != v {
				t.Errorf("%s: %s shows %d, SQL counts %d", login.email, k, shown[k], v)
			}
		}
		// The live totals say the same.
		live := b.get("/api/occupation?jour=" + day.Format(time.DateOnly))
		for k, v := range want {
			if !strings.Contains(live.body, fmt.Sprintf(`"%s":%d`, k, v)) {
				t.Errorf("%s: live totals %s, want %s=%d", login.email, live.body, k, v)
			}
		}
		// The rows, page after page, are the hubs of the scope and only those.
		rows := occupancyRows(t, b, "/occupation?jour="+day.Format(time.DateOnly))
		if len(rows) != want["hubs"] {
			t.Errorf("%s: %d rows for %d hubs", login.email, len(rows), want["hubs"])
		}
		if login.dep != "" {
			var outside int
			for _, id := range rows {
				var dep string
				if err := st.DB().Get(&dep, `SELECT c.departement_code FROM hub h JOIN commune c ON c.insee_code = h.commune_code WHERE h.id = $1`, id); err != nil || dep != login.dep {
					outside++
				}
			}
			if outside > 0 {
				t.Errorf("%s sees %d hubs of another département", login.email, outside)
			}
		}
		csv := b.get("/occupation?format=csv&jour=" + day.Format(time.DateOnly))
		if !strings.HasPrefix(csv.body, "\ufeff") || strings.Count(csv.body, "\n") != want["hubs"]+1 {
			t.Errorf("%s CSV: %d lines for %d hubs", login.email, strings.Count(csv.body, "\n"), want["hubs"])
		}
	}
	// The week view's totals equal the placements and capacities of each coming day.
	rect := newBrowser(t, app)
	rect.login(demo.RectoratEmail, demo.StaffPassword)
	week := rect.get("/occupation/semaine")
	foot := regexp.MustCompile(`(?s)<tfoot>(.*)</tfoot>`).FindStringSubmatch(week.body)
	if foot == nil {
		t.Fatal("no totals in the week view")
	}
	cells := regexp.MustCompile(`<td[^>]*>([\d\x{202f}]+)/([\d\x{202f}]+)</td>`).FindAllStringSubmatch(strings.ReplaceAll(foot[1], "\u202f", ""), -1)
	open, err := st.OpenDays(ctx, p.Today(st.Now()), 5)
	if err != nil || len(cells) != len(open) {
		t.Fatalf("week totals: %d cells for %d days (%v)", len(cells), len(open), err)
	}
	for i, d := range open {
		var placedN, capN int
		if err := st.DB().Get(&placedN, `SELECT count(*) FROM placement WHERE day = $1`, d); err != nil {
			t.Fatal(err)
		}
		if err := st.DB().Get(&capN, `SELECT COALESCE(sum(capacity), 0) FROM hub_day_capacity WHERE day = $1`, d); err != nil {
			t.Fatal(err)
		}
		if cells[i][1] != fmt.Sprint(placedN) || cells[i][2] != fmt.Sprint(capN) {
			t.Errorf("week view %s: %s/%s, SQL %d/%d", d.Format(time.DateOnly), cells[i][1], cells[i][2], placedN, capN)
		}
	}
	// The period CSV has a line per hub and open day; the map data follows the scope.
	pref := newBrowser(t, app)
	pref.login("prefecture25@demo.test", demo.StaffPassword)
	period := pref.get("/occupation?format=csv&du=" + seed.OpenDays[0].Format(time.DateOnly) + "&au=" + seed.OpenDays[4].Format(time.DateOnly))
	var hubDays int
	if err := st.DB().Get(&hubDays, `SELECT count(DISTINCT (x.hub_id, x.day)) FROM hub_day_capacity x JOIN hub h ON h.id = x.hub_id JOIN commune c ON c.insee_code = h.commune_code WHERE c.departement_code = '25' AND x.day BETWEEN $1 AND $2`, seed.OpenDays[0], seed.OpenDays[4]); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(period.body, "\n"); n != hubDays+1 {
		t.Errorf("period CSV: %d lines for %d hub-days", n, hubDays)
	}
	mapData := pref.get("/api/carte?jour=" + day.Format(time.DateOnly))
	var jura int
	if err := st.DB().Get(&jura, `SELECT count(*) FROM hub h JOIN commune c ON c.insee_code = h.commune_code WHERE c.departement_code <> '25'`); err != nil {
		t.Fatal(err)
	}
	if strings.Count(mapData.body, `"state"`) != want25(t, st, day) {
		t.Errorf("map data for the Doubs agent: %d hubs", strings.Count(mapData.body, `"state"`))
	}
	dir := newBrowser(t, app)
	dir.login(demo.DirectorEmail, demo.StaffPassword)
	if res := dir.get("/api/carte"); res.StatusCode != 404 {
		t.Errorf("director map data: %d", res.StatusCode)
	}
	if res := dir.get("/occupation"); res.StatusCode != 404 {
		t.Errorf("director: %d, want 404", res.StatusCode)
	}
}

func want25(t *testing.T, st *store.Store, day time.Time) int {
	t.Helper()
	var n int
	if err := st.DB().Get(&n, `SELECT count(DISTINCT x.hub_id) FROM hub_day_capacity x JOIN hub h ON h.id = x.hub_id JOIN commune c ON c.insee_code = h.commune_code WHERE c.departement_code = '25' AND x.day = $1`, day); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWeekendPagesShowTheNextOpenDay: on a Saturday night no hub is open; the overview, the
// map's data and a hub's sheet show the Monday, and ?jour= still picks any day.
func TestWeekendPagesShowTheNextOpenDay(t *testing.T) {
	saturday := time.Date(2026, 12, 5, 23, 40, 0, 0, store.DefaultAllocationPolicy().Location)
	monday := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	app, st := newAppAt(t, api.DefaultConfig(), saturday)
	loadAndPlace(t, st, twoDepartements(monday), monday)
	b := newBrowser(t, app)
	b.login("pref25@example.fr", goodPassword)
	if res := b.get("/occupation"); !strings.Contains(res.body, `value="2026-12-07"`) || !strings.Contains(res.body, `id="total-hubs">1<`) {
		t.Errorf("Saturday's overview does not show Monday's hub:\n%s", res.body)
	}
	if res := b.get("/api/carte"); !strings.Contains(res.body, `"day":"2026-12-07"`) || !strings.Contains(res.body, "Jean-Macé") {
		t.Errorf("Saturday's map data: %s", res.body)
	}
	if res := b.get("/api/carte?jour=2026-12-05"); !strings.Contains(res.body, `"day":"2026-12-05"`) || strings.Contains(res.body, "Jean-Macé") {
		t.Errorf("the map of the Saturday itself: %s", res.body)
	}
	hubs, _ := st.HubIDsByUAI(context.Background(), []string{"0250001A"})
	if res := b.get(fmt.Sprintf("/poles/%d/feuille?format=csv", hubs[0])); res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), "2026-12-07") {
		t.Errorf("Saturday's sheet: %d %s", res.StatusCode, res.Header.Get("Content-Disposition"))
	}
}
