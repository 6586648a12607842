package api

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// leverRoles act on hubs (capacity, closing, reopening): prefecture agents and the rectorat;
// directors only run theirs. The routes refuse the other roles (routes.go).
var leverRoles = []store.Role{store.RolePrefecture, store.RoleRectorat, store.RoleAdmin}

// leversAllowed tells whether r may pull the levers (a hub page shows them).
func leversAllowed(r store.Role) bool { return slices.Contains(leverRoles, r) }

// Each lever answers in two steps that work without JavaScript: GET (or a POST without
// confirmer=oui) shows what the lever would do, computed by the store on the current data and
// rolled back; the POST with confirmer=oui acts and sends back to the hub page, whose notice
// says what was done (query parameters, like "Mes réservations").

// leverPage is the data of the confirmation page.
type leverPage struct {
	Hub     store.Hub
	Lever   store.Lever
	Preview store.LeverOutcome
	Action  string // the form's address
	// Fields are the hidden fields that the confirmation sends again.
	Fields    map[string]string
	Title     string
	Decrease  bool // a capacity lowered (or a closure): children may move
	Increase  bool
	OldCap    int
	ReturnURL string // the same preview, bringing the moved children back
}

// setCapacity previews or changes a hub's capacity for a day and level.
func (s *Server) setCapacity(c *fiber.Ctx) error {
	l, err := s.readLever(c, store.LeverCapacity)
	if err != nil {
		return err
	}
	day, err := s.leverDay(c.FormValue("jour"))
	if err != nil {
		return err
	}
	capacity, err := strconv.Atoi(c.FormValue("capacite"))
	if err != nil || capacity < 0 || capacity > 500 {
		return fieldError("capacite", "La capacité doit être un nombre entier de 0 à 500.", "The capacity must be a whole number from 0 to 500.")
	}
	l.Day, l.Level, l.Capacity, l.BringBack = day, store.Level(c.FormValue("niveau")), capacity, c.FormValue("revenir") == "oui"
	fields := map[string]string{"jour": day.Format(time.DateOnly), "niveau": string(l.Level), "capacite": strconv.Itoa(capacity)}
	if l.BringBack {
		fields["revenir"] = "oui"
	}
	return s.pullLever(c, l, fields)
}

// closeHub previews or closes a hub for one day (jour) or for good (no day).
func (s *Server) closeHub(c *fiber.Ctx) error {
	l, err := s.readLever(c, store.LeverClose)
	if err != nil {
		return err
	}
	l.Day = s.today()
	fields := map[string]string{}
	if d := c.FormValue("jour"); d != "" {
		if l.Day, err = s.leverDay(d); err != nil {
			return err
		}
		l.Action, fields["jour"] = store.LeverCloseDay, d
	}
	return s.pullLever(c, l, fields)
}

// reopenHub previews or reopens a hub closed for good, from today on.
func (s *Server) reopenHub(c *fiber.Ctx) error {
	l, err := s.readLever(c, store.LeverReopen)
	if err != nil {
		return err
	}
	l.Day = s.today()
	return s.pullLever(c, l, map[string]string{})
}

// readLever reads the hub of a lever route (the route checks the role; the store, the hub's
// scope).
func (s *Server) readLever(c *fiber.Ctx, a store.LeverAction) (store.Lever, error) {
	id, err := hubID(c)
	if err != nil {
		return store.Lever{}, err
	}
	return store.Lever{Action: a, HubID: id}, nil
}

func (s *Server) leverDay(v string) (time.Time, error) {
	day, err := time.Parse(time.DateOnly, v)
	if err != nil || day.Before(s.today()) {
		return time.Time{}, fieldError("jour", "Le jour doit être une date (AAAA-MM-JJ), aujourd’hui ou plus tard.", "The day must be a date (YYYY-MM-DD), today or later.")
	}
	return day, nil
}

