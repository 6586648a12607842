package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

func TestHelpAndUnknownCommand(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"help"}, func(string) string { return "" }, pgtest.Now, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"serve", "migrate", "demo", "account create", "db start"} {
		if !strings.Contains(out.String(), c) {
			t.Errorf("help does not list %q", c)
		}
	}
	if err := run(context.Background(), []string{"frobnicate"}, func(string) string { return "" }, pgtest.Now, nil, io.Discard, io.Discard); err == nil {
		t.Error("an unknown command was accepted")
	}
	if err := run(context.Background(), []string{"help"}, func(k string) string {
		return map[string]string{"COOKIE_SECURE": "perhaps"}[k]
	}, pgtest.Now, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "COOKIE_SECURE") {
		t.Errorf("a bad COOKIE_SECURE gave %v", err)
	}
}

// TestAccountCreate creates staff accounts from the command line, as the rectorat does.
func TestAccountCreate(t *testing.T) {
	url := pgtest.URL(t)
	dataDir := t.TempDir()
	env := func(k string) string {
		return map[string]string{"DATABASE_URL": url, "DATA_DIR": dataDir, "LOG_LEVEL": "error"}[k]
	}
	ctx := context.Background()
	var out bytes.Buffer
	err := run(ctx, []string{"account", "create", "--email", "Agent.Rectorat@ac-besancon.fr", "--role", "rectorat",
		"--name", "Agnès Rectorat", "--password-stdin"}, env, pgtest.Now, strings.NewReader("une longue phrase secrète\n"), &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st := store.New(db).WithClock(pgtest.Now)
	acc, err := st.Authenticate(ctx, "agent.rectorat@ac-besancon.fr", "une longue phrase secrète", "")
	if err != nil || acc.Role != store.RoleRectorat || acc.DisplayName != "Agnès Rectorat" {
		t.Fatalf("created account: %+v, %v", acc, err)
	}
	out.Reset()
	if err := run(ctx, []string{"account", "create", "--email", "dir@ac-besancon.fr", "--role", "director"}, env, pgtest.Now, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "password: ") {
		t.Errorf("no generated password printed: %s", out.String())
	}
	for _, args := range [][]string{
		{"account", "create", "--email", "p@ac-besancon.fr", "--role", "parent"},
		{"account", "create", "--email", "p@ac-besancon.fr", "--role", "prefecture"}, // no département
		{"account", "create", "--email", "d@ac-besancon.fr", "--role", "director", "--hub", "0259999Z"},
	} {
		if err := run(ctx, args, env, pgtest.Now, nil, io.Discard, io.Discard); err == nil {
			t.Errorf("%v was accepted", args)
		}
	}
	var audited int
	if err := db.Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'account.create'`); err != nil || audited != 2 {
		t.Errorf("audit entries: %d (%v), want 2", audited, err)
	}
}
