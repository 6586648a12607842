package store

import (
	"context"
	"database/sql"
	"fmt"
	"unicode/utf8"

	"github.com/lib/pq"
)

// maxHealthNote is the longest note kept, in characters (the schema bounds its ciphertext).
const maxHealthNote = 1000

// noteKeysLock is the advisory lock between sealing a note (shared) and retiring keys
// (exclusive).
const noteKeysLock = 7_310_002_029

// RetireHealthKeys re-seals, under the exclusive lock, the notes still under another key than
// the current one, then calls retire (which removes the old keys from where they are kept)
// before the lock is released: a note being saved meanwhile waits and is sealed with the current
// key. ErrConflict when a note could not be re-sealed.
func (s *Store) RetireHealthKeys(ctx context.Context, retire func() error) error {
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if _, err := tx.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, noteKeysLock); err != nil {
			return err
		}
		if _, err := tx.ResealHealthNotes(ctx, 500); err != nil {
			return err
		}
		byKey, err := tx.HealthNotesByKey(ctx)
		if err != nil {
			return err
		}
		current := tx.HealthKeyID()
		for id, n := range byKey {
			if id != current && n > 0 {
				return fmt.Errorf("%w: %d health notes still under key %s", ErrConflict, n, id)
			}
		}
		return retire()
	})
}

// noteColumns selects the sealed note of child c from its LEFT JOINed row n.
const noteColumns = `COALESCE(n.key_id, '') AS note_key_id, n.nonce AS note_nonce, n.sealed AS note_sealed`

// setHealthNote seals note for child childID, or removes the child's note when note is empty.
// The caller has checked that the child is in its scope.
func (s *Store) setHealthNote(ctx context.Context, childID int64, note string) error {
	if note == "" {
		_, err := s.q.ExecContext(ctx, `DELETE FROM child_health_note WHERE child_id = $1`, childID)
		return err
	}
	if utf8.RuneCountInString(note) > maxHealthNote {
		return fmt.Errorf("%w: health note longer than %d characters", ErrInvalid, maxHealthNote)
	}
	// The key is chosen under the shared lock that RetireHealthKeys takes exclusively: a note is
	// never sealed with a key being retired.
	if _, err := s.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock_shared($1)`, noteKeysLock); err != nil {
		return err
	}
	sealer, err := s.notes.sealer()
	if err != nil {
		return err
	}
	n, err := sealer.seal(childID, note)
	if err != nil {
		return err
	}
	return s.writeSealedNotes(ctx, []int64{childID}, []sealedNote{n})
}

// writeSealedNotes is the one writer of child_health_note: it inserts or replaces the notes of
// children ids.
func (s *Store) writeSealedNotes(ctx context.Context, ids []int64, notes []sealedNote) error {
	if len(ids) == 0 {
		return nil
	}
	keys := make([]string, len(notes))
	nonces := make([][]byte, len(notes))
	sealed := make([][]byte, len(notes))
	for i, n := range notes {
		keys[i], nonces[i], sealed[i] = n.KeyID, n.Nonce, n.Sealed
	}
	_, err := s.q.ExecContext(ctx, `
		INSERT INTO child_health_note (child_id, key_id, nonce, sealed, updated_at)
		SELECT child_id, key_id, nonce, sealed, $5 FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[]) AS t(child_id, key_id, nonce, sealed)
		ON CONFLICT (child_id) DO UPDATE SET key_id = EXCLUDED.key_id, nonce = EXCLUDED.nonce, sealed = EXCLUDED.sealed, updated_at = EXCLUDED.updated_at`,
		pq.Array(ids), pq.Array(keys), pq.ByteaArray(nonces), pq.ByteaArray(sealed), s.now())
	return translate(err)
}

// sealNotes seals notes[i] for child ids[i] with one key, for the loaders; empty notes are
// skipped.
func (s *Store) sealNotes(ids []int64, notes []string) ([]int64, []sealedNote, error) {
	var outIDs []int64
	var out []sealedNote
	var sealer noteSealer
	for i, note := range notes {
		if note == "" {
			continue
		}
		if sealer.aead == nil {
			var err error
			if sealer, err = s.notes.sealer(); err != nil {
				return nil, nil, err
			}
		}
		if utf8.RuneCountInString(note) > maxHealthNote {
			return nil, nil, fmt.Errorf("%w: health note of child %d longer than %d characters", ErrInvalid, ids[i], maxHealthNote)
		}
		n, err := sealer.seal(ids[i], note)
		if err != nil {
			return nil, nil, err
		}
		outIDs = append(outIDs, ids[i])
		out = append(out, n)
	}
	return outIDs, out, nil
}

// SealPlainHealthNotes seals the notes left in plain text by the migration to sealed notes and
// removes the plain copies, in one transaction; it returns how many it sealed (0 once done).
// The service runs it at every start.
func (s *Store) SealPlainHealthNotes(ctx context.Context) (int, error) {
	n := 0
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		var rows []struct {
			ChildID int64  `db:"child_id"`
			Note    string `db:"note"`
		}
		if err := tx.q.SelectContext(ctx, &rows, `SELECT child_id, note FROM child_health_note_plain ORDER BY child_id FOR UPDATE`); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		ids := make([]int64, len(rows))
		notes := make([]string, len(rows))
		for i, r := range rows {
			ids[i], notes[i] = r.ChildID, r.Note
		}
		ids, sealed, err := tx.sealNotes(ids, notes)
		if err != nil {
			return err
		}
		if err := tx.writeSealedNotes(ctx, ids, sealed); err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM child_health_note_plain WHERE child_id = ANY($1)`, pq.Array(ids)); err != nil {
			return err
		}
		n = len(ids)
		return nil
	})
	return n, err
}

