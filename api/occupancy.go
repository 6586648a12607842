package api

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// Occupancy thresholds of the colour codes and alerts (issue 6): above 90 % a hub is nearly
// full, under 20 % nearly empty.
const (
	fullPercent  = 90
	emptyPercent = 20
)

type occupancyRow struct {
	store.HubOccupancy
	Percent int
	State   string // full, empty or ok
}

// occupancyOf is a hub's occupancy in percent and its colour code.
func occupancyOf(h store.HubOccupancy) (percent int, state string) {
	if h.Capacity > 0 {
		percent = (h.Placed()*100 + h.Capacity/2) / h.Capacity
	}
	switch {
	case percent > fullPercent:
		return percent, "full"
	case percent < emptyPercent:
		return percent, "empty"
	}
	return percent, "ok"
}

type occupancyTotals struct {
	Hubs, Capacity, Proposed, Confirmed, Present, Waitlisted int
}

// occupancyPageSize is the number of hubs a page of the overview shows: a screen or two, and
// the whole académie (395 hubs) in eight pages.
const occupancyPageSize = 50

// stateSilent is the filter of the hubs that have not started the roll call by 10:00.
const stateSilent = "silent"

// occupancyFilter is what the overview's form asks: every field optional, unknown values
// ignored (a filter never errors: it shows fewer or more rows).
type occupancyFilter struct {
	Search      string // as typed
	folded      string
	State       string // full, empty, ok or silent
	Departement string
	Sort        string
	Page        int
}

func occupancyFilterOf(c *fiber.Ctx) occupancyFilter {
	f := occupancyFilter{Search: strings.TrimSpace(c.Query("q")), State: c.Query("etat"), Departement: c.Query("departement"),
		Sort: c.Query("tri"), Page: c.QueryInt("page", 1)}
	f.folded = fold(f.Search)
	return f
}

// finds says whether the search and the département of the filter keep a hub: its name,
// commune or UAI holds the search, accents and case aside.
func (f occupancyFilter) finds(name, commune, uai, departement string) bool {
	if f.folded != "" && !strings.Contains(fold(name+" "+commune+" "+uai), f.folded) {
		return false
	}
	return f.Departement == "" || departement == f.Departement
}

// keeps says whether the filter keeps hub r; silent holds the hubs without a roll call.
func (f occupancyFilter) keeps(r occupancyRow, silent map[int64]bool) bool {
	if !f.finds(r.Name, r.Commune, r.UAI, r.Departement) {
		return false
	}
	switch f.State {
	case "":
	case stateSilent:
		return silent[r.ID]
	default:
		return r.State == f.State
	}
	return true
}

// occupancyAlerts are the alerts of the day as counts, each linking to the table filtered on it.
type occupancyAlerts struct {
	Full, Empty, Silent int
	Waiting             int // child-days on the waitlist of the scope
	Communes            []store.CommuneCount
}

