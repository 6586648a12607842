package api

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/accueil-prioritaire/accueil/store"
)

// Keys of c.Locals.
const (
	localRequestID = "request_id"
	localSession   = "session"
	localCSRF      = "csrf"
	// localSessionEnded marks a request whose session cookie names a session that has ended.
	localSessionEnded = "session_ended"
	// localSessionLoaded: the session cookie was looked up already (attachSession).
	localSessionLoaded = "session_loaded"
)

// Cookie names. With Secure cookies the __Host- prefix pins them to this host and path /, so a
// sibling subdomain cannot plant or overwrite them.
func (s *Server) sessionCookie() string {
	if s.cfg.SecureCookies {
		return "__Host-session"
	}
	return "session"
}

func (s *Server) csrfCookie() string {
	if s.cfg.SecureCookies {
		return "__Host-csrf"
	}
	return "csrf"
}

func requestID(c *fiber.Ctx) error {
	setRequestID(c)
	return c.Next()
}

func setRequestID(c *fiber.Ctx) {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	c.Locals(localRequestID, id)
	c.Set("X-Request-Id", id)
}

func reqID(c *fiber.Ctx) string {
	id, _ := c.Locals(localRequestID).(string)
	return id
}

const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	setSecurityHeaders(c)
	return c.Next()
}

// setSecurityHeaders gives an answer the headers every answer carries. The error handler sets
// them too: fasthttp answers a body or headers too large (413, 431) before any middleware runs.
func setSecurityHeaders(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	c.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "same-origin")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
}

func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		// The error handler writes the response; log the status it will have.
		if herr := c.App().ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	attrs := []any{
		slog.String("request_id", reqID(c)),
		slog.String("method", c.Method()),
		// The path only: query strings may carry tokens.
		slog.String("path", c.Path()),
		slog.Int("status", c.Response().StatusCode()),
		slog.Duration("duration", time.Since(start)),
		slog.String("ip", c.IP()),
	}
	if sess := session(c); sess != nil {
		attrs = append(attrs, slog.Int64("account_id", sess.ID))
	}
	s.log.Info("request", attrs...)
	s.metrics.observe(c, s.views.AssetBase(), time.Since(start))
	return nil
}

func (s *Server) logPanic(c *fiber.Ctx, p any) {
	s.log.Error("panic", slog.String("request_id", reqID(c)), slog.Any("panic", p))
}

// requestDeadline gives the request's UserContext a deadline, Config.RequestTimeout (or the one
// longRequest set instead): a request past it fails, whatever failed, with errDeadline (503,
// Retry-After), rather than wait on a slow database holding its goroutine and a connection.
// A timeout of zero sets none.
func (s *Server) requestDeadline(c *fiber.Ctx) error {
	if s.cfg.RequestTimeout <= 0 {
		return c.Next()
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), s.cfg.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	err := c.Next()
	if err != nil && errors.Is(c.UserContext().Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w (%v)", errDeadline, err)
	}
	return err
}

// admitBookings bounds the booking submissions this process works on at once, counted from their
// arrival, before their session is read: Config.BookingBatch in the database and
// Config.BookingQueue waiting (Server.BookingsInFlight). Past it a submission is refused at once
// (store.ErrOverloaded: 503, Retry-After) rather than wait behind the others. The Booker's own
// queue bound alone is not enough: at ten times the usual clients every submission waited for
// the session reads and the processor time of all the others before it reached that queue, which
// stayed short while each booking took 400 ms (bench-rush).
func (s *Server) admitBookings(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodPost || (c.Path() != "/reserver" && c.Path() != "/api/bookings") {
		return c.Next()
	}
	if s.bookingsInFlight.Add(1) > int64(max(s.cfg.BookingBatch, 1)+s.cfg.BookingQueue) {
		s.bookingsInFlight.Add(-1)
		return store.ErrOverloaded
	}
	defer s.bookingsInFlight.Add(-1)
	return c.Next()
}

// BookingsInFlight is how many booking submissions this process works on now (admitBookings).
func (s *Server) BookingsInFlight() int64 { return s.bookingsInFlight.Load() }

// longRequest gives a request that does much work on purpose (every sheet of a day, an
// allocation run, a hubs import) Config.LongRequestTimeout instead of RequestTimeout (zero:
// none).
func (s *Server) longRequest(c *fiber.Ctx) error {
	ctx, cancel := context.WithoutCancel(c.UserContext()), context.CancelFunc(func() {})
	if s.cfg.LongRequestTimeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, s.cfg.LongRequestTimeout)
	}
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// loadSession attaches the session of the request's cookie, if it is live.
func (s *Server) loadSession(c *fiber.Ctx) error {
	if err := s.attachSession(c); err != nil {
		return err
	}
	return c.Next()
}

// attachSession looks the session of the request's cookie up once per request (the waiting
// room's gate needs it before loadSession runs).
func (s *Server) attachSession(c *fiber.Ctx) error {
	if c.Locals(localSessionLoaded) != nil {
		return nil
	}
	c.Locals(localSessionLoaded, true)
	token := c.Cookies(s.sessionCookie())
	if token == "" {
		return nil
	}
	sess, err := s.sessions.Session(c.UserContext(), token)
	switch {
	case err == nil:
		c.Locals(localSession, &sess)
	case errors.Is(err, store.ErrNotFound):
		s.clearSessionCookie(c)
		c.Locals(localSessionEnded, true)
	default:
		return err
	}
	return nil
}

