package pgtest

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// ClockVar names the environment variable that sets the instant the tests run at, in RFC 3339:
// `TEST_CLOCK=2026-12-05T00:20:00+01:00 make test` runs the suite as on a Saturday at 00:20 in
// Paris. Without it the tests run at DefaultClock, whatever the machine's clock says, so that a
// run never depends on the day or the hour it happens to start.
const ClockVar = "TEST_CLOCK"

// DefaultClock is a Tuesday morning in Paris, away from midnight, the cutoff and the clock
// changes.
var DefaultClock = time.Date(2026, 12, 8, 9, 30, 0, 0, paris())

var (
	clockOnce sync.Once
	clockAt   time.Time
	clockErr  error
)

// Now is the instant the tests take as the current time: TEST_CLOCK when set, else DefaultClock.
// It never reads the machine's clock. Every store of NewStore runs on it.
func Now() time.Time {
	clockOnce.Do(func() {
		clockAt = DefaultClock
		if v := os.Getenv(ClockVar); v != "" {
			clockAt, clockErr = time.Parse(time.RFC3339, v)
		}
	})
	if clockErr != nil {
		panic(fmt.Sprintf("%s: %v (want RFC 3339, e.g. 2026-12-05T00:20:00+01:00)", ClockVar, clockErr))
	}
	return clockAt
}

// Weekday is the clock of a test that needs the hubs open on the current day (a roll call, a
// check-in): Now when it falls on a weekday in Paris, else the next Monday at the same time of
// day.
func Weekday() time.Time {
	t := Now().In(paris())
	for t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		t = time.Date(t.Year(), t.Month(), t.Day()+1, t.Hour(), t.Minute(), t.Second(), 0, t.Location())
	}
	return t
}

// Today is Now's day in Paris, as the service counts days (a UTC midnight).
func Today() time.Time { return store.DefaultAllocationPolicy().Today(Now()) }

func paris() *time.Location { return store.DefaultAllocationPolicy().Location }
