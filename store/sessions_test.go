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

	l := store.NewSessionLoader(st, p)
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
