package api

import (
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// home shows the page of the visitor's role: the landing page to a visitor, the household to a
// parent, the hubs to a director, the occupancy of the scope to prefecture and rectorat staff.
func (s *Server) home(c *fiber.Ctx) error {
	sess := session(c)
	if sess == nil {
		return s.landing(c)
	}
	switch sess.Role {
	case store.RoleParent:
		return s.homeParent(c, sess)
	case store.RoleDirector:
		return s.homeDirector(c, sess)
	default:
		return s.homeStaff(c, sess)
	}
}

type tierView struct {
	Tier        int
	Professions []store.Profession
}

func (s *Server) landing(c *fiber.Ctx) error {
	var tiers []tierView
	for _, p := range s.professions {
		if len(tiers) == 0 || tiers[len(tiers)-1].Tier != p.Tier {
			tiers = append(tiers, tierView{Tier: p.Tier})
		}
		tiers[len(tiers)-1].Professions = append(tiers[len(tiers)-1].Professions, p)
	}
	p := s.page(c, frontend.T(s.lang(c), "service.name"))
	p.Data = struct{ Tiers []tierView }{tiers}
	return s.renderPage(c, "landing", p)
}

// today is the service's current day, in France.
func (s *Server) today() time.Time { return s.policy.Today(s.store.Now()) }

// shownDay is the day a page about hubs shows: ?jour= when it is a date, else the first open day
// from today on (today on a weekday, the Monday at the weekend), or today when none is open.
func (s *Server) shownDay(c *fiber.Ctx) (time.Time, error) {
	if day, err := time.Parse(time.DateOnly, c.Query("jour")); err == nil {
		return day, nil
	}
	day, ok, err := s.store.NextOpenDay(c.UserContext(), s.today())
	if err != nil || !ok {
		return s.today(), err
	}
	return day, nil
}

func (s *Server) homeParent(c *fiber.Ctx, sess *store.Session) error {
	h, err := s.store.HouseholdSummaryOf(c.UserContext(), sess.ID, s.today())
	var household *store.HouseholdSummary
	switch {
	case err == nil:
		household = &h
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	p := s.page(c, frontend.T(s.lang(c), "home.parent.title"))
	p.Data = struct {
		Household *store.HouseholdSummary
		Confirmed bool
	}{household, sess.EmailConfirmedAt != nil}
	return s.renderPage(c, "home_parent", p)
}

func (s *Server) homeDirector(c *fiber.Ctx, sess *store.Session) error {
	ctx := c.UserContext()
	day, ok, err := s.store.NextOpenDay(ctx, s.today())
	if err != nil {
		return err
	}
	hubs, err := s.store.DirectorHubDays(ctx, sess.ID, day)
	if err != nil {
		return err
	}
	p := s.page(c, frontend.T(s.lang(c), "home.director.title"))
	p.Data = struct {
		Day    time.Time
		HasDay bool
		Hubs   []store.HubDay
	}{day, ok, hubs}
	return s.renderPage(c, "home_director", p)
}

func (s *Server) homeStaff(c *fiber.Ctx, sess *store.Session) error {
	ctx := c.UserContext()
	lang := s.lang(c)
	heading := frontend.T(lang, "home.rectorat.title")
	if sess.Role == store.RolePrefecture {
		name, err := s.store.DepartementName(ctx, sess.DepartementCode)
		if err != nil {
			return err
		}
		heading = frontend.Tf(lang, "home.prefecture.title", name)
	}
	day, ok, err := s.store.NextOpenDay(ctx, s.today())
	if err != nil {
		return err
	}
	// A prefecture agent sees its département only; the rectorat and admins see the académie.
	rows, err := s.store.DepartementDays(ctx, day, sess.DepartementCode)
	if err != nil {
		return err
	}
	var total store.DepartementDay
	for _, r := range rows {
		total.Hubs += r.Hubs
		total.Capacity += r.Capacity
		total.Placed += r.Placed
		total.Requests += r.Requests
		total.Waitlisted += r.Waitlisted
	}
	p := s.page(c, heading)
	p.Data = struct {
		Heading string
		Day     time.Time
		HasDay  bool
		Rows    []store.DepartementDay
		Total   store.DepartementDay
	}{heading, day, ok, rows, total}
	return s.renderPage(c, "home_staff", p)
}
