package api

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/alloc"
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
	return s.renderShared(c, "landing", "service.name", func(p *frontend.Page) {
		var tiers []tierView
		for _, pr := range s.professions {
			if len(tiers) == 0 || tiers[len(tiers)-1].Tier != pr.Tier {
				tiers = append(tiers, tierView{Tier: pr.Tier})
			}
			tiers[len(tiers)-1].Professions = append(tiers[len(tiers)-1].Professions, pr)
		}
		p.Data = struct{ Tiers []tierView }{tiers}
	})
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
	p.Data = parentHome{Household: household, Confirmed: sess.EmailConfirmedAt != nil, Cards: parentCards(household, s.policy.MaxDistanceKm),
		Saved: c.Query("foyer") == "enregistre", Cutoff: fmt.Sprintf("%02d:%02d", s.policy.CutoffHour, s.policy.CutoffMinute)}
	return s.renderPage(c, "home_parent", p)
}

// parentHome is the parent's home: the answer to "where do my children go, when, and how do I
// reach the hub", one card per child and week.
type parentHome struct {
	Household *store.HouseholdSummary
	Confirmed bool
	Cards     []parentCard
	Saved     bool   // the household was just saved
	Cutoff    string // the confirmation's time, the day before ("16:00")
}

// parentCard is one child's week: the hub(s) it goes to, with their days, and what the parent
// must bring and do.
type parentCard struct {
	Child  store.ChildSummary
	Monday time.Time
	Stops  []cardStop
	// What the statuses shown in this card mean, said once per card.
	Proposed, Confirmed, Waitlisted, Pending bool
	Meal                                     bool // a day runs over lunch
}

// cardStop is a hub and the days the child goes there (HubID 0: days without a seat yet).
type cardStop struct {
	store.ChildDay
	MapURL string
	Days   []cardDay
}

// cardDay is a day of a card, with why the child waits when it does.
type cardDay struct {
	store.ChildDay
	ReasonFR, ReasonEN string
}

// parentCards groups each child's days by week (from Monday), then by hub in the order of the
// days, so that a child who stays in one hub all week gets one address, not five.
func parentCards(h *store.HouseholdSummary, maxKm float64) []parentCard {
	if h == nil {
		return nil
	}
	var cards []parentCard
	for _, ch := range h.Children {
		for _, d := range ch.Days {
			monday := d.Day.AddDate(0, 0, -(int(d.Day.Weekday())+6)%7)
			if len(cards) == 0 || cards[len(cards)-1].Child.ID != ch.ID || !cards[len(cards)-1].Monday.Equal(monday) {
				child := ch
				child.Days = nil
				cards = append(cards, parentCard{Child: child, Monday: monday})
			}
			card := &cards[len(cards)-1]
			i := slices.IndexFunc(card.Stops, func(st cardStop) bool { return st.HubID == d.HubID })
			if i < 0 {
				st := cardStop{ChildDay: d}
				if d.HubID != 0 {
					st.MapURL = mapURL(d.HubLat, d.HubLon)
				}
				card.Stops = append(card.Stops, st)
				i = len(card.Stops) - 1
			}
			day := cardDay{ChildDay: d}
			if d.Reason.Valid {
				day.ReasonFR, day.ReasonEN = alloc.Reason(d.Reason.String).Explain(maxKm, d.NearestFullHub)
			}
			card.Stops[i].Days = append(card.Stops[i].Days, day)
			switch d.Status {
			case store.RequestConfirmed:
				card.Confirmed = true
			case store.RequestProposed:
				card.Proposed = true
			case store.RequestWaitlisted:
				card.Waitlisted = true
			default:
				card.Pending = true
			}
			card.Meal = card.Meal || d.HubID != 0 && d.ArriveAt < "12:00" && d.DepartAt > "13:30"
		}
	}
	return cards
}

// mapURL is a hub's place on OpenStreetMap, which works on any phone without an app.
func mapURL(lat, lon float64) string {
	return fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.5f&mlon=%.5f#map=16/%.5f/%.5f", lat, lon, lat, lon)
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
