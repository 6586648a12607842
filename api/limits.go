package api

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/store"
)

// Limits are the shared request limits (store.Limiter) of each route group: how many requests
// one client network (an IPv4 address or an IPv6 /64) and one account may make in a window,
// over every process. Past one, the request is answered 429 with Retry-After.
//
// Per-address limits are generous, because a prefecture office, a hospital or a school may
// put hundreds of people behind one NAT address at 8:00; per-account limits are tight, because
// one family or one agent books a few children a few days. The account is the logged-in one for
// booking and the JSON API; the e-mail typed for sign-up and the reset request (each sends an
// e-mail: this caps what anyone can send to one address); for login, the (client network,
// e-mail) pair, as for wrong passwords (store.Authenticate), so that no one can slow a login
// down from elsewhere. The reset itself (the form behind the e-mailed link) has no account
// limit: its token is single-use and unguessable.
type Limits struct {
	Login, Signup, Reset, Booking, API RatePair
	// Sync is how often each process adds its counts to the shared ones: what the processes
	// together may go over a limit is about what they admit in that time (see store.Limiter).
	Sync time.Duration
}

// RatePair is a group's limit per client network and per account.
type RatePair struct {
	Address, Account store.Rate
}

// DefaultLimits are limits a family, an office or a hospital behind one address never reach.
func DefaultLimits() Limits {
	return Limits{
		Login:   RatePair{Address: store.Rate{Max: 600, Window: time.Minute}, Account: store.Rate{Max: 20, Window: 5 * time.Minute}},
		Signup:  RatePair{Address: store.Rate{Max: 300, Window: 10 * time.Minute}, Account: store.Rate{Max: 5, Window: time.Hour}},
		Reset:   RatePair{Address: store.Rate{Max: 300, Window: 10 * time.Minute}, Account: store.Rate{Max: 5, Window: time.Hour}},
		Booking: RatePair{Address: store.Rate{Max: 3000, Window: time.Minute}, Account: store.Rate{Max: 120, Window: time.Minute}},
		API:     RatePair{Address: store.Rate{Max: 6000, Window: time.Minute}, Account: store.Rate{Max: 600, Window: time.Minute}},
		Sync:    time.Second,
	}
}

// The route groups' rule names: the group and ".address" or ".account".
const (
	limitLogin   = "login"
	limitSignup  = "signup"
	limitReset   = "reset"
	limitBooking = "booking"
	limitAPI     = "api"
)

func (l Limits) rules() map[string]store.Rate {
	out := map[string]store.Rate{}
	for name, p := range map[string]RatePair{limitLogin: l.Login, limitSignup: l.Signup, limitReset: l.Reset,
		limitBooking: l.Booking, limitAPI: l.API} {
		out[name+".address"], out[name+".account"] = p.Address, p.Account
	}
	return out
}

// ParseRate reads a limit written "600/1m" (600 requests a minute) or "5/1h"; "off" or "0"
// turns it off.
func ParseRate(v string) (store.Rate, error) {
	v = strings.TrimSpace(v)
	if v == "off" || v == "0" {
		return store.Rate{}, nil
	}
	n, w, ok := strings.Cut(v, "/")
	count, err := strconv.Atoi(strings.TrimSpace(n))
	if !ok || err != nil || count < 1 {
		return store.Rate{}, fmt.Errorf("%q is not a limit such as 600/1m, 5/1h or off", v)
	}
	window, err := time.ParseDuration(strings.TrimSpace(w))
	if err != nil || window < time.Second {
		return store.Rate{}, fmt.Errorf("%q is not a limit such as 600/1m, 5/1h or off", v)
	}
	return store.Rate{Max: count, Window: window}, nil
}

// limited is the middleware of a route group's limits: the client network's, then the
// account's when account names one.
func (s *Server) limited(group string, account func(*fiber.Ctx) string) fiber.Handler {
	byAddress, byAccount := group+".address", group+".account"
	return func(c *fiber.Ctx) error {
		if err := s.limits.Allow(byAddress, store.ClientNetwork(c.IP())); err != nil {
			return err
		}
		if account != nil {
			if key := account(c); key != "" {
				if err := s.limits.Allow(byAccount, key); err != nil {
					return err
				}
			}
		}
		return c.Next()
	}
}

// loginPair is the login form's (client network, e-mail) pair.
func loginPair(c *fiber.Ctx) string {
	email := formEmail(c)
	if email == "" {
		return ""
	}
	return store.ClientNetwork(c.IP()) + " " + email
}

// formEmail is the e-mail a form was posted with, as accounts compare them.
func formEmail(c *fiber.Ctx) string { return store.NormalizeEmail(c.FormValue("email")) }

// sessionAccount is the logged-in account, if any.
func sessionAccount(c *fiber.Ctx) string {
	if sess := session(c); sess != nil {
		return strconv.FormatInt(sess.ID, 10)
	}
	return ""
}

// retryAfter is what an error that says when to come back (store.LimitError, say) implements.
type retryAfter interface{ RetryAfter() time.Duration }

// waitOf is how long err says to wait before coming back, or 0.
func waitOf(err error) time.Duration {
	var ra retryAfter
	if errors.As(err, &ra) {
		return ra.RetryAfter()
	}
	return 0
}

// setRetryAfter sets the Retry-After header, in whole seconds rounded up (at least 1), when err
// says when to come back.
func setRetryAfter(c *fiber.Ctx, err error) {
	var ra retryAfter
	if errors.As(err, &ra) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retrySeconds(ra.RetryAfter())))
	}
}

// retrySeconds is d in whole seconds, rounded up, at least 1.
func retrySeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// waitWords says a wait to a person: "40 s", "15 min" (rounded up), the same in both languages.
func waitWords(d time.Duration) string {
	if s := retrySeconds(d); s < 60 {
		return strconv.Itoa(s) + " s"
	}
	return strconv.Itoa(int((d+time.Minute-1)/time.Minute)) + " min"
}
