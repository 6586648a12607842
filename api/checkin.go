package api

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// checkinDay reads ?jour=, today by default.
func (s *Server) checkinDay(c *fiber.Ctx) time.Time {
	if d, err := time.Parse(time.DateOnly, c.Query("jour", c.FormValue("jour"))); err == nil {
		return d
	}
	return s.today()
}

// rollCallReadWindow is how long a director's roll call of the same children counts as one
// reading in the access log (the page reloads after every tap).
const rollCallReadWindow = 15 * time.Minute

// checkinPage is the roll call of a hub for a day, made for a tablet: one row per child, big
// buttons, one tap records now.
func (s *Server) checkinPage(c *fiber.Ctx) error {
	id, err := hubID(c)
	if err != nil {
		return err
	}
	sc := scopeOf(c)
	ctx := c.UserContext()
	hub, err := s.store.HubInScope(ctx, sc, id)
	if err != nil {
		return err
	}
	day := s.checkinDay(c)
	list, err := s.store.RollCallOf(ctx, sc, id, day)
	if err != nil {
		return err
	}
	walkIns, err := s.store.WalkInCandidates(ctx, s.policy, sc, id, day, c.Query("nom"))
	if err != nil {
		return err
	}
	present := 0
	shown := make([]int64, 0, len(list)+len(walkIns))
	for _, r := range list {
		if r.Status == "present" {
			present++
		}
		shown = append(shown, r.ChildID)
	}
	for _, w := range walkIns {
		shown = append(shown, w.ChildID)
	}
	details := map[string]any{}
	if q := c.Query("nom"); q != "" {
		details["search"] = true // what was typed is a name: not kept
	}
	if err := s.store.AuditReading(ctx, store.AuditEntry{AccountID: sc.AccountID, Action: "rollcall.view", ObjectType: "hub",
		ObjectID: strconv.FormatInt(id, 10), IP: sc.IP, HubID: id, Day: day, ChildIDs: shown, Details: details}, rollCallReadWindow); err != nil {
		return err
	}
	p := s.page(c, frontend.T(s.lang(c), "checkin.title"))
	p.Data = struct {
		Hub       store.Hub
		Day       time.Time
		Today     bool
		Yesterday time.Time
		List      []store.RollCall
		Present   int
		Now       string
		Search    string
		WalkIns   []store.WalkIn
		MaxKm     float64
	}{hub, day, day.Equal(s.today()), s.today().AddDate(0, 0, -1), list, present, s.store.Now().In(s.policy.Location).Format("15:04"),
		c.Query("nom"), walkIns, s.policy.MaxDistanceKm}
	return s.renderPage(c, "checkin", p)
}

// takeIn adds a child who is not on the list, one the search shows (store.TakeIn has the
// rules): any other child is 404, whatever its ID.
func (s *Server) takeIn(c *fiber.Ctx) error {
	id, err := hubID(c)
	if err != nil {
		return err
	}
	child, err := parseID(c.FormValue("child"))
	if err != nil {
		return err
	}
	day := s.checkinDay(c)
	if !day.Equal(s.today()) {
		return fieldError("jour", "Un enfant ne peut être accueilli qu’aujourd’hui (« jour »).", "A child can be taken in today only (“jour”).")
	}
	if err := s.store.TakeIn(c.UserContext(), s.policy, scopeOf(c), id, day, child); err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/poles/%d/appel#enfant-%d", id, child), fiber.StatusSeeOther)
}

// recordMark takes one tap of the roll call. The time is now unless the form gives one (marks
// copied from the paper sheet).
func (s *Server) recordMark(c *fiber.Ctx) error {
	id, err := hubID(c)
	if err != nil {
		return err
	}
	child, err := parseID(c.FormValue("child"))
	if err != nil {
		return err
	}
	day := s.checkinDay(c)
	at := c.FormValue("at")
	if at == "" {
		at = s.store.Now().In(s.policy.Location).Format("15:04")
	} else if _, err := time.Parse("15:04", at); err != nil {
		return fieldError("at", "L’heure doit être au format HH:MM, par exemple 08:30.", "The time must be HH:MM, such as 08:30.")
	}
	err = s.store.RecordMark(c.UserContext(), scopeOf(c), id, day, s.today(), child, store.Mark(c.FormValue("mark")), at)
	if errors.Is(err, store.ErrInvalid) {
		return fieldError("mark", "Ce pointage n’est pas possible : on pointe aujourd’hui ou hier, et un départ suit une arrivée.", "This mark is not possible: marks are for today or yesterday, and a departure follows an arrival.")
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/poles/%d/appel?jour=%s#enfant-%d", id, day.Format(time.DateOnly), child), fiber.StatusSeeOther)
}
