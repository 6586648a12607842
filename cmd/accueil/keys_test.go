package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestHealthKeysFileAndRotation: the first start creates a private key file under DATA_DIR and
// seals the demo's notes with it; `accueil keys rotate` re-seals every note with a new key and
// leaves only that key in the file; HEALTH_KEY takes over from the file.
func TestHealthKeysFileAndRotation(t *testing.T) {
	url := pgtest.URL(t)
	dataDir := t.TempDir()
	vars := map[string]string{"DATABASE_URL": url, "DATA_DIR": dataDir, "LOG_LEVEL": "error"}
	env := func(k string) string { return vars[k] }
	ctx := context.Background()
	if err := run(ctx, []string{"demo"}, env, pgtest.Now, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dataDir, "keys", "health.key")
	for p, want := range map[string]os.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
		info, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if info.Mode().Perm() != want {
			t.Fatalf("%s: mode %v, want %v", p, info.Mode().Perm(), want)
		}
	}
	first, err := readKeyFile(path)
	if err != nil || len(first) != 1 {
		t.Fatalf("key file: %d keys, %v", len(first), err)
	}
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	byKey := func() map[string]int {
		m, err := store.New(db).HealthNotesByKey(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	if m := byKey(); len(m) != 1 || m[first[0].ID()] == 0 {
		t.Fatalf("demo notes by key: %v, want all under %s", m, first[0].ID())
	}
	// A parent with a note, read back with the first key.
	var acc int64
	if err := db.Get(&acc, `SELECT h.account_id FROM child_health_note n JOIN child c ON c.id = n.child_id JOIN household h ON h.id = c.household_id ORDER BY n.child_id LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	notes := func(keys ...store.HealthKey) ([]string, error) {
		k, err := store.NewHealthKeyring(keys...)
		if err != nil {
			t.Fatal(err)
		}
		kids, err := store.New(db, store.WithHealthKeys(k)).ChildrenOf(ctx, acc)
		var out []string
		for _, c := range kids {
			out = append(out, c.HealthNote)
		}
		return out, err
	}
	before, err := notes(first...)
	if err != nil || strings.Join(before, "") == "" {
		t.Fatalf("notes with the first key: %q, %v", before, err)
	}

	var out bytes.Buffer
	if err := run(ctx, []string{"keys", "rotate"}, env, pgtest.Now, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	second, err := readKeyFile(path)
	if err != nil || len(second) != 1 || second[0] == first[0] {
		t.Fatalf("key file after the rotation: %d keys (same as before: %v), %v", len(second), len(second) > 0 && second[0] == first[0], err)
	}
	if m := byKey(); len(m) != 1 || m[second[0].ID()] == 0 {
		t.Errorf("notes by key after the rotation: %v, want all under %s", m, second[0].ID())
	}
	if after, err := notes(second...); err != nil || strings.Join(after, "|") != strings.Join(before, "|") {
		t.Errorf("notes with the new key alone: %q, %v, want %q", after, err, before)
	}
	if _, err := notes(first...); err == nil {
		t.Error("the old key still opens the notes")
	}
	if !strings.Contains(out.String(), "re-encrypted with key "+second[0].ID()) {
		t.Errorf("rotate says: %s", out.String())
	}

	// HEALTH_KEY, with the file's key as the previous one.
	third, _ := store.NewHealthKey()
	vars["HEALTH_KEY"], vars["HEALTH_KEY_PREVIOUS"] = third.Base64(), second[0].Base64()
	if err := run(ctx, []string{"keys", "rotate"}, env, pgtest.Now, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if m := byKey(); len(m) != 1 || m[third.ID()] == 0 {
		t.Errorf("notes by key after the rotation to HEALTH_KEY: %v", m)
	}

	// A bad key is refused without being quoted; a key file others may read is refused.
	vars["HEALTH_KEY"] = "c2VjcmV0LW1haXMtY291cnQ="
	if err := run(ctx, []string{"keys", "rotate"}, env, pgtest.Now, nil, io.Discard, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "HEALTH_KEY") || strings.Contains(err.Error(), vars["HEALTH_KEY"]) {
		t.Errorf("a short HEALTH_KEY gave %v", err)
	}
	delete(vars, "HEALTH_KEY")
	delete(vars, "HEALTH_KEY_PREVIOUS")
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"keys", "rotate"}, env, pgtest.Now, nil, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "0600") {
		t.Errorf("a key file readable by others gave %v", err)
	}
}

// TestOnlyTheServiceCreatesTheHealthKey: a command other than the service's own (here the
// account command, on a fresh DATA_DIR) never creates a key file of its own, which would seal
// notes with a key the servers do not have; the service's first start does, and says where.
func TestOnlyTheServiceCreatesTheHealthKey(t *testing.T) {
	url := pgtest.URL(t)
	dataDir := t.TempDir()
	vars := map[string]string{"DATABASE_URL": url, "DATA_DIR": dataDir, "LOG_LEVEL": "warn"}
	env := func(k string) string { return vars[k] }
	ctx := context.Background()
	if err := run(ctx, []string{"account", "create", "--email", "dir@ac-besancon.fr", "--role", "rectorat"}, env, pgtest.Now, nil, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dataDir, "keys", "health.key")
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the account command created a key file (%v)", err)
	}
	var log bytes.Buffer
	if err := run(ctx, []string{"demo"}, env, pgtest.Now, nil, io.Discard, &log); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil || !strings.Contains(log.String(), "health key file created") || !strings.Contains(log.String(), path) {
		t.Errorf("the demo's first start: key file %v, log %s", err, log.String())
	}
	key, _ := readKeyFile(path)
	if len(key) != 1 || strings.Contains(log.String(), key[0].Base64()) {
		t.Error("the log holds the key")
	}
}

// `accueil keys session` prints the key the processes sign session tokens with, for HAProxy:
// the database's, made once and the same at every call, or SESSION_KEY when set.
func TestKeysSessionPrintsTheProcessesKey(t *testing.T) {
	url := pgtest.URL(t)
	vars := map[string]string{"DATABASE_URL": url, "DATA_DIR": t.TempDir(), "LOG_LEVEL": "error"}
	env := func(k string) string { return vars[k] }
	ctx := context.Background()
	printed := func() string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, []string{"keys", "session"}, env, pgtest.Now, nil, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(out.String())
	}
	first := printed()
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	key, err := store.New(db).SessionKey(ctx)
	if err != nil || first != base64.StdEncoding.EncodeToString(key) || len(key) < 32 {
		t.Fatalf("printed %q, the processes sign with %x (%v)", first, key, err)
	}
	if again := printed(); again != first {
		t.Errorf("a second call printed another key")
	}
	vars["SESSION_KEY"] = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 32))
	if got := printed(); got != vars["SESSION_KEY"] {
		t.Errorf("with SESSION_KEY: printed %q", got)
	}
	vars["SESSION_KEY"] = "c2hvcnQ="
	if err := run(ctx, []string{"keys", "session"}, env, pgtest.Now, nil, io.Discard, io.Discard); err == nil || strings.Contains(err.Error(), "c2hvcnQ") {
		t.Errorf("a short SESSION_KEY: %v, want refused without quoting it", err)
	}
}
