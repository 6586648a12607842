package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/accueil-prioritaire/accueil/store"
)

// healthKeyFile is where the health notes' keys live under DATA_DIR when HEALTH_KEY is not set:
// one base64 key a line, the first one sealing, the others still readable (during a rotation).
const healthKeyFile = "keys/health.key"

// healthKeys is the keyring of the health notes: HEALTH_KEY (and HEALTH_KEY_PREVIOUS) when set,
// else the key file under DATA_DIR, created with a new key on first start when create is set
// (without it, a missing file means no keyring). The key file is read again before each
// sealing, so running processes follow `accueil keys rotate`.
func healthKeys(e env, create bool) (*store.HealthKeyring, error) {
	if len(e.cfg.HealthKeys) > 0 {
		return store.NewHealthKeyring(e.cfg.HealthKeys...)
	}
	path := filepath.Join(e.cfg.DataDir, healthKeyFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) && !create {
		return nil, nil
	}
	created, err := createKeyFile(path)
	if err != nil {
		return nil, err
	}
	if created {
		// Never the key itself: where it is, so that it is kept apart from the backups.
		e.log.Warn("health key file created: keep a copy of it where the database backups are not", slog.String("path", path))
	}
	return store.LoadHealthKeyring(func() ([]store.HealthKey, error) { return readKeyFile(path) })
}

// createKeyFile writes a new key to path unless the file exists, and says whether it did. The
// key is written to a temporary file first and linked into place, so that two processes
// starting at once never read a half-written file and agree on one key.
func createKeyFile(path string) (bool, error) {
	if _, err := os.Stat(path); err == nil {
		return false, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	key, err := store.NewHealthKey()
	if err != nil {
		return false, err
	}
	tmp, err := writeTempKeys(filepath.Dir(path), []store.HealthKey{key})
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, path); errors.Is(err, fs.ErrExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("health key file: %w", err)
	}
	return true, nil
}

// writeKeyFile replaces the key file at path with keys, atomically.
func writeKeyFile(path string, keys []store.HealthKey) error {
	tmp, err := writeTempKeys(filepath.Dir(path), keys)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("health key file: %w", err)
	}
	return nil
}

// writeTempKeys writes keys to a new file of mode 0600 in dir (created with mode 0700).
func writeTempKeys(dir string, keys []store.HealthKey) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("health key folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".health.key-*")
	if err != nil {
		return "", fmt.Errorf("health key file: %w", err)
	}
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k.Base64() + "\n")
	}
	_, err = f.WriteString(b.String())
	if err == nil {
		err = f.Chmod(0o600)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("health key file: %w", err)
	}
	return f.Name(), nil
}

// readKeyFile reads the keys of path, the sealing one first. It refuses a file that others than
// its owner may read.
func readKeyFile(path string) ([]store.HealthKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("health key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("health key file %s: mode %v lets others read it, want 0600", path, info.Mode().Perm())
	}
	var keys []store.HealthKey
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		k, err := store.ParseHealthKey(text)
		if err != nil {
			return nil, fmt.Errorf("health key file %s, line %d: %w", path, line, err)
		}
		keys = append(keys, k)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("health key file %s holds no key", path)
	}
	return keys, nil
}

func keysCommand(ctx context.Context, e env, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: accueil keys rotate | accueil keys new | accueil keys session")
	}
	switch args[0] {
	case "new":
		k, err := store.NewHealthKey()
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, k.Base64())
		return nil
	case "rotate":
		return rotateKeys(ctx, e)
	case "session":
		return printSessionKey(ctx, e)
	}
	return errors.New("usage: accueil keys rotate | accueil keys new | accueil keys session")
}

// rotateKeys re-seals every health note with a new key. With the key file, it puts a new key
// first in the file (the old ones stay readable meanwhile), re-seals, then drops the keys no
// note uses any more. With HEALTH_KEY, the operator has set the new key there and the old ones
// in HEALTH_KEY_PREVIOUS; it re-seals with HEALTH_KEY and says when the old ones can go.
// The service may keep running: notes written meanwhile are re-sealed by the next pass.
func rotateKeys(ctx context.Context, e env) error {
	st, closeDB, err := openStore(ctx, e, false)
	if err != nil {
		return err
	}
	defer closeDB()
	path := filepath.Join(e.cfg.DataDir, healthKeyFile)
	fromFile := len(e.cfg.HealthKeys) == 0
	var kept []store.HealthKey
	if fromFile {
		old, err := readKeyFile(path)
		if err != nil {
			return err
		}
		key, err := store.NewHealthKey()
		if err != nil {
			return err
		}
		kept = append([]store.HealthKey{key}, old...)
		if err := writeKeyFile(path, kept); err != nil {
			return err
		}
	}
	n, err := st.ResealHealthNotes(ctx, 500)
	if err != nil {
		return fmt.Errorf("after %d notes re-encrypted: %w", n, err)
	}
	current := st.HealthKeyID()
	byKey, err := st.HealthNotesByKey(ctx)
	if err != nil {
		return err
	}
	var others []string
	for id := range byKey {
		if id != current {
			others = append(others, id)
		}
	}
	sort.Strings(others)
	fmt.Fprintf(e.stdout, "%d health notes re-encrypted with key %s\n", n, current)
	if len(others) > 0 {
		return fmt.Errorf("notes are still sealed with keys %s: run the rotation again", strings.Join(others, ", "))
	}
	if fromFile {
		if err := st.RetireHealthKeys(ctx, func() error { return writeKeyFile(path, kept[:1]) }); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "the old keys are removed from %s\n", path)
		return nil
	}
	fmt.Fprintln(e.stdout, "no note uses another key: HEALTH_KEY_PREVIOUS can be removed")
	return nil
}

// printSessionKey prints the key that signs session tokens, in base64, for HAProxy's
// ACCUEIL_SESSION_KEY (deploy/haproxy.cfg): SESSION_KEY when set, otherwise the database's,
// made now if no process has made it yet.
func printSessionKey(ctx context.Context, e env) error {
	st, closeDB, err := openStore(ctx, e, false)
	if err != nil {
		return err
	}
	defer closeDB()
	key, err := st.SessionKey(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, base64.StdEncoding.EncodeToString(key))
	return nil
}