// pullLever shows the preview of l, or acts when the form confirms it.
func (s *Server) pullLever(c *fiber.Ctx, l store.Lever, fields map[string]string) error {
	ctx, sc := c.UserContext(), scopeOf(c)
	if c.Method() == fiber.MethodPost && c.FormValue("confirmer") == "oui" {
		done, err := s.store.PullLever(ctx, s.policy, sc, l)
		if err != nil {
			return err
		}
		return c.Redirect(fmt.Sprintf("/poles/%d?", l.HubID)+leverNotice(l.Action, done).Encode(), fiber.StatusSeeOther)
	}
	hub, err := s.store.HubInScope(ctx, sc, l.HubID)
	if err != nil {
		return err
	}
	preview, err := s.store.PreviewLever(ctx, s.policy, sc, l)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	data := leverPage{Hub: hub, Lever: l, Preview: preview, Fields: fields}
	switch l.Action {
	case store.LeverCapacity:
		data.Action = fmt.Sprintf("/poles/%d/capacite", hub.ID)
		data.OldCap = s.capacityOf(c, hub.ID, l.Day, l.Level)
		data.Decrease, data.Increase = l.Capacity < data.OldCap, l.Capacity > data.OldCap
		data.Title = fmt.Sprintf(frontend.T(lang, "lever.capacity.title"), frontend.T(lang, "level."+string(l.Level)), frontend.LongDate(lang, l.Day), data.OldCap, l.Capacity)
		if preview.CanReturn > 0 && !l.BringBack {
			q := url.Values{"jour": {fields["jour"]}, "niveau": {fields["niveau"]}, "capacite": {fields["capacite"]}, "revenir": {"oui"}}
			data.ReturnURL = data.Action + "?" + q.Encode()
		}
	case store.LeverCloseDay:
		data.Action, data.Decrease = fmt.Sprintf("/poles/%d/fermer", hub.ID), true
		data.Title = fmt.Sprintf(frontend.T(lang, "lever.closeday.title"), frontend.LongDate(lang, l.Day))
	case store.LeverClose:
		data.Action, data.Decrease = fmt.Sprintf("/poles/%d/fermer", hub.ID), true
		data.Title = frontend.T(lang, "lever.close.title")
	case store.LeverReopen:
		data.Action, data.Increase = fmt.Sprintf("/poles/%d/rouvrir", hub.ID), true
		data.Title = frontend.T(lang, "lever.reopen.title")
	}
	p := s.page(c, data.Title)
	p.Data = data
	return s.renderPage(c, "lever", p)
}

// capacityOf is a hub's capacity for a day and level as its calendar shows it (0 if none).
func (s *Server) capacityOf(c *fiber.Ctx, hubID int64, day time.Time, level store.Level) int {
	days, err := s.store.HubCalendar(c.UserContext(), scopeOf(c), hubID, day, 1)
	if err != nil || len(days) == 0 || !days[0].Day.Equal(day) {
		return 0
	}
	for _, l := range days[0].Levels {
		if l.Level == level {
			return l.Capacity
		}
	}
	return 0
}

// leverNotice is what the hub page's notice says after a lever: see hubNotice.
func leverNotice(a store.LeverAction, o store.LeverOutcome) url.Values {
	return url.Values{"fait": {string(a)}, "deplaces": {strconv.Itoa(o.Moved)}, "fratries": {strconv.Itoa(o.Siblings)},
		"attente": {strconv.Itoa(o.Waitlisted)}, "promus": {strconv.Itoa(o.Promoted)}, "revenus": {strconv.Itoa(o.Returned)},
		"courriels": {strconv.Itoa(o.Emails)}}
}

// hubNotice reads back what the last lever did, from the hub page's query.
type hubNotice struct {
	Action                                                  string
	Moved, Siblings, Waitlisted, Promoted, Returned, Emails int
}

func readHubNotice(c *fiber.Ctx) *hubNotice {
	a := store.LeverAction(c.Query("fait"))
	switch a {
	case store.LeverCapacity, store.LeverCloseDay, store.LeverClose, store.LeverReopen:
	default:
		return nil
	}
	n := func(k string) int { v, _ := strconv.Atoi(c.Query(k)); return max(v, 0) }
	return &hubNotice{Action: string(a), Moved: n("deplaces"), Siblings: n("fratries"), Waitlisted: n("attente"),
		Promoted: n("promus"), Returned: n("revenus"), Emails: n("courriels")}
}
