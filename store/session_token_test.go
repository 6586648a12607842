package store_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// A session token carries the MAC of the service's key. Every process on one database signs
// with the same key; a token with a wrong MAC, in the old unsigned form, or signed with
// another key is no session, and is told so without reading the database.
func TestForgedSessionTokensAreRefusedWithoutTheDatabase(t *testing.T) {
	ctx := context.Background()
	db := pgtest.NewDB(t)
	a := store.New(db).WithClock(pgtest.Now)
	b := store.New(db).WithClock(pgtest.Now) // a second process
	acc, err := a.CreateAccount(ctx, store.NewAccount{Email: "parent@example.fr", Password: "correct horse battery", Role: store.RoleParent})
	if err != nil {
		t.Fatal(err)
	}
	p := store.SessionPolicy{Absolute: time.Hour, Idle: time.Hour}
	token, _, err := a.CreateSession(ctx, acc.ID, p, "192.0.2.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.SessionByToken(ctx, token, p); err != nil {
		t.Fatalf("the other process does not know the session: %v", err)
	}
	keyA, _ := a.SessionKey(ctx)
	keyB, _ := b.SessionKey(ctx)
	if !bytes.Equal(keyA, keyB) || len(keyA) < 32 {
		t.Fatalf("two processes on one database sign with keys %x and %x", keyA, keyB)
	}

	random, mac, _ := strings.Cut(token, ".")
	flipped := []byte(mac)
	flipped[0] ^= 1
	forged := map[string]string{
		"wrong MAC":         random + "." + string(flipped),
		"no MAC (old form)": store.RandomToken(),
		"made up":           store.RandomToken() + "." + mac,
		"empty MAC":         random + ".",
	}
	other := store.New(db, store.WithSessionKey(bytes.Repeat([]byte{7}, 32))).WithClock(pgtest.Now)
	if _, err := other.SessionByToken(ctx, token, p); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a store with another key took the token: %v", err)
	}

	loader := store.NewSessionLoader(a, p, 0)
	defer loader.Close()
	if _, err := loader.Session(ctx, token); err != nil {
		t.Fatalf("the loader refused a signed token: %v", err)
	}
	read := loader.Queue().Batched
	// Without the database, forged tokens are still told apart, and none is queued for a read.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for what, tok := range forged {
		if _, err := loader.Session(ctx, tok); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound without the database", what, err)
		}
		if _, err := a.SessionByToken(ctx, tok, p); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s (SessionByToken): %v, want ErrNotFound without the database", what, err)
		}
	}
	if _, err := a.SessionByToken(ctx, token, p); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("a signed token with the database closed: %v, want the database's error", err)
	}
	if n := loader.Queue().Batched - read; n != 0 {
		t.Errorf("%d forged tokens were queued for a read", n)
	}
}
