package api

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// sessionRow is one session as the sessions page shows it.
type sessionRow struct {
	ID       string // the session's public id, never its token
	Device   string
	IP       string
	Created  string
	LastSeen string
	Current  bool
}

// sessionsPage lists the account's live sessions, the current one marked.
func (s *Server) sessionsPage(c *fiber.Ctx) error {
	sess := session(c)
	list, err := s.store.SessionsOf(c.UserContext(), scopeOf(c), s.cfg.Session)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	rows := make([]sessionRow, 0, len(list))
	for _, a := range list {
		rows = append(rows, sessionRow{ID: a.PublicID, Device: deviceSummary(lang, a.UserAgent), IP: a.IP,
			Created: s.dateTime(lang, a.CreatedAt), LastSeen: s.dateTime(lang, a.LastSeenAt), Current: a.PublicID == sess.PublicID})
	}
	p := s.page(c, frontend.T(lang, "sessions.title"))
	p.Data = struct {
		Sessions []sessionRow
		Others   bool
		Ended    bool
	}{rows, len(rows) > 1, c.Query("fin") != ""}
	return s.renderPage(c, "sessions", p)
}

// endSession ends one of the account's sessions; another account's is not found (404). Ending
// the current one is logging out.
func (s *Server) endSession(c *fiber.Ctx) error {
	sess := session(c)
	id := strings.Clone(c.Params("id"))
	if err := s.store.EndSession(c.UserContext(), scopeOf(c), id); err != nil {
		return err
	}
	if err := s.store.Audit(c.UserContext(), store.AuditEntry{AccountID: sess.ID, Action: "auth.session_end",
		ObjectType: "session", ObjectID: id, IP: c.IP()}); err != nil {
		return err
	}
	if id == sess.PublicID {
		s.clearSessionCookie(c)
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return c.Redirect("/sessions?fin=1", fiber.StatusSeeOther)
}

// endOtherSessions logs the account out everywhere but here.
func (s *Server) endOtherSessions(c *fiber.Ctx) error {
	sess := session(c)
	if _, err := s.store.EndOtherSessions(c.UserContext(), scopeOf(c), sess.PublicID); err != nil {
		return err
	}
	if err := s.store.Audit(c.UserContext(), store.AuditEntry{AccountID: sess.ID, Action: "auth.sessions_end_others", IP: c.IP()}); err != nil {
		return err
	}
	return c.Redirect("/sessions?fin=1", fiber.StatusSeeOther)
}

// dateTime writes an instant as people read it, in the service's time zone.
func (s *Server) dateTime(lang frontend.Lang, t time.Time) string {
	t = t.In(s.policy.Location)
	return frontend.LongDate(lang, t) + ", " + t.Format("15:04")
}

// deviceSummary names the browser and system of a User-Agent in a few words ("Firefox ·
// Android"), enough for a person to recognise their own devices.
func deviceSummary(lang frontend.Lang, ua string) string {
	browser := firstMatch(ua, []match{
		{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"}, {"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
		{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"}, {"CriOS/", "Chrome"}, {"Chromium/", "Chromium"}, {"Chrome/", "Chrome"},
		{"Safari/", "Safari"}, {"curl/", "curl"},
	})
	system := firstMatch(ua, []match{
		{"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Android", "Android"}, {"CrOS", "ChromeOS"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"Macintosh", "macOS"}, {"Linux", "Linux"},
	})
	switch {
	case browser == "" && system == "":
		return frontend.T(lang, "sessions.unknown")
	case browser == "":
		return system
	case system == "":
		return browser
	}
	return browser + " · " + system
}

type match struct{ needle, name string }

func firstMatch(s string, ms []match) string {
	for _, m := range ms {
		if strings.Contains(s, m.needle) {
			return m.name
		}
	}
	return ""
}
