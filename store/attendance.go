package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// RollCall is one child on a hub's check-in list for a day.
type RollCall struct {
	ChildID      int64      `db:"child_id"`
	FirstName    string     `db:"first_name"`
	LastName     string     `db:"last_name"`
	Level        Level      `db:"level"`
	ArriveAt     string     `db:"arrive_at"`
	DepartAt     string     `db:"depart_at"`
	Status       string     `db:"status"` // present, absent, or "" when not marked yet
	ArrivedAt    string     `db:"arrived_at"`
	DepartedAt   string     `db:"departed_at"`
	ProofChecked *time.Time `db:"proof_checked_at"`
}

// RollCallOf returns the children placed in a hub on a day with their marks, within sc.
func (s *Store) RollCallOf(ctx context.Context, sc Scope, hubID int64, day time.Time) ([]RollCall, error) {
	if _, err := s.HubInScope(ctx, sc, hubID); err != nil {
		return nil, err
	}
	var out []RollCall
	err := s.q.SelectContext(ctx, &out, `
		SELECT c.id AS child_id, c.first_name, c.last_name, p.level,
		       to_char(br.arrive_at, 'HH24:MI') AS arrive_at, to_char(br.depart_at, 'HH24:MI') AS depart_at,
		       COALESCE(a.status::text, '') AS status, COALESCE(to_char(a.arrived_at, 'HH24:MI'), '') AS arrived_at,
		       COALESCE(to_char(a.departed_at, 'HH24:MI'), '') AS departed_at, h.proof_checked_at
		FROM placement p
		JOIN child c ON c.id = p.child_id
		JOIN household h ON h.id = c.household_id
		JOIN booking_request br ON br.child_id = p.child_id AND br.day = p.day
		LEFT JOIN attendance a ON a.child_id = p.child_id AND a.day = p.day
		WHERE p.hub_id = $1 AND p.day = $2
		ORDER BY p.level, lower(c.last_name), lower(c.first_name), c.id`, hubID, day.Format(time.DateOnly))
	return out, err
}

// Mark is what a director records for a child.
type Mark string

// The marks.
const (
	MarkArrived  Mark = "arrived"
	MarkAbsent   Mark = "absent"
	MarkDeparted Mark = "departed"
	MarkProof    Mark = "proof"
)

// RecordMark records a mark for a child placed in the hub on day, at the given time of day
// ("15:04"). It returns ErrNotFound when the hub is outside sc or the child is not placed there
// that day, and ErrInvalid for a day other than today or yesterday (marks from the paper sheet
// may be entered the next day, no later) or a departure before the arrival.
func (s *Store) RecordMark(ctx context.Context, sc Scope, hubID int64, day, today time.Time, childID int64, m Mark, at string) error {
	if !day.Equal(today) && !day.Equal(today.AddDate(0, 0, -1)) {
		return fmt.Errorf("%w: marks are for today or yesterday", ErrInvalid)
	}
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if _, err := tx.HubInScope(ctx, sc, hubID); err != nil {
			return err
		}
		var householdID int64
		if err := tx.q.GetContext(ctx, &householdID, `
			SELECT c.household_id FROM placement p JOIN child c ON c.id = p.child_id
			WHERE p.hub_id = $1 AND p.day = $2 AND p.child_id = $3`, hubID, day.Format(time.DateOnly), childID); err != nil {
			return translate(err)
		}
		d := day.Format(time.DateOnly)
		var err error
		switch m {
		case MarkArrived:
			_, err = tx.q.ExecContext(ctx, `
				INSERT INTO attendance (child_id, day, hub_id, status, arrived_at, recorded_by, recorded_at)
				VALUES ($1, $2, $3, 'present', $4, $5, $6)
				ON CONFLICT (child_id, day) DO UPDATE SET status = 'present', arrived_at = EXCLUDED.arrived_at,
					recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at`,
				childID, d, hubID, at, sc.AccountID, tx.now())
		case MarkAbsent:
			_, err = tx.q.ExecContext(ctx, `
				INSERT INTO attendance (child_id, day, hub_id, status, recorded_by, recorded_at)
				VALUES ($1, $2, $3, 'absent', $4, $5)
				ON CONFLICT (child_id, day) DO UPDATE SET status = 'absent', arrived_at = NULL, departed_at = NULL,
					recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at`,
				childID, d, hubID, sc.AccountID, tx.now())
		case MarkDeparted:
			var res sql.Result
			res, err = tx.q.ExecContext(ctx, `
				UPDATE attendance SET departed_at = $3, recorded_by = $4, recorded_at = $5
				WHERE child_id = $1 AND day = $2 AND status = 'present'`, childID, d, at, sc.AccountID, tx.now())
			if err == nil {
				if n, _ := res.RowsAffected(); n == 0 {
					return fmt.Errorf("%w: the child was not marked present", ErrInvalid)
				}
			}
		case MarkProof:
			_, err = tx.q.ExecContext(ctx, `UPDATE household SET proof_checked_by = $2, proof_checked_at = $3 WHERE id = $1`,
				householdID, sc.AccountID, tx.now())
		default:
			return fmt.Errorf("%w: mark %q", ErrInvalid, m)
		}
		return translate(err)
	})
}

