package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/migrations"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

const pai = "PAI : allergie sévère aux arachides, stylo d'adrénaline dans le cartable"

// withNote sets the health note of the child of account acc.
func withNote(t *testing.T, st *store.Store, acc, child int64, note string) {
	t.Helper()
	ctx := context.Background()
	c, err := st.ChildOf(ctx, acc, child)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateChild(ctx, acc, child, store.ChildInput{FirstName: c.FirstName, LastName: c.LastName, BirthDate: c.BirthDate,
		Level: c.Level, HealthNote: note, Pickups: c.Pickups}); err != nil {
		t.Fatal(err)
	}
}

// rowsHolding counts the rows of every table of the database whose text holds s: what a copy
// of the database would show.
func rowsHolding(t *testing.T, db *sqlx.DB, s string) map[string]int {
	t.Helper()
	var tables []string
	if err := db.Select(&tables, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`); err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, table := range tables {
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM `+pq.QuoteIdentifier(table)+` t WHERE strpos(t::text, $1) > 0`, s); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			out[table] = n
		}
	}
	return out
}

func TestHealthNotesSealedAtRest(t *testing.T) {
	st, acc, kids, _ := oneFamily(t, monday)
	ctx := context.Background()
	withNote(t, st, acc, kids[0], pai)

	if held := rowsHolding(t, st.DB(), "arachides"); len(held) > 0 {
		t.Errorf("the note is in plain text in the database: %v", held)
	}
	var keyID string
	var nonce, sealed []byte
	if err := st.DB().QueryRow(`SELECT key_id, nonce, sealed FROM child_health_note WHERE child_id = $1`, kids[0]).Scan(&keyID, &nonce, &sealed); err != nil {
		t.Fatal(err)
	}
	if keyID != pgtest.HealthKey.ID() || len(nonce) != 12 || len(sealed) != len(pai)+16 {
		t.Errorf("sealed note: key %s, nonce %d bytes, %d bytes", keyID, len(nonce), len(sealed))
	}

	// Round trip, for the parents; a change reseals with a new nonce; an empty note leaves no row.
	c, err := st.ChildOf(ctx, acc, kids[0])
	if err != nil || c.HealthNote != pai {
		t.Fatalf("note read back: %q, %v", c.HealthNote, err)
	}
	withNote(t, st, acc, kids[0], "Asthme.")
	var nonce2 []byte
	if err := st.DB().Get(&nonce2, `SELECT nonce FROM child_health_note WHERE child_id = $1`, kids[0]); err != nil || string(nonce2) == string(nonce) {
		t.Errorf("the nonce was reused (%v)", err)
	}
	if all, err := st.ChildrenOf(ctx, acc); err != nil || len(all) != 1 || all[0].HealthNote != "Asthme." {
		t.Errorf("children: %+v, %v", all, err)
	}
	withNote(t, st, acc, kids[0], "")
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM child_health_note`); err != nil || n != 0 {
		t.Errorf("an empty note left %d rows (%v)", n, err)
	}

	// A store without keys refuses to write a note rather than store it in clear.
	bare := store.New(st.DB()).WithClock(pgtest.Now)
	c.HealthNote = pai
	err = bare.UpdateChild(ctx, acc, kids[0], store.ChildInput{FirstName: c.FirstName, LastName: c.LastName, BirthDate: c.BirthDate, Level: c.Level, HealthNote: pai})
	if !errors.Is(err, store.ErrNoHealthKey) {
		t.Errorf("a store without keys wrote a note: %v", err)
	}
}

func TestHealthNoteMovedToAnotherChildDoesNotOpen(t *testing.T) {
	tw := newTown(monday)
	tw.hub("0250001A", 47.249, 6.019, map[store.Level]int{store.Elementaire: 10})
	email := tw.household("infirmier", monday.AddDate(0, 0, -9), nil, store.Elementaire, store.Elementaire)
	st := tw.load(t)
	acc, kids := childrenOf(t, st, email)
	ctx := context.Background()
	withNote(t, st, acc, kids[0], pai)
	withNote(t, st, acc, kids[1], "Rien de particulier.")
	if _, err := st.DB().Exec(`UPDATE child_health_note b SET key_id = a.key_id, nonce = a.nonce, sealed = a.sealed
		FROM child_health_note a WHERE a.child_id = $1 AND b.child_id = $2`, kids[0], kids[1]); err != nil {
		t.Fatal(err)
	}
	c, err := st.ChildOf(ctx, acc, kids[1])
	if err == nil || strings.Contains(c.HealthNote, "arachides") {
		t.Errorf("a note copied to a brother opens: %q, %v", c.HealthNote, err)
	}
	if err != nil && strings.Contains(err.Error(), "arachides") {
		t.Errorf("the error quotes the note: %v", err)
	}
	if c, err := st.ChildOf(ctx, acc, kids[0]); err != nil || c.HealthNote != pai {
		t.Errorf("the original: %q, %v", c.HealthNote, err)
	}
}

func TestHealthKeyRotation(t *testing.T) {
	st, acc, kids, _ := oneFamily(t, monday)
	ctx := context.Background()
	withNote(t, st, acc, kids[0], pai)
	oldKey := pgtest.HealthKey
	newKey, err := store.NewHealthKey()
	if err != nil {
		t.Fatal(err)
	}
	onKeys := func(keys ...store.HealthKey) *store.Store {
		k, err := store.NewHealthKeyring(keys...)
		if err != nil {
			t.Fatal(err)
		}
		return store.New(st.DB(), store.WithHealthKeys(k)).WithClock(pgtest.Now)
	}
	if _, err := onKeys(newKey).ChildOf(ctx, acc, kids[0]); !errors.Is(err, store.ErrNoHealthKey) {
		t.Fatalf("the new key alone opens a note sealed before: %v", err)
	}

	// During the rotation both keys open; the new one seals.
	rotating := onKeys(newKey, oldKey)
	n, err := rotating.ResealHealthNotes(ctx, 1)
	if err != nil || n != 1 {
		t.Fatalf("resealed %d notes: %v", n, err)
	}
	if byKey, err := rotating.HealthNotesByKey(ctx); err != nil || len(byKey) != 1 || byKey[newKey.ID()] != 1 {
		t.Fatalf("notes by key after the rotation: %v, %v", byKey, err)
	}
	if n, err := rotating.ResealHealthNotes(ctx, 1); err != nil || n != 0 {
		t.Errorf("a second pass resealed %d notes: %v", n, err)
	}
	// The old key can go.
	if c, err := onKeys(newKey).ChildOf(ctx, acc, kids[0]); err != nil || c.HealthNote != pai {
		t.Errorf("after the rotation, the new key alone: %q, %v", c.HealthNote, err)
	}
	if _, err := onKeys(oldKey).ChildOf(ctx, acc, kids[0]); !errors.Is(err, store.ErrNoHealthKey) {
		t.Errorf("the old key still opens the note: %v", err)
	}
}

func TestPlainHealthNotesSealedAtStart(t *testing.T) {
	st, acc, kids, _ := oneFamily(t, monday)
	ctx := context.Background()
	if _, err := st.DB().Exec(`INSERT INTO child_health_note_plain (child_id, note) VALUES ($1, $2)`, kids[0], pai); err != nil {
		t.Fatal(err)
	}
	if n, err := st.SealPlainHealthNotes(ctx); err != nil || n != 1 {
		t.Fatalf("sealed %d: %v", n, err)
	}
	if held := rowsHolding(t, st.DB(), "arachides"); len(held) > 0 {
		t.Errorf("plain text left after sealing: %v", held)
	}
	if c, err := st.ChildOf(ctx, acc, kids[0]); err != nil || c.HealthNote != pai {
		t.Errorf("sealed note: %q, %v", c.HealthNote, err)
	}
	if n, err := st.SealPlainHealthNotes(ctx); err != nil || n != 0 {
		t.Errorf("second start sealed %d: %v", n, err)
	}
}

// TestHealthNoteMigration migrates a database holding notes in clear, as before encryption:
// the migration moves them out of the child table, and the start seals them.
func TestHealthNoteMigration(t *testing.T) {
	db := pgtest.NewDB(t)
	ctx := context.Background()
	if _, err := db.Exec(`DROP SCHEMA public CASCADE; CREATE SCHEMA public`); err != nil {
		t.Fatal(err)
	}
	all, err := store.ReadMigrations(migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	var before []store.Migration
	for _, m := range all {
		if m.Version < 9 {
			before = append(before, m)
		}
	}
	if _, err := store.Migrate(ctx, db, before); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`
		INSERT INTO departement (code, name) VALUES ('25', 'Doubs');
		INSERT INTO commune (insee_code, name, departement_code, population, lat, lon) VALUES ('25056', 'Besançon', '25', 1, 47.2, 6.0);
		INSERT INTO account (email, role) VALUES ('p@example.fr', 'parent');
		INSERT INTO household (account_id, home_commune_code, work_commune_code, sworn_at, sworn_text_version)
		SELECT id, '25056', '25056', now(), 'v1' FROM account;
		INSERT INTO child (household_id, first_name, last_name, birth_date, level, health_note)
		SELECT id, 'Lê', 'Dupré', '2018-05-01', 'elementaire', 'PAI : arachides' FROM household;
		INSERT INTO child (household_id, first_name, last_name, birth_date, level)
		SELECT id, 'Zoé', 'Dupré', '2019-05-01', 'elementaire' FROM household`); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Migrate(ctx, db, all); err != nil {
		t.Fatal(err)
	}
	st := store.New(db, store.WithHealthKeys(pgtest.HealthKeys(t))).WithClock(pgtest.Now)
	if n, err := st.SealPlainHealthNotes(ctx); err != nil || n != 1 {
		t.Fatalf("sealed %d: %v", n, err)
	}
	if held := rowsHolding(t, db, "arachides"); len(held) > 0 {
		t.Errorf("plain text left after the migration and the start: %v", held)
	}
	var acc int64
	if err := db.Get(&acc, `SELECT id FROM account`); err != nil {
		t.Fatal(err)
	}
	kids, err := st.ChildrenOf(ctx, acc)
	if err != nil || len(kids) != 2 || kids[1].HealthNote != "PAI : arachides" || kids[0].HealthNote != "" {
		t.Errorf("children after the migration: %+v, %v", kids, err)
	}
}
