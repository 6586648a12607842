package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/geo"
)

type mapHub struct {
	ID       int64   `json:"id"`
	Name     string  `json:"name"`
	Commune  string  `json:"commune"`
	Lat      float64 `json:"lat"`
	Lon      float64 `json:"lon"`
	Capacity int     `json:"capacity"`
	Placed   int     `json:"placed"`
	Present  int     `json:"present"`
	Percent  int     `json:"percent"`
	State    string  `json:"state"`
}

// mapPage draws the hubs over the département outlines, with no tile server: it works offline.
func (s *Server) mapPage(c *fiber.Ctx) error {
	day, err := s.shownDay(c)
	if err != nil {
		return err
	}
	p := s.page(c, frontend.T(s.lang(c), "map.title"))
	p.Data = struct{ Day time.Time }{day}
	return s.renderPage(c, "map", p)
}

// mapData is the map's JSON: the hubs of the viewer's scope with their occupancy, and the
// children waiting by commune.
func (s *Server) mapData(c *fiber.Ctx) error {
	ctx := c.UserContext()
	sc := scopeOf(c)
	day, err := s.shownDay(c)
	if err != nil {
		return err
	}
	hubs, err := s.store.Occupancy(ctx, sc, day, s.policy.MaxDistanceKm)
	if err != nil {
		return err
	}
	waiting, err := s.store.WaitlistedByCommune(ctx, sc, day)
	if err != nil {
		return err
	}
	out := make([]mapHub, len(hubs))
	for i, h := range hubs {
		m := mapHub{ID: h.ID, Name: h.Name, Commune: h.Commune, Lat: h.Lat, Lon: h.Lon, Capacity: h.Capacity,
			Placed: h.Placed(), Present: h.Present}
		m.Percent, m.State = occupancyOf(h)
		out[i] = m
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"day": day.Format(time.DateOnly), "hubs": out, "waiting": communeCountAnswers(waiting), "attribution": frontend.T(s.lang(c), "geo.attribution")})
}

// departementOutlines serves the outlines drawn under the hubs (public reference data).
func (s *Server) departementOutlines(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "application/geo+json")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(geo.DepartementsGeoJSON)
}
