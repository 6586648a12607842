package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

func TestSessionsExpireWhenIdleOrOld(t *testing.T) {
	base := pgtest.NewStore(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	st := base.WithClock(func() time.Time { return now })
	acc, err := st.CreateAccount(ctx, store.NewAccount{Email: "a@example.fr", Password: "correct horse battery", Role: store.RoleRectorat})
	if err != nil {
		t.Fatal(err)
	}
	p := store.SessionPolicy{Absolute: 12 * time.Hour, Idle: 30 * time.Minute}
	token, sess, err := st.CreateSession(ctx, acc.ID, p, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if sess.ID != acc.ID || sess.CSRFToken == "" || !sess.ExpiresAt.Equal(now.Add(12*time.Hour)) {
		t.Fatalf("session %+v", sess)
	}
	var stored []byte
	if err := st.DB().Get(&stored, `SELECT token_hash FROM session`); err != nil || string(stored) == token {
		t.Fatalf("the token itself must not be stored (%v)", err)
	}
	// Active every 25 minutes: alive until the 12-hour limit.
	for i := 0; i < 28; i++ {
		now = now.Add(25 * time.Minute)
		if _, err := st.SessionByToken(ctx, token, p); err != nil {
			t.Fatalf("after %v of activity: %v", time.Duration(i+1)*25*time.Minute, err)
		}
	}
	now = now.Add(25 * time.Minute) // 12 h 05 after login
	if _, err := st.SessionByToken(ctx, token, p); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("past the absolute limit: %v, want ErrNotFound", err)
	}
	token2, _, err := st.CreateSession(ctx, acc.ID, p, "", "")
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(31 * time.Minute)
	if _, err := st.SessionByToken(ctx, token2, p); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("idle 31 minutes: %v, want ErrNotFound", err)
	}
	if n, err := st.DeleteStaleSessions(ctx, p); err != nil || n != 2 {
		t.Errorf("stale sessions removed: %d, %v; want 2", n, err)
	}
	if _, err := st.SessionByToken(ctx, "not-a-token", p); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown token: %v", err)
	}
}