// scopeOf is the logged-in caller's scope, with the address the access log records.
func scopeOf(c *fiber.Ctx) store.Scope {
	sc := store.ScopeOf(session(c).Account)
	sc.IP = c.IP()
	return sc
}

// session returns the request's session, nil when nobody is logged in.
func session(c *fiber.Ctx) *store.Session {
	sess, _ := c.Locals(localSession).(*store.Session)
	return sess
}

// setSessionCookie gives the cookie a lifetime (Max-Age) rather than a date: the browser counts
// it on its own clock, so a client clock set wrong, or a server clock set by a test, never ends
// the session early.
func (s *Server) setSessionCookie(c *fiber.Ctx, token string, expires time.Time) {
	c.Cookie(&fiber.Cookie{
		Name: s.sessionCookie(), Value: token, Path: "/", MaxAge: int(expires.Sub(s.store.Now()).Seconds()),
		Secure: s.cfg.SecureCookies, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

func (s *Server) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{
		Name: s.sessionCookie(), Value: "", Path: "/", Expires: time.Unix(0, 0), MaxAge: -1,
		Secure: s.cfg.SecureCookies, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode,
	})
}

// csrfToken is the token forms must echo: the session's, or for a visitor not logged in (login
// and sign-up forms) a random one kept in its own cookie (double submit).
func (s *Server) csrfToken(c *fiber.Ctx) string {
	if sess := session(c); sess != nil {
		return sess.CSRFToken
	}
	if t, ok := c.Locals(localCSRF).(string); ok {
		return t
	}
	t := c.Cookies(s.csrfCookie())
	if len(t) < 32 {
		t = store.RandomToken()
		c.Cookie(&fiber.Cookie{
			Name: s.csrfCookie(), Value: t, Path: "/", Secure: s.cfg.SecureCookies, HTTPOnly: true,
			SameSite: fiber.CookieSameSiteLaxMode, MaxAge: int((12 * time.Hour).Seconds()),
		})
	}
	c.Locals(localCSRF, t)
	return t
}

var errCSRF = fiber.NewError(fiber.StatusForbidden, "csrf")

// checkCSRF refuses a state-changing request that does not carry the page's token, or that a
// browser says comes from another site.
func (s *Server) checkCSRF(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if site := c.Get("Sec-Fetch-Site"); site == "cross-site" {
		return errCSRF
	}
	if origin := c.Get(fiber.HeaderOrigin); origin != "" && origin != "null" {
		// Behind a reverse proxy the Host header may be the proxy's upstream name: the site's
		// own address (PUBLIC_URL) is as good as the Host.
		u, err := url.Parse(origin)
		if err != nil || (u.Host != c.Hostname() && u.Host != s.publicHost) {
			return errCSRF
		}
	}
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = c.FormValue("csrf")
	}
	want := ""
	if sess := session(c); sess != nil {
		want = sess.CSRFToken
	} else {
		want = c.Cookies(s.csrfCookie())
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		if ended, _ := c.Locals(localSessionEnded).(bool); ended && !wantsJSON(c) {
			// A form sent after the session ended: nothing is done, but the person logs in
			// again and comes back to what they were filling in.
			return c.Redirect("/connexion?expiree=1&next="+url.QueryEscape(s.comeBack(c)), fiber.StatusSeeOther)
		}
		return errCSRF
	}
	return c.Next()
}

// comeBack is where a form sent after the session ended takes the person once logged in again:
// the booking form with the choices they had made, else the page the form was on.
func (s *Server) comeBack(c *fiber.Ctx) string {
	if c.Path() == "/reserver" {
		args := c.Request().PostArgs()
		q := url.Values{}
		for _, k := range []string{"child", "day", "location", "arrive_at", "depart_at"} {
			for _, v := range args.PeekMulti(k) {
				q.Add(k, string(v))
			}
		}
		return "/reserver?" + q.Encode()
	}
	if ref, err := url.Parse(c.Get(fiber.HeaderReferer)); err == nil && (ref.Host == c.Hostname() || ref.Host == s.publicHost) {
		return localPath(ref.RequestURI())
	}
	return "/"
}

// requireRole lets through a logged-in account of one of roles; a visitor is sent to the login
// page, another role gets 404 (it need not learn the page exists).
func requireRole(roles ...store.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		sess := session(c)
		if sess == nil && wantsJSON(c) {
			return errLoginRequired
		}
		if sess == nil {
			return c.Redirect("/connexion?next="+url.QueryEscape(c.OriginalURL()), fiber.StatusSeeOther)
		}
		for _, r := range roles {
			if sess.Role == r {
				return c.Next()
			}
		}
		return store.ErrNotFound
	}
}

// minCompressSize is the smallest body sent compressed: a booking answer or a small page fits in
// a packet or two either way, and compressing it cost both ends more than it saved.
const minCompressSize = 1 << 10

// compressLarge compresses (brotli or gzip, as the client accepts, fastest level) the bodies of
// minCompressSize bytes or more, and the streamed ones.
func compressLarge() fiber.Handler {
	compress := fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {},
		fasthttp.CompressBrotliBestSpeed, fasthttp.CompressBestSpeed)
	return func(c *fiber.Ctx) error {
		if err := c.Next(); err != nil {
			return err
		}
		if res := c.Response(); res.IsBodyStream() || len(res.Body()) >= minCompressSize {
			compress(c.Context())
		}
		return nil
	}
}