// WalkIn is a child not on a hub's list whom the director may take in: booked that day
// elsewhere or waiting.
type WalkIn struct {
	ChildID   int64  `db:"child_id"`
	FirstName string `db:"first_name"`
	LastName  string `db:"last_name"`
	Level     Level  `db:"level"`
	Where     string `db:"where_now"` // the hub the child is placed in, or "" when waiting
}

// WalkInCandidates finds, by the start of the last name (3 letters at least), children who
// asked for day and are not placed in the hub: the only ones a director may add.
func (s *Store) WalkInCandidates(ctx context.Context, sc Scope, hubID int64, day time.Time, lastName string) ([]WalkIn, error) {
	if _, err := s.HubInScope(ctx, sc, hubID); err != nil {
		return nil, err
	}
	var out []WalkIn
	if len([]rune(lastName)) < 3 {
		return out, nil
	}
	err := s.q.SelectContext(ctx, &out, `
		SELECT c.id AS child_id, c.first_name, c.last_name, c.level, COALESCE(hb.name, '') AS where_now
		FROM booking_request br
		JOIN child c ON c.id = br.child_id
		LEFT JOIN placement p ON p.child_id = br.child_id AND p.day = br.day
		LEFT JOIN hub hb ON hb.id = p.hub_id
		WHERE br.day = $1 AND br.cancelled_at IS NULL AND (p.hub_id IS NULL OR p.hub_id <> $2)
		  AND lower(c.last_name) LIKE lower($3) || '%'
		ORDER BY c.last_name, c.first_name, c.id LIMIT 10`, day.Format(time.DateOnly), hubID, lastName)
	return out, err
}

// TakeIn places a child who asked for day in the hub, moving its seat from another hub if it
// had one, confirmed at once. The capacity invariant decides: ErrFull when no seat of the
// child's level is free here, ErrHubClosed when the hub does not take that level that day,
// ErrNotFound when the child did not ask for that day or the hub is outside sc.
func (s *Store) TakeIn(ctx context.Context, sc Scope, hubID int64, day time.Time, childID int64) error {
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if _, err := tx.HubInScope(ctx, sc, hubID); err != nil {
			return err
		}
		d := day.Format(time.DateOnly)
		var asked bool
		if err := tx.q.GetContext(ctx, &asked, `SELECT EXISTS (SELECT 1 FROM booking_request WHERE child_id = $1 AND day = $2 AND cancelled_at IS NULL)`, childID, d); err != nil {
			return err
		}
		if !asked {
			return ErrNotFound
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM waitlist_entry WHERE child_id = $1 AND day = $2`, childID, d); err != nil {
			return err
		}
		res, err := tx.q.ExecContext(ctx, `UPDATE placement SET hub_id = $3, status = 'confirmed', updated_at = $4 WHERE child_id = $1 AND day = $2`,
			childID, d, hubID, tx.now())
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := tx.InsertPlacement(ctx, NewPlacement{ChildID: childID, Day: day, HubID: hubID, Status: Confirmed}); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, AuditEntry{AccountID: sc.AccountID, Action: "hub.take_in", ObjectType: "child",
			ObjectID: fmt.Sprint(childID), HubID: hubID, ChildIDs: []int64{childID}, Day: day, Details: map[string]any{"hub": hubID, "day": d}})
	})
}
