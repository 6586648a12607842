// Package api is the HTTP face of the service: one routes list, the middleware (sessions, roles,
// CSRF, limits, security headers), handlers by resource, and one error handler. It never touches
// SQL: every read and write goes through package store.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/waitingroom"
)

// Config is what the HTTP layer needs to know about its deployment.
type Config struct {
	// SecureCookies marks cookies Secure with the __Host- prefix. Only a plain-http address other
	// than localhost needs it off (browsers accept Secure cookies on http://localhost).
	SecureCookies bool
	// Session bounds a session's life (12 h absolute, 30 min idle by default).
	Session store.SessionPolicy
	// TrustedProxies are the addresses or networks (CIDR) of our reverse proxies: their
	// X-Forwarded-For is believed for the client IP (see realClientAddress), nobody else's.
	TrustedProxies []string
	// BodyLimit caps request bodies, in bytes.
	BodyLimit int
	// Allocation holds the cutoff and distance rules.
	Allocation store.AllocationPolicy
	// PublicURL is the address of the service as users reach it, for links sent by e-mail.
	PublicURL string
	// BookingBatch caps how many concurrent booking submissions share one transaction (see
	// store.Booker).
	BookingBatch int
	// MetricsFrom are the addresses or networks (CIDR) that may read /metrics; to others it does
	// not exist. The address is the client's, as realClientAddress finds it behind our proxies.
	MetricsFrom []string
	// BookingQueue and SessionQueue bound the booking submissions and the session reads that may
	// wait for a batch (see store.DefaultBookingQueue, store.DefaultSessionQueue); past them a
	// request is refused at once with 503 and Retry-After.
	BookingQueue, SessionQueue int
	// RequestTimeout bounds the time a request may take (its UserContext's deadline); past it the
	// request is answered 503 with Retry-After. LongRequestTimeout replaces it for the few
	// requests that do a lot on purpose (see longRequest).
	RequestTimeout, LongRequestTimeout time.Duration
	// DevMode shows the outbox on /dev/emails (no SMTP server in a local demo). Never in production.
	DevMode bool
	// Privacy is what the privacy notice says of this deployment.
	Privacy Privacy
	// Limits are the request limits shared by every process (see Limits).
	Limits Limits
	// WaitingRoom configures the waiting room in front of the parents' journey, when New is not
	// given a room of its own (WithWaitingRoom). Without a key, that room signs with a key of
	// this process alone and is never synced: it lets everyone in (tests).
	WaitingRoom waitingroom.Config
}

// Privacy names the deployment's data controller and its data protection officer's contact, and
// how long households' data are kept after their last booked day.
type Privacy struct {
	Controller    string // in French
	ControllerEN  string
	DPOContact    string
	RetentionDays int
}

// DefaultConfig is the production configuration.
func DefaultConfig() Config {
	return Config{
		SecureCookies: true,
		Session:       store.SessionPolicy{Absolute: 12 * time.Hour, Idle: 30 * time.Minute},
		BodyLimit:     64 << 10,
		Allocation:    store.DefaultAllocationPolicy(),
		PublicURL:     "http://localhost:8080",
		BookingBatch:  64,
		MetricsFrom:   []string{"127.0.0.1", "::1"},
		WaitingRoom:   waitingroom.DefaultConfig(),
		BookingQueue:  store.DefaultBookingQueue,
		SessionQueue:  store.DefaultSessionQueue,
		// Ten seconds is a hundred times a booking's p99 under load: a request still waiting
		// then is waiting on a database that cannot keep up, and holding it longer only piles
		// up goroutines and connections. The day's sheets of a whole académie (hundreds of
		// PDFs), an allocation run and a hubs import take seconds of work on purpose.
		RequestTimeout:     10 * time.Second,
		LongRequestTimeout: 2 * time.Minute,
		Privacy: Privacy{Controller: "rectorat de l’académie de Besançon", ControllerEN: "rectorat of the académie de Besançon", DPOContact: "dpd@ac-besancon.fr",
			RetentionDays: 30},
		Limits: DefaultLimits(),
	}
}

