package api

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/store"
)

// leversAllowed: prefecture agents and the rectorat act on hubs; directors only run theirs.
func leversAllowed(r store.Role) bool {
	return r == store.RolePrefecture || r == store.RoleRectorat || r == store.RoleAdmin
}

// setCapacity changes a hub's capacity for a day and level; the children who lose their seat are
// placed again, or the waitlist is run when seats are added.
func (s *Server) setCapacity(c *fiber.Ctx) error {
	id, err := hubID(c)
	if err != nil {
		return err
	}
	sess := session(c)
	if !leversAllowed(sess.Role) {
		return store.ErrNotFound
	}
	day, err := time.Parse(time.DateOnly, c.FormValue("jour"))
	if err != nil || day.Before(s.today()) {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "day")
	}
	capacity, err := strconv.Atoi(c.FormValue("capacite"))
	if err != nil || capacity < 0 || capacity > 500 {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "capacity")
	}
	if _, err := s.store.SetCapacity(c.UserContext(), s.policy, scopeOf(c), id, day, store.Level(c.FormValue("niveau")), capacity); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/poles/%d", id), fiber.StatusSeeOther)
}

// closeHub closes a hub for one day (?jour=) or for good (no day); its children are re-placed.
func (s *Server) closeHub(c *fiber.Ctx) error {
	id, err := hubID(c)
	if err != nil {
		return err
	}
	sess := session(c)
	if !leversAllowed(sess.Role) {
		return store.ErrNotFound
	}
	sc := scopeOf(c)
	if d := c.FormValue("jour"); d != "" {
		day, err := time.Parse(time.DateOnly, d)
		if err != nil || day.Before(s.today()) {
			return fiber.NewError(fiber.StatusUnprocessableEntity, "day")
		}
		if _, err := s.store.CloseHubDay(c.UserContext(), s.policy, sc, id, day); err != nil {
			return err
		}
		if err := s.store.Audit(c.UserContext(), store.AuditEntry{AccountID: sess.ID, Action: "hub.close_day", ObjectType: "hub",
			ObjectID: strconv.FormatInt(id, 10), IP: c.IP(), HubID: id, Day: day, Details: map[string]any{"day": d}}); err != nil {
			return err
		}
	} else if err := s.store.CloseHub(c.UserContext(), s.policy, sc, id, s.today()); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/poles/%d", id), fiber.StatusSeeOther)
}
