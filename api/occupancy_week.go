package api

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// occupancyWeek is the overview of the coming five open days side by side: one row per hub, one
// cell per day, coloured like the day view. Like the day view, it pages by 50 hubs and takes a
// search (accents aside) and a département; its totals are those of every hub the filter keeps.
func (s *Server) occupancyWeek(c *fiber.Ctx) error {
	ctx := c.UserContext()
	sc := scopeOf(c)
	days, err := s.store.OpenDays(ctx, s.today(), 5)
	if err != nil {
		return err
	}
	hubs, err := s.store.OccupancyWeek(ctx, sc, days)
	if err != nil {
		return err
	}
	departements, err := s.store.DepartementsInScope(ctx, sc)
	if err != nil {
		return err
	}
	type cell struct {
		store.HubDayCount
		Percent int
		State   string
	}
	type row struct {
		store.HubWeek
		Cells []cell
	}
	f := occupancyFilterOf(c)
	var rows []row
	totals := make([]store.HubDayCount, len(days))
	for _, h := range hubs {
		if !f.finds(h.Name, h.Commune, h.UAI, h.Departement) {
			continue
		}
		r := row{HubWeek: h}
		for j, d := range h.Days {
			percent, state := occupancyOf(store.HubOccupancy{Capacity: d.Capacity, Confirmed: d.Placed})
			r.Cells = append(r.Cells, cell{HubDayCount: d, Percent: percent, State: state})
			totals[j].Capacity += d.Capacity
			totals[j].Placed += d.Placed
		}
		rows = append(rows, r)
	}
	query := url.Values{}
	for k, v := range map[string]string{"q": f.Search, "departement": f.Departement} {
		if v != "" {
			query.Set(k, v)
		}
	}
	pages := paginate("/occupation/semaine", query, len(rows), occupancyPageSize, f.Page)
	p := s.page(c, frontend.T(s.lang(c), "occupancy.week"))
	p.Data = struct {
		Days         []time.Time
		Rows         []row
		Matching     int
		Pages        pagination
		Totals       []store.HubDayCount
		Filter       occupancyFilter
		Departements []store.Departement
	}{days, rows[max(pages.First-1, 0):pages.Last], len(rows), pages, totals, f, departements}
	return s.renderPage(c, "occupancy_week", p)
}
