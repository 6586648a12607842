package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

const (
	ownerPassword = "correct horse battery"
	guesserIP     = "192.0.2.10"
	ownerIP       = "198.51.100.7"
)

// clockedStore is a test store whose clock the test moves.
func clockedStore(t *testing.T) (*store.Store, *time.Time) {
	t.Helper()
	now := pgtest.Now()
	return pgtest.NewStore(t).WithClock(func() time.Time { return now }), &now
}

func failLogins(t *testing.T, st *store.Store, email, ip string, n int) {
	t.Helper()
	for i := range n {
		if _, err := st.Authenticate(context.Background(), email, fmt.Sprintf("guess number %d", i), ip); !errors.Is(err, store.ErrUnauthorized) {
			t.Fatalf("guess %d for %s from %s: %v, want ErrUnauthorized", i, email, ip, err)
		}
	}
}

// throttledFor returns the wait of a throttled login, failing the test if it was not one.
func throttledFor(t *testing.T, err error) time.Duration {
	t.Helper()
	return limitedFor(t, err, store.ErrThrottled)
}

// limitedFor returns the wait of a *store.LimitError of this kind, failing the test if err is
// not one.
func limitedFor(t *testing.T, err, kind error) time.Duration {
	t.Helper()
	var lerr *store.LimitError
	if !errors.As(err, &lerr) || !errors.Is(err, kind) {
		t.Fatalf("%v, want %v", err, kind)
	}
	return lerr.RetryAfter()
}

func createOwner(t *testing.T, st *store.Store, email string) store.Account {
	t.Helper()
	acc, err := st.CreateAccount(context.Background(), store.NewAccount{Email: email, Password: ownerPassword, Role: store.RoleParent})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// Guesses from one network slow that network down for that address, never the owner
// elsewhere, and never other addresses from that network.
func TestThirdPartyFailuresNeverSlowTheOwner(t *testing.T) {
	st, _ := clockedStore(t)
	ctx := context.Background()
	createOwner(t, st, "owner@example.fr")
	createOwner(t, st, "other@example.fr")
	failLogins(t, st, "owner@example.fr", guesserIP, store.LoginFreeFailures)
	_, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP)
	if wait := throttledFor(t, err); wait != store.LoginFirstDelay {
		t.Errorf("the guesser waits %v, want %v", wait, store.LoginFirstDelay)
	}
	if _, err := st.Authenticate(ctx, "Owner@Example.fr", ownerPassword, ownerIP); err != nil {
		t.Errorf("the owner, from elsewhere, is slowed down: %v", err)
	}
	// The owner's success elsewhere does not lift the guesser's delay.
	_, err = st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP)
	throttledFor(t, err)
	if _, err := st.Authenticate(ctx, "other@example.fr", ownerPassword, guesserIP); err != nil {
		t.Errorf("another address from the guesser's network: %v", err)
	}
}

// Each failure past the free ones doubles the pair's wait, up to LoginMaxDelay; once the wait
// is over the pair may try again: it is slowed, never locked.
func TestPairDelayGrowsAndNeverLocks(t *testing.T) {
	st, now := clockedStore(t)
	ctx := context.Background()
	createOwner(t, st, "owner@example.fr")
	failLogins(t, st, "owner@example.fr", guesserIP, store.LoginFreeFailures)
	var waits []time.Duration
	for range 14 {
		_, err := st.Authenticate(ctx, "owner@example.fr", "still guessing", guesserIP)
		wait := throttledFor(t, err)
		waits = append(waits, wait)
		*now = now.Add(wait)
		failLogins(t, st, "owner@example.fr", guesserIP, 1)
	}
	for i, w := range waits {
		want := min(store.LoginFirstDelay<<i, store.LoginMaxDelay)
		if w != want {
			t.Fatalf("wait after %d failures: %v, want %v (waits %v)", store.LoginFreeFailures+i, w, want, waits)
		}
	}
	if waits[len(waits)-1] != store.LoginMaxDelay {
		t.Errorf("the waits never reach the cap: %v", waits)
	}
	_, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP)
	*now = now.Add(throttledFor(t, err))
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP); err != nil {
		t.Errorf("after the longest wait, the right password: %v", err)
	}
	// That success cleared the pair.
	failLogins(t, st, "owner@example.fr", guesserIP, store.LoginFreeFailures)
}

