package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// occupancyWeek is the overview of the coming five open days side by side: one row per hub, one
// cell per day, coloured like the day view.
func (s *Server) occupancyWeek(c *fiber.Ctx) error {
	ctx := c.UserContext()
	days, err := s.store.OpenDays(ctx, s.today(), 5)
	if err != nil {
		return err
	}
	hubs, err := s.store.OccupancyWeek(ctx, scopeOf(c), days)
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
	rows := make([]row, len(hubs))
	totals := make([]store.HubDayCount, len(days))
	for i, h := range hubs {
		rows[i] = row{HubWeek: h}
		for j, d := range h.Days {
			percent, state := occupancyOf(store.HubOccupancy{Capacity: d.Capacity, Confirmed: d.Placed})
			rows[i].Cells = append(rows[i].Cells, cell{HubDayCount: d, Percent: percent, State: state})
			totals[j].Capacity += d.Capacity
			totals[j].Placed += d.Placed
		}
	}
	p := s.page(c, frontend.T(s.lang(c), "occupancy.week"))
	p.Data = struct {
		Days   []time.Time
		Rows   []row
		Totals []store.HubDayCount
	}{days, rows, totals}
	return s.renderPage(c, "occupancy_week", p)
}
