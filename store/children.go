package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Pickup is a person a child may leave with.
type Pickup struct {
	Name     string `db:"name"`
	Phone    string `db:"phone"`
	Relation string `db:"relation"`
}

// Child is a child of a household, as its parents see it.
type Child struct {
	ID          int64     `db:"id"`
	HouseholdID int64     `db:"household_id"`
	FirstName   string    `db:"first_name"`
	LastName    string    `db:"last_name"`
	BirthDate   time.Time `db:"birth_date"`
	Level       Level     `db:"level"`
	// HealthNote is decrypted for the child's parents only (see Sheet for the hub's director).
	HealthNote string   `db:"-"`
	Pickups    []Pickup `db:"-"`
}

// childRow is a child as read, its health note still sealed.
type childRow struct {
	Child
	sealedNote
}

// openChildren decrypts the health notes of rows.
func (s *Store) openChildren(rows []childRow) ([]Child, error) {
	out := make([]Child, len(rows))
	for i, r := range rows {
		out[i] = r.Child
		note, err := s.notes.open(r.ID, r.sealedNote)
		if err != nil {
			return nil, err
		}
		out[i].HealthNote = note
	}
	return out, nil
}

// ChildInput is what parents enter about a child.
type ChildInput struct {
	FirstName  string
	LastName   string
	BirthDate  time.Time
	Level      Level
	HealthNote string
	Pickups    []Pickup
}

// ChildrenOf lists the children of a parent account's household, eldest last.
func (s *Store) ChildrenOf(ctx context.Context, accountID int64) ([]Child, error) {
	var rows []childRow
	if err := s.q.SelectContext(ctx, &rows, `
		SELECT c.id, c.household_id, c.first_name, c.last_name, c.birth_date, c.level, `+noteColumns+`
		FROM child c JOIN household h ON h.id = c.household_id LEFT JOIN child_health_note n ON n.child_id = c.id
		WHERE h.account_id = $1 ORDER BY c.birth_date DESC, c.id`, accountID); err != nil {
		return nil, err
	}
	return s.openChildren(rows)
}

// ChildOf returns a child of the parent account's household with its pick-up persons, or
// ErrNotFound for any other child.
func (s *Store) ChildOf(ctx context.Context, accountID, childID int64) (Child, error) {
	var row childRow
	if err := s.q.GetContext(ctx, &row, `
		SELECT c.id, c.household_id, c.first_name, c.last_name, c.birth_date, c.level, `+noteColumns+`
		FROM child c JOIN household h ON h.id = c.household_id LEFT JOIN child_health_note n ON n.child_id = c.id
		WHERE c.id = $1 AND h.account_id = $2`, childID, accountID); err != nil {
		return Child{}, translate(err)
	}
	opened, err := s.openChildren([]childRow{row})
	if err != nil {
		return Child{}, err
	}
	c := opened[0]
	err = s.q.SelectContext(ctx, &c.Pickups, `SELECT name, phone, relation FROM pickup_person WHERE child_id = $1 ORDER BY id`, c.ID)
	return c, err
}

// AddChild adds a child to the parent account's household; ErrNotFound when the account has no
// household yet.
func (s *Store) AddChild(ctx context.Context, accountID int64, in ChildInput) (int64, error) {
	var id int64
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		err := tx.q.GetContext(ctx, &id, `
			INSERT INTO child (household_id, first_name, last_name, birth_date, level)
			SELECT h.id, $2, $3, $4, $5 FROM household h WHERE h.account_id = $1
			RETURNING id`, accountID, in.FirstName, in.LastName, in.BirthDate.Format(time.DateOnly), in.Level)
		if err != nil {
			return translate(err)
		}
		if err := tx.setHealthNote(ctx, id, in.HealthNote); err != nil {
			return err
		}
		return tx.replacePickups(ctx, id, in.Pickups)
	})
	return id, err
}

// UpdateChild changes a child of the parent account's household; ErrNotFound for any other
// child. A level change moves the child's seats' count with it, and the database refuses it
// (ErrInvalid) where a seat's hub does not take the new level.
func (s *Store) UpdateChild(ctx context.Context, accountID, childID int64, in ChildInput) error {
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		res, err := tx.q.ExecContext(ctx, `
			UPDATE child c SET first_name = $3, last_name = $4, birth_date = $5, level = $6
			FROM household h WHERE h.id = c.household_id AND c.id = $1 AND h.account_id = $2`,
			childID, accountID, in.FirstName, in.LastName, in.BirthDate.Format(time.DateOnly), in.Level)
		if err != nil {
			return translate(err)
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		if err := tx.setHealthNote(ctx, childID, in.HealthNote); err != nil {
			return err
		}
		return tx.replacePickups(ctx, childID, in.Pickups)
	})
}

// DeleteChild removes a child of the parent account's household with its requests and seats;
// ErrNotFound for any other child. A child already hosted — a seat on a day that is over, or a
// mark on any day — is not removed (ErrChildHosted): those days' sheets and contact lists, which
// the health authority relies on, must keep it. We refuse rather than remove only the coming
// days because the child's row is what those days hang on (its name, its household's phone):
// keeping the row while the family believes it gone would need a hidden state honoured by every
// read of children. The family cancels the coming days instead (CancelBooking), and the
// retention purge erases the rest after the closure. Today is the store's clock's, in p's zone.
func (s *Store) DeleteChild(ctx context.Context, p AllocationPolicy, accountID, childID int64) error {
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		// Locked first: a mark being recorded holds the child (its foreign key) until it commits,
		// so it is seen below, or it finds no child.
		var id int64
		if err := tx.q.GetContext(ctx, &id, `
			SELECT c.id FROM child c JOIN household h ON h.id = c.household_id
			WHERE c.id = $1 AND h.account_id = $2 FOR UPDATE OF c`, childID, accountID); err != nil {
			return translate(err)
		}
		var hosted bool
		if err := tx.q.GetContext(ctx, &hosted, `
			SELECT EXISTS (SELECT 1 FROM placement WHERE child_id = $1 AND day < $2)
			    OR EXISTS (SELECT 1 FROM attendance WHERE child_id = $1)`, childID, p.Today(tx.now()).Format(time.DateOnly)); err != nil {
			return err
		}
		if hosted {
			return ErrChildHosted
		}
		// The coming seats go through the cancellation, so that each day's waitlist runs.
		if _, err := tx.CancelBooking(ctx, p, accountID, childID, time.Time{}); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		// Stored booking replies name the child.
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM idempotency_key WHERE account_id = $1`, accountID); err != nil {
			return err
		}
		_, err := tx.q.ExecContext(ctx, `DELETE FROM child WHERE id = $1`, childID)
		return translate(err)
	})
}

func (s *Store) replacePickups(ctx context.Context, childID int64, pickups []Pickup) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM pickup_person WHERE child_id = $1`, childID); err != nil {
		return err
	}
	for _, p := range pickups {
		if _, err := s.q.ExecContext(ctx, `INSERT INTO pickup_person (child_id, name, phone, relation) VALUES ($1, $2, $3, $4)`,
			childID, p.Name, p.Phone, p.Relation); err != nil {
			return translate(err)
		}
	}
	return nil
}
