package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
)

// Allocation runs as stored: their kinds, their outcomes, and their reading back.

// AllocationKind names the mode of a run.
type AllocationKind string

// The modes (see the allocator issue): an instant placement of a household's new requests, the
// confirmation run at the cutoff, a waitlist promotion when seats free up, the re-placement of the
// children who lost their seat, and the batches run by hand.
const (
	KindInstant      AllocationKind = "instant"
	KindConfirmation AllocationKind = "confirmation"
	KindPromotion    AllocationKind = "promotion"
	KindReplacement  AllocationKind = "replacement"
	KindManual       AllocationKind = "manual"
	KindRebalance    AllocationKind = "rebalance"
)

// reportsFigures says whether a run of kind k computes the report's costlier figures (the bound
// keeping siblings together, what the rules cost: about a second solve). The runs on the booking
// path (a booking batch, a promotion when seats free up) skip them: a family waits for their
// answer, and nobody reads those figures for a few child-days.
func (k AllocationKind) reportsFigures() bool {
	return k != KindInstant && k != KindPromotion
}

// Outcome is what became of one child-day after a run.
type Outcome struct {
	ChildID    int64
	Day        time.Time
	Status     RequestStatus // proposed, confirmed or waitlisted
	HubID      int64
	DistanceKm float64
	Reason     alloc.Reason
	ReasonFR   string
	ReasonEN   string
	// NearestFullHub, for a waitlisted child-day whose hubs in reach are full, is the nearest of
	// them (0 otherwise).
	NearestFullHub int64
}

// AllocationRun is a stored run.
type AllocationRun struct {
	ID         int64          `db:"id"`
	Kind       AllocationKind `db:"kind"`
	DayFrom    time.Time      `db:"day_from"`
	DayTo      time.Time      `db:"day_to"`
	Seed       int64          `db:"seed"`
	StartedBy  sql.NullInt64  `db:"started_by"`
	StartedAt  time.Time      `db:"started_at"`
	FinishedAt *time.Time     `db:"finished_at"`
	Report     alloc.Report   `db:"-"`
	ReportJSON []byte         `db:"report"`
	Outcomes   []Outcome      `db:"-"`
	Notified   int            `db:"-"` // families this run wrote to
}

// AllocationRunByID returns a stored run with its report, or ErrNotFound.
func (s *Store) AllocationRunByID(ctx context.Context, id int64) (AllocationRun, error) {
	var run AllocationRun
	err := s.q.GetContext(ctx, &run, `
		SELECT id, kind, day_from, day_to, seed, started_by, started_at, finished_at, report
		FROM allocation_run WHERE id = $1`, id)
	if err != nil {
		return run, translate(err)
	}
	if err := json.Unmarshal(run.ReportJSON, &run.Report); err != nil {
		return run, fmt.Errorf("run %d report: %w", id, err)
	}
	return run, nil
}

// RecentRuns lists the latest allocation runs, newest first.
func (s *Store) RecentRuns(ctx context.Context, limit int) ([]AllocationRun, error) {
	var runs []AllocationRun
	if err := s.q.SelectContext(ctx, &runs, `
		SELECT id, kind, day_from, day_to, seed, started_by, started_at, finished_at, report
		FROM allocation_run WHERE kind <> 'instant' ORDER BY id DESC LIMIT $1`, limit); err != nil {
		return nil, err
	}
	for i := range runs {
		if err := json.Unmarshal(runs[i].ReportJSON, &runs[i].Report); err != nil {
			return nil, err
		}
	}
	return runs, nil
}
