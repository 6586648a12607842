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

func failLogins(t *testing.T, st *store.Store, email, ip string, n int) {
	t.Helper()
	for i := range n {
		if _, err := st.Authenticate(context.Background(), email, fmt.Sprintf("guess number %d", i), ip); !errors.Is(err, store.ErrUnauthorized) {
			t.Fatalf("guess %d for %s from %s: %v, want ErrUnauthorized", i, email, ip, err)
		}
	}
}

// Guesses from one network refuse that network for that address, never the owner elsewhere;
// the window slides; a completed reset lifts the refusal.
func TestLoginFailuresLockOnlyTheGuessersNetwork(t *testing.T) {
	now := pgtest.Now()
	st := pgtest.NewStore(t).WithClock(func() time.Time { return now })
	ctx := context.Background()
	acc, err := st.CreateAccount(ctx, store.NewAccount{Email: "owner@example.fr", Password: ownerPassword, Role: store.RoleParent})
	if err != nil {
		t.Fatal(err)
	}
	failLogins(t, st, "owner@example.fr", guesserIP, store.LoginFailuresAllowed)
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP); !errors.Is(err, store.ErrThrottled) {
		t.Errorf("right password from the guesser's address: %v, want ErrThrottled", err)
	}
	if _, err := st.Authenticate(ctx, "Owner@Example.fr", ownerPassword, ownerIP); err != nil {
		t.Errorf("the owner, from elsewhere, is locked out: %v", err)
	}
	// The owner's success elsewhere does not lift the guesser's refusal.
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP); !errors.Is(err, store.ErrThrottled) {
		t.Errorf("after the owner's login elsewhere, the guesser: %v, want ErrThrottled", err)
	}
	// The guesser's network may still log in to other accounts.
	if _, err := st.CreateAccount(ctx, store.NewAccount{Email: "other@example.fr", Password: ownerPassword, Role: store.RoleParent}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "other@example.fr", ownerPassword, guesserIP); err != nil {
		t.Errorf("another address from the guesser's network: %v", err)
	}

	// The window slides.
	now = now.Add(store.LoginFailureWindow + time.Second)
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP); err != nil {
		t.Errorf("after the window: %v", err)
	}

	// A completed reset lifts the refusal at once.
	failLogins(t, st, "owner@example.fr", guesserIP, store.LoginFailuresAllowed)
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

// A successful login from a network clears that address's failures from it, so a parent who
// mistypes now and then is never refused.
func TestSuccessfulLoginClearsTheNetworksFailures(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	if _, err := st.CreateAccount(ctx, store.NewAccount{Email: "owner@example.fr", Password: ownerPassword, Role: store.RoleParent}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		failLogins(t, st, "owner@example.fr", ownerIP, store.LoginFailuresAllowed-1)
		if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, ownerIP); err != nil {
			t.Fatalf("after %d failures: %v", store.LoginFailuresAllowed-1, err)
		}
	}
}

// IPv6 failures count per /64: a guesser cannot dodge the count by walking its own prefix.
func TestIPv6FailuresCountPerPrefix(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	if _, err := st.CreateAccount(ctx, store.NewAccount{Email: "owner@example.fr", Password: ownerPassword, Role: store.RoleParent}); err != nil {
		t.Fatal(err)
	}
	for i := range store.LoginFailuresAllowed {
		failLogins(t, st, "owner@example.fr", fmt.Sprintf("2001:db8:1:2::%x", i+1), 1)
	}
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, "2001:db8:1:2:aaaa::1"); !errors.Is(err, store.ErrThrottled) {
		t.Errorf("another address of the guesser's /64: %v, want ErrThrottled", err)
	}
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, "2001:db8:1:3::1"); err != nil {
		t.Errorf("the next /64: %v", err)
	}
}

// One network guessing across many addresses is refused for every address, and only it.
func TestFailuresOnManyAddressesBlockTheNetwork(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	if _, err := st.CreateAccount(ctx, store.NewAccount{Email: "owner@example.fr", Password: ownerPassword, Role: store.RoleParent}); err != nil {
		t.Fatal(err)
	}
	for i := range store.LoginFailuresPerNetwork {
		failLogins(t, st, fmt.Sprintf("victim%d@example.fr", i), guesserIP, 1)
	}
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, guesserIP); !errors.Is(err, store.ErrThrottled) {
		t.Errorf("a fresh address from the guessing network: %v, want ErrThrottled", err)
	}
	if _, err := st.Authenticate(ctx, "owner@example.fr", ownerPassword, ownerIP); err != nil {
		t.Errorf("the owner from another network: %v", err)
	}
}