// Server holds what the handlers share; build it with New.
type Server struct {
	cfg      Config
	store    *store.Store
	log      *slog.Logger
	views    *frontend.Views
	validate *validator.Validate
	policy   store.AllocationPolicy
	booker   *store.Booker
	sessions *store.SessionLoader
	openDays openDaysCache
	// publicHost is PublicURL's host: a form posted from it is from this site.
	publicHost string
	communes   communeIndex
	proxies    networks
	// metricsFrom may read /metrics (Config.MetricsFrom).
	metricsFrom networks
	metrics     *metrics
	// professions is the list of priority professions, read once at start: only migrations
	// write it, and the landing page every visitor gets must not wait on the database.
	professions []store.Profession
	// shared are the pages every anonymous visitor gets alike (renderShared).
	shared sharedPages
	// limits are the request limits shared by every process; limits.Refused() counts refusals.
	limits *store.Limiter
	room   *waitingroom.Room
	// bookingsInFlight counts the booking submissions being answered (admitBookings).
	bookingsInFlight atomic.Int64
}

// Option adds to what New builds.
type Option func(*Server)

// WithWaitingRoom puts room in front of the parents' journey; the caller syncs it (Room.Sync)
// about once a second.
func WithWaitingRoom(room *waitingroom.Room) Option { return func(s *Server) { s.room = room } }

// New builds the Fiber application with every route and middleware. Shutting the application
// down (app.Shutdown…) closes the server's queues once it no longer accepts requests (see
// Server.Close).
func New(cfg Config, st *store.Store, log *slog.Logger, opts ...Option) (*fiber.App, error) {
	s, app, err := NewServer(cfg, st, log, opts...)
	if err != nil {
		return nil, err
	}
	app.Hooks().OnShutdown(func() error { s.Close(); return nil })
	return app, nil
}

// NewServer is New, returning the Server too, for its queues (Queues) and its Close.
func NewServer(cfg Config, st *store.Store, log *slog.Logger, opts ...Option) (*Server, *fiber.App, error) {
	views, err := frontend.NewViews()
	if err != nil {
		return nil, nil, err
	}
	proxies, err := parseNetworks("TRUSTED_PROXIES", cfg.TrustedProxies)
	if err != nil {
		return nil, nil, err
	}
	s := &Server{cfg: cfg, store: st, log: log, views: views, validate: newValidator(), policy: cfg.Allocation,
		booker:   store.NewBooker(st, cfg.Allocation, cfg.BookingBatch, max(cfg.BookingBatch, 1)+cfg.BookingQueue),
		sessions: store.NewSessionLoader(st, cfg.Session, cfg.SessionQueue),
		proxies:  proxies}
	s.limits = store.NewLimiter(st, store.LimiterConfig{Rules: cfg.Limits.rules(), Sync: cfg.Limits.Sync,
		OnError: func(err error) { log.Warn("shared limits not synced", slog.Any("error", err)) }})
	if s.metricsFrom, err = parseNetworks("METRICS_FROM", cfg.MetricsFrom); err != nil {
		return nil, nil, err
	}
	s.metrics = newMetrics(s)
	for _, o := range opts {
		o(s)
	}
	if s.room == nil {
		rc := cfg.WaitingRoom
		if len(rc.Key) == 0 {
			rc.Key = []byte(store.RandomToken())
		}
		if s.room, err = waitingroom.New(st, rc); err != nil {
			return nil, nil, err
		}
	}
	if u, err := url.Parse(cfg.PublicURL); err == nil {
		s.publicHost = u.Host
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if s.professions, err = st.Professions(ctx); err != nil {
		return nil, nil, fmt.Errorf("professions: %w", err)
	}
	// Read once here, the session key tells a forged cookie later without the database.
	if _, err = st.SessionKey(ctx); err != nil {
		return nil, nil, fmt.Errorf("session key: %w", err)
	}
	fcfg := fiber.Config{
		AppName:               "accueil",
		ErrorHandler:          s.handleError,
		BodyLimit:             cfg.BodyLimit,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
		DisableStartupMessage: true,
		// Fiber trusts no proxy and reads no forwarding header (X-Forwarded-For, -Host, -Proto)
		// of anyone: realClientAddress reads X-Forwarded-For from our own proxies only, the
		// right way round.
		EnableTrustedProxyCheck: true,
	}
	app := fiber.New(fcfg)
	s.routes(app)
	return s, app, nil
}

// Close drains the server's queues: bookings and session reads waiting are answered, later ones
// refused (503), and their connections given back. Call it once the server accepts no more
// requests, before the database closes.
func (s *Server) Close() {
	s.booker.Close()
	s.sessions.Close()
}

// Queues tells how many booking submissions and session reads wait, and how many were refused
// or dropped.
func (s *Server) Queues() (bookings, sessions store.QueueStats) {
	return s.booker.Queue(), s.sessions.Queue()
}