// occupancy is the overview of a day over the viewer's scope: totals, alerts as counts and a
// filterable, sortable table of hubs by pages, or the same rows as CSV (aggregates only, no
// child's name, every page).
func (s *Server) occupancy(c *fiber.Ctx) error {
	ctx := c.UserContext()
	sc := scopeOf(c)
	day, err := s.shownDay(c)
	if err != nil {
		return err
	}
	if c.Query("format") == "csv" && c.Query("au") != "" {
		return s.occupancyPeriodCSV(c, sc)
	}
	hubs, err := s.store.Occupancy(ctx, sc, day, s.policy.MaxDistanceKm)
	if err != nil {
		return err
	}
	// Past 10:00 on the day itself, the hubs whose roll call has not started.
	silent := map[int64]bool{}
	now := s.store.Now().In(s.policy.Location)
	if day.Equal(s.today()) && now.Hour() >= 10 {
		hs, err := s.store.HubsWithoutRollCall(ctx, sc, day)
		if err != nil {
			return err
		}
		for _, h := range hs {
			silent[h.ID] = true
		}
	}
	f := occupancyFilterOf(c)
	totals := occupancyTotals{}
	alerts := occupancyAlerts{Silent: len(silent)}
	var rows []occupancyRow
	for _, h := range hubs {
		r := occupancyRow{HubOccupancy: h}
		r.Percent, r.State = occupancyOf(h)
		totals.Hubs++
		totals.Capacity += h.Capacity
		totals.Proposed += h.Proposed
		totals.Confirmed += h.Confirmed
		totals.Present += h.Present
		switch r.State {
		case "full":
			alerts.Full++
		case "empty":
			alerts.Empty++
		}
		if f.keeps(r, silent) {
			rows = append(rows, r)
		}
	}
	switch f.Sort {
	case "occupation":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Percent > rows[j].Percent })
	case "attente":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].WaitingNearby > rows[j].WaitingNearby })
	case "commune":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Commune < rows[j].Commune })
	}
	if c.Query("format") == "csv" {
		cw := csvResponse(c, "occupation-"+day.Format(time.DateOnly)+".csv")
		_ = cw.Write(occupancyCSVHeader(s.lang(c), true))
		for _, r := range rows {
			_ = cw.Write(neutralise([]string{day.Format(time.DateOnly), r.UAI, r.Name, r.Commune, r.Departement, fmt.Sprint(r.Capacity),
				fmt.Sprint(r.Proposed), fmt.Sprint(r.Confirmed), fmt.Sprint(r.Present), fmt.Sprint(r.Percent), fmt.Sprint(r.WaitingNearby)}))
		}
		cw.Flush()
		return cw.Error()
	}
	if totals.Waitlisted, err = s.store.WaitlistedInScope(ctx, sc, day); err != nil {
		return err
	}
	alerts.Waiting = totals.Waitlisted
	if alerts.Communes, err = s.store.WaitlistedByCommune(ctx, sc, day); err != nil {
		return err
	}
	departements, err := s.store.DepartementsInScope(ctx, sc)
	if err != nil {
		return err
	}
	coming, err := s.store.OpenDays(ctx, s.today(), 5)
	if err != nil {
		return err
	}
	// The links of the pages and the exports keep the day and the filters.
	query := url.Values{"jour": {day.Format(time.DateOnly)}}
	for k, v := range map[string]string{"q": f.Search, "etat": f.State, "departement": f.Departement, "tri": f.Sort} {
		if v != "" {
			query.Set(k, v)
		}
	}
	pages := paginate("/occupation", query, len(rows), occupancyPageSize, f.Page)
	shown := rows[max(pages.First-1, 0):pages.Last]
	csvQuery := url.Values{"format": {"csv"}}
	for k, v := range query {
		csvQuery[k] = v
	}
	p := s.page(c, frontend.T(s.lang(c), "occupancy.title"))
	p.Data = struct {
		Coming       []time.Time
		Day          time.Time
		Rows         []occupancyRow
		Matching     int
		Pages        pagination
		Totals       occupancyTotals
		Alerts       occupancyAlerts
		Filter       occupancyFilter
		Departements []store.Departement
		CSV          string
	}{coming, day, shown, len(rows), pages, totals, alerts, f, departements, "/occupation?" + csvQuery.Encode()}
	return s.renderPage(c, "occupancy", p)
}

// occupancyTotals is the overview's headline as JSON, polled by the page every 30 seconds so
// that it follows bookings and roll calls without a reload.
func (s *Server) occupancyTotalsJSON(c *fiber.Ctx) error {
	day, err := s.shownDay(c)
	if err != nil {
		return err
	}
	t, err := s.store.Totals(c.UserContext(), scopeOf(c), day)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(totalsAnswerOf(t))
}

// occupancyPeriodCSV exports the hubs' figures for every open day from du to au (at most two
// months): aggregates only, no child's name.
func (s *Server) occupancyPeriodCSV(c *fiber.Ctx, sc store.Scope) error {
	from, err1 := time.Parse(time.DateOnly, c.Query("du"))
	to, err2 := time.Parse(time.DateOnly, c.Query("au"))
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 62*24*time.Hour {
		return fieldError("du", "La période, de « du » à « au », doit aller d’une date (AAAA-MM-JJ) à une autre, deux mois au plus.", "The period, from “du” to “au”, must run from one date (YYYY-MM-DD) to another, two months at most.")
	}
	cw := csvResponse(c, "occupation-"+from.Format(time.DateOnly)+"-"+to.Format(time.DateOnly)+".csv")
	_ = cw.Write(occupancyCSVHeader(s.lang(c), false))
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		hubs, err := s.store.Occupancy(c.UserContext(), sc, d, s.policy.MaxDistanceKm)
		if err != nil {
			return err
		}
		for _, h := range hubs {
			_ = cw.Write(neutralise([]string{d.Format(time.DateOnly), h.UAI, h.Name, h.Commune, h.Departement, fmt.Sprint(h.Capacity),
				fmt.Sprint(h.Proposed), fmt.Sprint(h.Confirmed), fmt.Sprint(h.Present), fmt.Sprint(h.WaitingNearby)}))
		}
	}
	cw.Flush()
	return cw.Error()
}

// occupancyCSVHeader is the first line of the overview's CSV exports, in the visitor's language;
// withPercent adds the occupancy column of the day's export.
func occupancyCSVHeader(lang frontend.Lang, withPercent bool) []string {
	keys := []string{"home.day", "csv.uai", "home.hub", "occupancy.commune", "occupancy.departement", "home.capacity",
		"occupancy.proposed", "occupancy.confirmed", "csv.present", "csv.percent", "csv.waiting"}
	if !withPercent {
		keys = slices.Delete(keys, 9, 10)
	}
	return csvHeader(lang, keys...)
}