// ResealHealthNotes re-seals with the keyring's current key, batch by batch, every note sealed
// with another key, until none is left, and returns how many it re-sealed. A note that opens with
// no key of the keyring stops it (ErrNoHealthKey), changing nothing of that batch.
func (s *Store) ResealHealthNotes(ctx context.Context, batch int) (int, error) {
	total := 0
	for {
		sealer, err := s.notes.sealer()
		if err != nil {
			return total, err
		}
		n := 0
		err = s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
			var rows []struct {
				ChildID int64 `db:"child_id"`
				sealedNote
			}
			if err := tx.q.SelectContext(ctx, &rows, `
				SELECT child_id, key_id AS note_key_id, nonce AS note_nonce, sealed AS note_sealed
				FROM child_health_note WHERE key_id <> $1 ORDER BY child_id LIMIT $2 FOR UPDATE`, sealer.keyID, batch); err != nil {
				return err
			}
			ids := make([]int64, len(rows))
			notes := make([]sealedNote, len(rows))
			for i, r := range rows {
				plain, err := tx.notes.open(r.ChildID, r.sealedNote)
				if err != nil {
					return err
				}
				if notes[i], err = sealer.seal(r.ChildID, plain); err != nil {
					return err
				}
				ids[i] = r.ChildID
			}
			n = len(rows)
			return tx.writeSealedNotes(ctx, ids, notes)
		})
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// HealthNotesByKey counts the notes sealed with each key, by key ID: a key no note uses can go.
func (s *Store) HealthNotesByKey(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		KeyID string `db:"key_id"`
		N     int    `db:"n"`
	}
	if err := s.q.SelectContext(ctx, &rows, `SELECT key_id, count(*) AS n FROM child_health_note GROUP BY key_id`); err != nil {
		return nil, err
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.KeyID] = r.N
	}
	return out, nil
}

// HealthKeyID is the ID of the key the store seals notes with ("" without keys).
func (s *Store) HealthKeyID() string {
	if s.notes == nil {
		return ""
	}
	return s.notes.CurrentID()
}
