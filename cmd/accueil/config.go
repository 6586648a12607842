package main

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/waitingroom"
)

// config is read from environment variables (documented in the README).
type config struct {
	ListenAddr        string        // LISTEN_ADDR
	DataDir           string        // DATA_DIR
	DatabaseURL       string        // DATABASE_URL; empty: the private cluster under DATA_DIR
	LocalPostgresAddr string        // LOCAL_POSTGRES_ADDR; the private cluster also listens on TCP there
	CookieSecure      bool          // COOKIE_SECURE
	TrustedProxies    []string      // TRUSTED_PROXIES, comma-separated
	MetricsFrom       []string      // METRICS_FROM, comma-separated: who may read /metrics
	LogLevel          string        // LOG_LEVEL
	DemoSeed          uint64        // DEMO_SEED
	DBMaxConns        int           // DB_MAX_CONNS
	SMTPURL           string        // SMTP_URL; empty: e-mails go to the log
	SMTPConns         int           // SMTP_CONNS: connections to the SMTP server, kept open and reused
	MailGroupWindow   time.Duration // MAIL_GROUP_WINDOW: a family's e-mails of this window go out as one
	PublicURL         string        // PUBLIC_URL, for links in e-mails
	DevMode           bool          // DEV_MODE: shows the outbox on /dev/emails
	DPOContact        string        // DPO_CONTACT: the data protection officer, on the privacy notice
	// HealthKeys seal the children's health notes, the first one the new notes: HEALTH_KEY then
	// HEALTH_KEY_PREVIOUS (comma-separated, kept readable during a rotation). None: the key
	// file under DATA_DIR (see healthKeys).
	HealthKeys []store.HealthKey
	// SessionKey signs the session tokens (SESSION_KEY, base64 of 32 bytes or more); empty: the
	// key the database holds, which `accueil keys session` prints for HAProxy.
	SessionKey    []byte
	RetentionDays int // RETENTION_DAYS: days a household is kept after its last booked day
	// Limits: LIMIT_<GROUP>_ADDRESS and LIMIT_<GROUP>_ACCOUNT ("600/1m", "off") for the groups
	// LOGIN, SIGNUP, RESET, BOOKING and API, and LIMIT_SYNC (see api.Limits).
	Limits api.Limits
	// WaitingRoom: WAITING_ROOM_CAPACITY, WAITING_ROOM_STAY and WAITING_ROOM_KEY (empty: the key
	// kept in PostgreSQL, see store.WaitingRoomKey).
	WaitingRoom waitingroom.Config
	// Admission control (see api.Config): BOOKING_BATCH_MAX caps a booking batch, and with
	// BOOKING_QUEUE_MAX the booking submissions a process works on at once; SESSION_QUEUE_MAX
	// bounds the session reads waiting for a batch; REQUEST_TIMEOUT and LONG_REQUEST_TIMEOUT
	// bound a request (Go durations, e.g. 10s, 2m). A request also waits for a database
	// connection (DB_MAX_CONNS) no longer than its deadline.
	BookingBatchMax, BookingQueueMax, SessionQueueMax int
	RequestTimeout, LongRequestTimeout                time.Duration
}

