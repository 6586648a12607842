package api

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
)

// livez says the process answers; it never touches the database, so a database outage does not
// get healthy processes restarted.
func (s *Server) livez(c *fiber.Ctx) error {
	return c.SendString("ok")
}

// readyz says the process can serve: the database answers within two seconds.
func (s *Server) readyz(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("database unreachable")
	}
	return c.SendString("ok")
}
