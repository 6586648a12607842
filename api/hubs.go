package api

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/store"
)

// parseID reads an ID from a route, a form or a query: anything but a positive number is an
// object that does not exist (404), never a 500 or a hint.
func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// hubID reads the :id of a hub route.
func hubID(c *fiber.Ctx) (int64, error) { return parseID(c.Params("id")) }

// hubPage shows a hub and its capacity for the coming open days to the staff whose scope
// includes it; to anyone else it does not exist.
func (s *Server) hubPage(c *fiber.Ctx) error {
	id, err := hubID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	hub, err := s.store.HubInScope(ctx, scopeOf(c), id)
	if err != nil {
		return err
	}
	days, err := s.store.HubCalendar(ctx, scopeOf(c), hub.ID, s.today(), 10)
	if err != nil {
		return err
	}
	p := s.page(c, hub.Name)
	p.Data = struct {
		Hub    store.Hub
		Days   []store.HubCapacityDay
		Levers bool
		Notice *hubNotice
	}{hub, days, leversAllowed(session(c).Role), readHubNotice(c)}
	return s.renderPage(c, "hub", p)
}