func loadConfig(getenv func(string) string) (config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	var err error
	c := config{
		ListenAddr:        get("LISTEN_ADDR", "localhost:8080"),
		DataDir:           get("DATA_DIR", ".data"),
		DatabaseURL:       get("DATABASE_URL", ""),
		LocalPostgresAddr: get("LOCAL_POSTGRES_ADDR", ""),
		LogLevel:          get("LOG_LEVEL", "info"),
		SMTPURL:           get("SMTP_URL", ""),
		PublicURL:         strings.TrimRight(get("PUBLIC_URL", "http://localhost:8080"), "/"),
		DPOContact:        get("DPO_CONTACT", "dpd@ac-besancon.fr"),
	}
	if c.DevMode, err = strconv.ParseBool(get("DEV_MODE", "false")); err != nil {
		return c, fmt.Errorf("DEV_MODE: %w", err)
	}
	if c.CookieSecure, err = strconv.ParseBool(get("COOKIE_SECURE", "true")); err != nil {
		return c, fmt.Errorf("COOKIE_SECURE: %w", err)
	}
	if c.DemoSeed, err = strconv.ParseUint(get("DEMO_SEED", "2021"), 10, 64); err != nil {
		return c, fmt.Errorf("DEMO_SEED: %w", err)
	}
	if c.DBMaxConns, err = strconv.Atoi(get("DB_MAX_CONNS", "40")); err != nil || c.DBMaxConns < 1 {
		return c, fmt.Errorf("DB_MAX_CONNS must be a positive number")
	}
	if c.SMTPConns, err = strconv.Atoi(get("SMTP_CONNS", "4")); err != nil || c.SMTPConns < 1 || c.SMTPConns > 64 {
		return c, fmt.Errorf("SMTP_CONNS must be a number from 1 to 64")
	}
	if c.MailGroupWindow, err = time.ParseDuration(get("MAIL_GROUP_WINDOW", "10s")); err != nil || c.MailGroupWindow < 0 || c.MailGroupWindow > 10*time.Minute {
		return c, fmt.Errorf("MAIL_GROUP_WINDOW must be a duration from 0s to 10m, such as 10s")
	}
	if c.RetentionDays, err = strconv.Atoi(get("RETENTION_DAYS", "30")); err != nil || c.RetentionDays < 1 {
		return c, fmt.Errorf("RETENTION_DAYS must be a positive number of days")
	}
	c.WaitingRoom = waitingroom.DefaultConfig()
	if c.WaitingRoom.Capacity, err = strconv.Atoi(get("WAITING_ROOM_CAPACITY", strconv.Itoa(waitingroom.DefaultCapacity))); err != nil || c.WaitingRoom.Capacity < 1 {
		return c, fmt.Errorf("WAITING_ROOM_CAPACITY must be a positive number of parents")
	}
	if c.WaitingRoom.Stay, err = time.ParseDuration(get("WAITING_ROOM_STAY", "20m")); err != nil || c.WaitingRoom.Stay < 5*time.Second {
		// Under a minute only for load runs, where simulated parents leave at once.
		return c, fmt.Errorf("WAITING_ROOM_STAY must be a duration of 5 s or more (e.g. 20m)")
	}
	if k := get("WAITING_ROOM_KEY", ""); k != "" {
		if len(k) < 32 {
			return c, fmt.Errorf("WAITING_ROOM_KEY must be at least 32 characters (accueil keys new prints one)")
		}
		c.WaitingRoom.Key = []byte(k)
	}
	def := api.DefaultConfig()
	if c.BookingBatchMax, err = strconv.Atoi(get("BOOKING_BATCH_MAX", strconv.Itoa(def.BookingBatch))); err != nil || c.BookingBatchMax < 1 {
		return c, fmt.Errorf("BOOKING_BATCH_MAX must be a positive number")
	}
	if c.BookingQueueMax, err = strconv.Atoi(get("BOOKING_QUEUE_MAX", strconv.Itoa(def.BookingQueue))); err != nil || c.BookingQueueMax < 1 {
		return c, fmt.Errorf("BOOKING_QUEUE_MAX must be a positive number")
	}
	if c.SessionQueueMax, err = strconv.Atoi(get("SESSION_QUEUE_MAX", strconv.Itoa(def.SessionQueue))); err != nil || c.SessionQueueMax < 1 {
		return c, fmt.Errorf("SESSION_QUEUE_MAX must be a positive number")
	}
	if c.RequestTimeout, err = time.ParseDuration(get("REQUEST_TIMEOUT", def.RequestTimeout.String())); err != nil || c.RequestTimeout <= 0 {
		return c, fmt.Errorf("REQUEST_TIMEOUT must be a positive duration (e.g. 10s)")
	}
	if c.LongRequestTimeout, err = time.ParseDuration(get("LONG_REQUEST_TIMEOUT", def.LongRequestTimeout.String())); err != nil || c.LongRequestTimeout < c.RequestTimeout {
		return c, fmt.Errorf("LONG_REQUEST_TIMEOUT must be a duration no shorter than REQUEST_TIMEOUT (e.g. 2m)")
	}
	// The errors never quote the keys.
	if k := get("SESSION_KEY", ""); k != "" {
		if c.SessionKey, err = base64.StdEncoding.DecodeString(k); err != nil || len(c.SessionKey) < 32 {
			return c, fmt.Errorf("SESSION_KEY must be 32 bytes or more in base64 (accueil keys session prints the database's)")
		}
	}
	if k := get("HEALTH_KEY", ""); k != "" {
		key, err := store.ParseHealthKey(k)
		if err != nil {
			return c, fmt.Errorf("HEALTH_KEY: %w", err)
		}
		c.HealthKeys = append(c.HealthKeys, key)
		for _, k := range strings.Split(getenv("HEALTH_KEY_PREVIOUS"), ",") {
			if k = strings.TrimSpace(k); k == "" {
				continue
			}
			key, err := store.ParseHealthKey(k)
			if err != nil {
				return c, fmt.Errorf("HEALTH_KEY_PREVIOUS: %w", err)
			}
			c.HealthKeys = append(c.HealthKeys, key)
		}
	} else if strings.TrimSpace(getenv("HEALTH_KEY_PREVIOUS")) != "" {
		return c, fmt.Errorf("HEALTH_KEY_PREVIOUS is set without HEALTH_KEY")
	}
	if c.Limits, err = loadLimits(get); err != nil {
		return c, err
	}
	c.TrustedProxies = list(get("TRUSTED_PROXIES", ""))
	c.MetricsFrom = list(get("METRICS_FROM", "127.0.0.1,::1"))
	return c, nil
}

// list splits a comma-separated setting, leaving out empty items.
func list(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// loadLimits reads the LIMIT_ variables over api.DefaultLimits.
func loadLimits(get func(key, def string) string) (api.Limits, error) {
	l := api.DefaultLimits()
	for group, pair := range map[string]*api.RatePair{"LOGIN": &l.Login, "SIGNUP": &l.Signup, "RESET": &l.Reset,
		"BOOKING": &l.Booking, "API": &l.API} {
		for scope, rate := range map[string]*store.Rate{"ADDRESS": &pair.Address, "ACCOUNT": &pair.Account} {
			key := "LIMIT_" + group + "_" + scope
			v := get(key, "")
			if v == "" {
				continue
			}
			r, err := api.ParseRate(v)
			if err != nil {
				return l, fmt.Errorf("%s: %w", key, err)
			}
			*rate = r
		}
	}
	if v := get("LIMIT_SYNC", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 100*time.Millisecond || d > time.Minute {
			return l, fmt.Errorf("LIMIT_SYNC must be a duration between 100ms and 1m, such as 1s")
		}
		l.Sync = d
	}
	return l, nil
}
