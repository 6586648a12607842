package api

import (
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/waitingroom"
)

// parentJourney are the pages the waiting room stands in front of: sign-up, login, the
// household and its children, booking. Staff pages, the landing page, the health checks and the
// static files are never behind it, nor logging out (which frees a place).
var parentJourney = []string{"/inscription", "/connexion", "/confirmer", "/mot-de-passe-oublie", "/reinitialiser",
	"/foyer", "/enfants", "/reserver", "/reservations", "/mes-donnees", "/api/bookings"}

func inParentJourney(path string) bool {
	for _, p := range parentJourney {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// errWaitingRoom is a visitor told to wait in the waiting room (503); the error handler shows
// the room's page, or its JSON, from the *waitingRoomError that carries it.
var errWaitingRoom = errors.New("waiting room")

type waitingRoomError struct {
	pass waitingroom.Pass
	next string // where the page sends the visitor back
}

func (e *waitingRoomError) Error() string        { return "waiting room" }
func (e *waitingRoomError) Is(target error) bool { return target == errWaitingRoom }

func (s *Server) roomCookie() string {
	if s.cfg.SecureCookies {
		return "__Host-salle"
	}
	return "salle"
}

// setRoomCookie keeps the ticket a day at most: it expires by its own clock long before.
func (s *Server) setRoomCookie(c *fiber.Ctx, ticket string) {
	c.Cookie(&fiber.Cookie{Name: s.roomCookie(), Value: ticket, Path: "/", MaxAge: int((24 * time.Hour).Seconds()),
		Secure: s.cfg.SecureCookies, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
}

// waitingRoomGate queues the visitors of the parents' journey who hold no admitted ticket while
// the room is queuing. Staff are never queued: a director must always reach the roll call. A
// logged-in parent is not let in by the session alone: sessions outlive the rush (12 hours),
// and counting them would let every parent logged in the evening before past the bound; a
// parent at work keeps an admitted ticket anyway, for WAITING_ROOM_STAY after each request.
// The login form of staff (/connexion?agent=1) is not behind the room either: it lets nobody
// further than the login, the parents' pages still ask for a ticket.
func (s *Server) waitingRoomGate(c *fiber.Ctx) error {
	path := c.Path()
	if !inParentJourney(path) || (path == "/connexion" && c.Query("agent") == "1") {
		return c.Next()
	}
	if err := s.attachSession(c); err != nil {
		return err
	}
	if sess := session(c); sess != nil && sess.Role != store.RoleParent {
		return c.Next()
	}
	pass := s.room.Visit(c.Cookies(s.roomCookie()), c.IP())
	s.setRoomCookie(c, pass.Ticket)
	if pass.Admitted {
		return c.Next()
	}
	next := path
	if c.Method() == fiber.MethodGet {
		next = localPath(c.OriginalURL())
	}
	return &waitingRoomError{pass: pass, next: next}
}

// leaveWaitingRoom gives the request's ticket up: logging out, or staff logged in.
func (s *Server) leaveWaitingRoom(c *fiber.Ctx) {
	if ticket := c.Cookies(s.roomCookie()); ticket != "" {
		s.room.Release(ticket)
		c.Cookie(&fiber.Cookie{Name: s.roomCookie(), Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
			Secure: s.cfg.SecureCookies, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	}
}

// waitingRoomView is what the waiting room's page shows.
type waitingRoomView struct {
	Admitted    bool
	Position    int
	WaitSeconds int
	WaitMinutes int    // rounded up; 0: under a minute
	Refresh     int    // seconds before the page reloads
	Next        string // what the page reloads
	Then        string // where the script sends the visitor once admitted
	StayMinutes int    // how long a place is kept after the last request
}

func (s *Server) newWaitingRoomView(p waitingroom.Pass, next string) waitingRoomView {
	wait := int(p.Wait.Round(time.Second) / time.Second)
	v := waitingRoomView{Admitted: p.Admitted, Position: p.Position, WaitSeconds: wait, Next: next, Then: next,
		StayMinutes: int(s.room.Rules().Stay / time.Minute),
		Refresh:     max(int(p.RetryAfter/time.Second), 1)}
	if wait >= 60 {
		v.WaitMinutes = (wait + 59) / 60
	}
	return v
}

// renderWaitingRoom shows the room's page with the visitor's place.
func (s *Server) renderWaitingRoom(c *fiber.Ctx, v waitingRoomView) error {
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(v.Refresh))
	p := s.page(c, frontend.T(s.lang(c), "room.title"))
	p.Data = v
	return s.renderPage(c, "waiting_room", p)
}

// waitingRoomPage is GET /salle-attente: the room's page, answered from memory (no session, no
// query). It sends the visitor on to ?suite= once admitted.
func (s *Server) waitingRoomPage(c *fiber.Ctx) error {
	pass := s.room.Visit(c.Cookies(s.roomCookie()), c.IP())
	s.setRoomCookie(c, pass.Ticket)
	next := localPath(c.Query("suite"))
	v := s.newWaitingRoomView(pass, "/salle-attente?suite="+url.QueryEscape(next))
	v.Then = next
	if pass.Admitted {
		v.Next = next
	}
	return s.renderWaitingRoom(c, v)
}

// waitingRoomState is GET /salle-attente/etat, the page's poll, answered from memory.
func (s *Server) waitingRoomState(c *fiber.Ctx) error {
	pass := s.room.Visit(c.Cookies(s.roomCookie()), c.IP())
	s.setRoomCookie(c, pass.Ticket)
	v := s.newWaitingRoomView(pass, "")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(v.Refresh))
	return c.JSON(fiber.Map{"admitted": v.Admitted, "position": v.Position, "wait_seconds": v.WaitSeconds})
}

// waitingRoomAdmin shows an admin the room's figures and settings.
func (s *Server) waitingRoomAdmin(c *fiber.Ctx) error { return s.renderWaitingRoomAdmin(c, "") }

// renderWaitingRoomAdmin shows the admin page, with the message errKey above the form (422)
// when the form was refused.
func (s *Server) renderWaitingRoomAdmin(c *fiber.Ctx, errKey string) error {
	state, err := s.store.ReadWaitingRoom(c.UserContext(), s.room.Rules())
	if err != nil {
		return err
	}
	p := s.page(c, frontend.T(s.lang(c), "room.admin.title"))
	if errKey != "" {
		p.FormError = frontend.T(s.lang(c), errKey)
		c.Status(fiber.StatusUnprocessableEntity)
	}
	p.Data = struct {
		State    store.WaitingRoomState
		Snapshot waitingroom.Snapshot
		Default  int
	}{state, s.room.Snapshot(), s.room.Rules().Capacity}
	return s.renderPage(c, "waiting_room_admin", p)
}

// setWaitingRoom changes the room's mode and capacity (empty: the configured one), audited.
func (s *Server) setWaitingRoom(c *fiber.Ctx) error {
	mode := store.WaitingRoomMode(c.FormValue("mode"))
	capacity := 0
	if v := strings.TrimSpace(c.FormValue("capacite")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			return s.renderWaitingRoomAdmin(c, "room.admin.bad_capacity")
		}
		capacity = n
	}
	if !mode.Valid() {
		return s.renderWaitingRoomAdmin(c, "room.admin.bad_mode")
	}
	if err := s.store.SetWaitingRoom(c.UserContext(), scopeOf(c), mode, capacity); err != nil {
		return err
	}
	// The change reaches this process at once, the others within their next sync.
	if err := s.room.Sync(c.UserContext()); err != nil {
		s.log.Warn("waiting room sync", slog.String("request_id", reqID(c)), slog.Any("error", err))
	}
	return c.Redirect("/admin/salle-attente", fiber.StatusSeeOther)
}
