package api

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// trendChart is one département's series drawn as SVG polylines (server-side: no script).
type trendChart struct {
	Departement string
	Points      []store.TrendPoint
	Max         int
	Placed      string // polyline points
	Present     string
	Waitlisted  string
	Labels      []trendLabel
}

type trendLabel struct {
	X    float64
	Text string
}

const chartW, chartH, chartPad = 640.0, 200.0, 24.0

func polyline(vals []int, max int) string {
	var b strings.Builder
	n := len(vals)
	for i, v := range vals {
		x := chartPad
		if n > 1 {
			x += float64(i) * (chartW - 2*chartPad) / float64(n-1)
		}
		y := chartH - chartPad - float64(v)*(chartH-2*chartPad)/float64(max)
		fmt.Fprintf(&b, "%.1f,%.1f ", x, y)
	}
	return strings.TrimSpace(b.String())
}

// trends shows, per département, the children placed, present and waiting day by day, over the
// two weeks before and after today.
func (s *Server) trends(c *fiber.Ctx) error {
	sc := scopeOf(c)
	today := s.today()
	points, err := s.store.Trends(c.UserContext(), sc, today.AddDate(0, 0, -14), today.AddDate(0, 0, 14))
	if err != nil {
		return err
	}
	var charts []trendChart
	for _, p := range points {
		if len(charts) == 0 || charts[len(charts)-1].Departement != p.Departement {
			charts = append(charts, trendChart{Departement: p.Departement})
		}
		ch := &charts[len(charts)-1]
		ch.Points = append(ch.Points, p)
		ch.Max = max(ch.Max, p.Placed, p.Present, p.Waitlisted)
	}
	for i := range charts {
		ch := &charts[i]
		ch.Max = max(ch.Max, 1)
		var placed, present, waiting []int
		for j, p := range ch.Points {
			placed, present, waiting = append(placed, p.Placed), append(present, p.Present), append(waiting, p.Waitlisted)
			x := chartPad
			if len(ch.Points) > 1 {
				x += float64(j) * (chartW - 2*chartPad) / float64(len(ch.Points)-1)
			}
			ch.Labels = append(ch.Labels, trendLabel{X: x, Text: p.Day.Format("02/01")})
		}
		ch.Placed, ch.Present, ch.Waitlisted = polyline(placed, ch.Max), polyline(present, ch.Max), polyline(waiting, ch.Max)
	}
	p := s.page(c, frontend.T(s.lang(c), "trends.title"))
	p.Data = struct {
		Charts []trendChart
		Today  time.Time
	}{charts, today}
	return s.renderPage(c, "trends", p)
}