func TestAuthenticate(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	if _, err := st.CreateAccount(ctx, store.NewAccount{Email: "Dir@Example.fr", Password: "correct horse battery", Role: store.RoleDirector}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateAccount(ctx, store.NewAccount{Email: "dir@example.fr", Password: "x", Role: store.RoleDirector}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("same e-mail in another case: %v, want ErrConflict", err)
	}
	if _, err := st.CreateAccount(ctx, store.NewAccount{Email: "p@example.fr", Role: store.RolePrefecture}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("prefecture agent without a département: %v, want ErrInvalid", err)
	}
	a, err := st.Authenticate(ctx, " DIR@example.fr", "correct horse battery", "192.0.2.1")
	if err != nil || a.Role != store.RoleDirector {
		t.Fatalf("good password: %+v, %v", a, err)
	}
	if _, err := st.Authenticate(ctx, "dir@example.fr", "wrong", ""); !errors.Is(err, store.ErrUnauthorized) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := st.Authenticate(ctx, "nobody@example.fr", "wrong", ""); !errors.Is(err, store.ErrUnauthorized) {
		t.Errorf("unknown e-mail: %v", err)
	}
}

func TestPasswordHashes(t *testing.T) {
	h, err := store.HashPassword("Éloïse aime les châtaignes")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := store.HashPassword("Éloïse aime les châtaignes")
	if h == h2 {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if ok, err := store.PasswordMatches(h, "Éloïse aime les châtaignes"); !ok || err != nil {
		t.Errorf("right password refused: %v", err)
	}
	if ok, _ := store.PasswordMatches(h, "Eloise aime les chataignes"); ok {
		t.Error("wrong password accepted")
	}
	if _, err := store.PasswordMatches("$2a$10$bcrypt", "x"); err == nil {
		t.Error("a malformed hash was accepted")
	}
}

// Requests arriving together have their sessions read together, each getting its own: a token
// never gets another's session, an unknown or expired one gets ErrNotFound.
func TestSessionLoaderAnswersEachTokenItsOwn(t *testing.T) {
	base := pgtest.NewStore(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	st := base.WithClock(func() time.Time { return now })
	p := store.SessionPolicy{Absolute: 12 * time.Hour, Idle: 30 * time.Minute}
	tokens := map[string]int64{} // token -> account
	for i := range 40 {
		acc, err := st.CreateAccount(ctx, store.NewAccount{Email: fmt.Sprintf("p%d@example.fr", i), Password: "correct horse battery", Role: store.RoleParent})
		if err != nil {
			t.Fatal(err)
		}
		token, _, err := st.CreateSession(ctx, acc.ID, p, "", "")
		if err != nil {
			t.Fatal(err)
		}
		tokens[token] = acc.ID
	}
	disabled, err := st.CreateAccount(ctx, store.NewAccount{Email: "gone@example.fr", Password: "correct horse battery", Role: store.RoleParent})
	if err != nil {
		t.Fatal(err)
	}
	gone, _, err := st.CreateSession(ctx, disabled.ID, p, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`UPDATE account SET disabled_at = now() WHERE id = $1`, disabled.ID); err != nil {
		t.Fatal(err)
	}
	now = now.Add(2 * time.Minute) // activity is then recorded, in the same read

	l := store.NewSessionLoader(st, p, 0)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for round := range 3 {
		for token, acc := range tokens {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sess, err := l.Session(ctx, token)
				if err != nil || sess.ID != acc || !sess.LastSeenAt.Equal(now) {
					errs <- fmt.Errorf("round %d, account %d: session %d seen %v, %v", round, acc, sess.ID, sess.LastSeenAt, err)
				}
			}()
		}
		for _, token := range []string{"not-a-token", gone} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := l.Session(ctx, token); !errors.Is(err, store.ErrNotFound) {
					errs <- fmt.Errorf("token of no live session: %v, want ErrNotFound", err)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var recorded int
	if err := st.DB().Get(&recorded, `SELECT count(*) FROM session WHERE last_seen_at = $1`, now); err != nil || recorded != 40 {
		t.Errorf("activity recorded for %d sessions (%v), want 40", recorded, err)
	}
}

// An account lists and ends its own sessions, by an id that is neither the token nor its
// hash, and never another account's.
func TestAccountListsAndEndsItsSessions(t *testing.T) {
	st := pgtest.NewStore(t)
	ctx := context.Background()
	p := store.SessionPolicy{Absolute: 12 * time.Hour, Idle: 30 * time.Minute}
	var accounts [2]store.Account
	for i := range accounts {
		a, err := st.CreateAccount(ctx, store.NewAccount{Email: fmt.Sprintf("p%d@example.fr", i), Password: "correct horse battery", Role: store.RoleParent})
		if err != nil {
			t.Fatal(err)
		}
		accounts[i] = a
	}
	a, b := store.ScopeOf(accounts[0]), store.ScopeOf(accounts[1])
	phone, phoneSess, err := st.CreateSession(ctx, a.AccountID, p, "192.0.2.1", "Mozilla/5.0 (Linux; Android 14) Firefox/128.0")
	if err != nil {
		t.Fatal(err)
	}
	laptop, laptopSess, err := st.CreateSession(ctx, a.AccountID, p, "2001:db8::7", "Mozilla/5.0 (Windows NT 10.0) Chrome/126.0")
	if err != nil {
		t.Fatal(err)
	}
	theirs, theirSess, err := st.CreateSession(ctx, b.AccountID, p, "198.51.100.1", "")
	if err != nil {
		t.Fatal(err)
	}
	list, err := st.SessionsOf(ctx, a, p)
	if err != nil || len(list) != 2 {
		t.Fatalf("sessions of A: %+v (%v), want 2", list, err)
	}
	ips := map[string]bool{}
	for _, s := range list {
		ips[s.IP] = true
		if s.PublicID == phone || s.PublicID == laptop || s.PublicID == "" {
			t.Errorf("the public id %q is a token", s.PublicID)
		}
		var hashed int
		if err := st.DB().Get(&hashed, `SELECT count(*) FROM session WHERE encode(token_hash, 'hex') = $1 OR encode(token_hash, 'base64') = $1`, s.PublicID); err != nil || hashed != 0 {
			t.Errorf("the public id is the token's hash (%v)", err)
		}
	}
	if !ips["192.0.2.1"] || !ips["2001:db8::7"] {
		t.Errorf("addresses shown: %v", ips)
	}
	if err := st.EndSession(ctx, a, theirSess.PublicID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("A ending B's session: %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"", "not-a-uuid", "'; DELETE FROM session; --", phone} {
		if err := st.EndSession(ctx, a, bad); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ending %q: %v, want ErrNotFound", bad, err)
		}
	}
	if _, err := st.SessionByToken(ctx, theirs, p); err != nil {
		t.Errorf("B's session ended: %v", err)
	}
	if err := st.EndSession(ctx, a, laptopSess.PublicID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionByToken(ctx, laptop, p); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the ended session lives on: %v", err)
	}
	if _, _, err := st.CreateSession(ctx, a.AccountID, p, "", ""); err != nil {
		t.Fatal(err)
	}
	if n, err := st.EndOtherSessions(ctx, a, phoneSess.PublicID); err != nil || n != 1 {
		t.Errorf("ending the others: %d (%v), want 1", n, err)
	}
	if _, err := st.SessionByToken(ctx, phone, p); err != nil {
		t.Errorf("the session that asked was ended: %v", err)
	}
	if _, err := st.SessionByToken(ctx, theirs, p); err != nil {
		t.Errorf("another account's session was ended: %v", err)
	}

	// A completed password reset ends every session of the account.
	token, err := st.CreateToken(ctx, a.AccountID, store.ResetPassword, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.ResetPasswordWith(ctx, token, "une toute nouvelle phrase"); err != nil {
		t.Fatal(err)
	}
	if list, err := st.SessionsOf(ctx, a, p); err != nil || len(list) != 0 {
		t.Errorf("sessions after a reset: %d (%v), want 0", len(list), err)
	}
}