// A completed reset clears the address's failures from every network at once.
func TestResetClearsTheDelay(t *testing.T) {
	st, _ := clockedStore(t)
	ctx := context.Background()
	acc := createOwner(t, st, "owner@example.fr")
	failLogins(t, st, "owner@example.fr", guesserIP, store.LoginFreeFailures)
	_, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP)
	throttledFor(t, err)
	token, err := st.CreateToken(ctx, acc.ID, store.ResetPassword, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ResetPasswordWith(ctx, token, "une toute nouvelle phrase"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "owner@example.fr", "une toute nouvelle phrase", guesserIP); err != nil {
		t.Errorf("after a completed reset: %v", err)
	}
}

// Failures leave the count after LoginFailureWindow.
func TestFailuresLeaveTheWindow(t *testing.T) {
	st, now := clockedStore(t)
	ctx := context.Background()
	createOwner(t, st, "owner@example.fr")
	failLogins(t, st, "owner@example.fr", guesserIP, store.LoginFreeFailures)
	*now = now.Add(store.LoginFailureWindow)
	failLogins(t, st, "owner@example.fr", guesserIP, store.LoginFreeFailures-1)
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP); err != nil {
		t.Errorf("with the old failures out of the window: %v", err)
	}
}

// A successful login from a network clears that address's failures from it, so a parent who
// mistypes now and then is never slowed.
func TestSuccessfulLoginClearsTheNetworksFailures(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	createOwner(t, st, "owner@example.fr")
	for range 2 {
		failLogins(t, st, "owner@example.fr", ownerIP, store.LoginFreeFailures-1)
		if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, ownerIP); err != nil {
			t.Fatalf("after %d failures: %v", store.LoginFreeFailures-1, err)
		}
	}
}

// IPv6 failures count per /64: a guesser cannot dodge the count by walking its own prefix.
func TestIPv6FailuresCountPerPrefix(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	createOwner(t, st, "owner@example.fr")
	for i := range store.LoginFreeFailures {
		failLogins(t, st, "owner@example.fr", fmt.Sprintf("2001:db8:1:2::%x", i+1), 1)
	}
	_, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, "2001:db8:1:2:aaaa::1")
	throttledFor(t, err)
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, "2001:db8:1:3::1"); err != nil {
		t.Errorf("the next /64: %v", err)
	}
}

// One network failing on many addresses is refused for every address until enough of its
// failures leave the window; other networks go on.
func TestFailuresOnManyAddressesBlockTheNetwork(t *testing.T) {
	st, now := clockedStore(t)
	ctx := context.Background()
	createOwner(t, st, "owner@example.fr")
	// The failures are written straight away: hashing hundreds of guesses would only slow the
	// test. The oldest is 10 minutes old, the others a minute.
	if _, err := st.DB().ExecContext(ctx, `
		INSERT INTO login_failure (email, at, ip)
		SELECT 'victim' || i || '@example.fr', $1::timestamptz - CASE WHEN i = 1 THEN interval '10 minutes' ELSE interval '1 minute' END, $2::inet
		FROM generate_series(1, $3) i`, *now, guesserIP, store.LoginFailuresPerNetwork); err != nil {
		t.Fatal(err)
	}
	_, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP)
	if wait := throttledFor(t, err); wait != store.LoginNetworkWindow-10*time.Minute {
		t.Errorf("the network waits %v, want until its oldest failure leaves the window (%v)", wait, store.LoginNetworkWindow-10*time.Minute)
	}
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, ownerIP); err != nil {
		t.Errorf("the owner from another network: %v", err)
	}
	*now = now.Add(store.LoginNetworkWindow - 10*time.Minute)
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP); err != nil {
		t.Errorf("once under the network's count: %v", err)
	}
}
