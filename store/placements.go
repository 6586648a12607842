package store

import (
	"context"
	"time"
)

// NewPlacement is a seat to give: the level counted is the child's own.
type NewPlacement struct {
	ChildID   int64
	Day       time.Time
	HubID     int64
	Status    PlacementStatus
	RunID     *int64
	DistanceM int
}

// InsertPlacement gives a child a seat. The database is the last guard: it returns ErrFull when
// the hub has no seat left that day for the child's level, ErrHubClosed when the hub is not open
// that day for that level, ErrConflict when the child already has a seat or a waitlist entry
// that day, and ErrInvalid when the child did not ask for that day.
func (s *Store) InsertPlacement(ctx context.Context, p NewPlacement) (int64, error) {
	var id int64
	err := s.q.QueryRowxContext(ctx, `
		INSERT INTO placement (child_id, day, hub_id, level, status, run_id, distance_m)
		SELECT c.id, $2, $3, c.level, $4, $5, $6 FROM child c WHERE c.id = $1
		RETURNING id`,
		p.ChildID, p.Day.Format(time.DateOnly), p.HubID, p.Status, p.RunID, p.DistanceM).Scan(&id)
	return id, translate(err)
}

// DeletePlacement frees a child's seat for a day; it returns ErrNotFound when there was none.
func (s *Store) DeletePlacement(ctx context.Context, childID int64, day time.Time) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM placement WHERE child_id = $1 AND day = $2`, childID, day.Format(time.DateOnly))
	if err != nil {
		return translate(err)
	}
	return mustAffect(res)
}
