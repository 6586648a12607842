package api

import (
	"fmt"
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

// occupancy is the overview of a day over the viewer's scope: totals and a sortable, filterable
// table of hubs, or the same as CSV (aggregates only, no child's name).
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
	waitlisted, err := s.store.WaitlistedInScope(ctx, sc, day)
	if err != nil {
		return err
	}
	q := strings.ToLower(strings.TrimSpace(c.Query("q")))
	state := c.Query("etat")
	totals := occupancyTotals{Waitlisted: waitlisted}
	var rows []occupancyRow
	for _, h := range hubs {
		r := occupancyRow{HubOccupancy: h}
		r.Percent, r.State = occupancyOf(h)
		totals.Hubs++
		totals.Capacity += h.Capacity
		totals.Proposed += h.Proposed
		totals.Confirmed += h.Confirmed
		totals.Present += h.Present
		if q != "" && !strings.Contains(strings.ToLower(h.Name+" "+h.Commune+" "+h.UAI), q) {
			continue
		}
		if state != "" && r.State != state {
			continue
		}
		rows = append(rows, r)
	}
	switch c.Query("tri") {
	case "occupation":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Percent > rows[j].Percent })
	case "attente":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].WaitingNearby > rows[j].WaitingNearby })
	case "commune":
		sort.SliceStable(rows, func(i, j int) bool { return rows[i].Commune < rows[j].Commune })
	}
	if c.Query("format") == "csv" {
		cw := csvResponse(c, "occupation-"+day.Format(time.DateOnly)+".csv")
		_ = cw.Write([]string{"Jour", "UAI", "Pôle", "Commune", "Département", "Capacité", "Places proposées", "Places confirmées", "Présents", "Occupation %", "En attente à proximité"})
		for _, r := range rows {
			_ = cw.Write(neutralise([]string{day.Format(time.DateOnly), r.UAI, r.Name, r.Commune, r.Departement, fmt.Sprint(r.Capacity),
				fmt.Sprint(r.Proposed), fmt.Sprint(r.Confirmed), fmt.Sprint(r.Present), fmt.Sprint(r.Percent), fmt.Sprint(r.WaitingNearby)}))
		}
		cw.Flush()
		return cw.Error()
	}
	// Alerts: nearly full and nearly empty hubs, communes with children waiting, and, past 10:00
	// on the day itself, hubs whose roll call has not started.
	var full, empty []occupancyRow
	for _, h := range hubs {
		r := occupancyRow{HubOccupancy: h}
		r.Percent, r.State = occupancyOf(h)
		switch r.State {
		case "full":
			full = append(full, r)
		case "empty":
			empty = append(empty, r)
		}
	}
	communes, err := s.store.WaitlistedByCommune(ctx, sc, day)
	if err != nil {
		return err
	}
	var silent []store.Hub
	now := s.store.Now().In(s.policy.Location)
	if day.Equal(s.today()) && now.Hour() >= 10 {
		if silent, err = s.store.HubsWithoutRollCall(ctx, sc, day); err != nil {
			return err
		}
	}
	coming, err := s.store.OpenDays(ctx, s.today(), 5)
	if err != nil {
		return err
	}
	p := s.page(c, frontend.T(s.lang(c), "occupancy.title"))
	p.Data = struct {
		Coming   []time.Time
		Day      time.Time
		Rows     []occupancyRow
		Totals   occupancyTotals
		Q        string
		State    string
		Sort     string
		Query    string
		Full     []occupancyRow
		Empty    []occupancyRow
		Communes []store.CommuneCount
		Silent   []store.Hub
	}{coming, day, rows, totals, c.Query("q"), state, c.Query("tri"), string(c.Request().URI().QueryString()), full, empty, communes, silent}
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
	return c.JSON(t)
}

// occupancyPeriodCSV exports the hubs' figures for every open day from du to au (at most two
// months): aggregates only, no child's name.
func (s *Server) occupancyPeriodCSV(c *fiber.Ctx, sc store.Scope) error {
	from, err1 := time.Parse(time.DateOnly, c.Query("du"))
	to, err2 := time.Parse(time.DateOnly, c.Query("au"))
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 62*24*time.Hour {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "period")
	}
	cw := csvResponse(c, "occupation-"+from.Format(time.DateOnly)+"-"+to.Format(time.DateOnly)+".csv")
	_ = cw.Write([]string{"Jour", "UAI", "Pôle", "Commune", "Département", "Capacité", "Places proposées", "Places confirmées", "Présents", "En attente à proximité"})
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
