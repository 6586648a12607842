package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/geo"
)

// LeverAction names what staff do to a hub.
type LeverAction string

// The levers.
const (
	LeverCapacity LeverAction = "capacity"  // one day and level's capacity
	LeverCloseDay LeverAction = "close_day" // every level's capacity to 0 for one day
	LeverClose    LeverAction = "close"     // closed for good, from Day on
	LeverReopen   LeverAction = "reopen"    // a hub closed for good takes children again, from Day on
)

// A Lever is one action of staff on a hub.
type Lever struct {
	Action   LeverAction
	HubID    int64
	Day      time.Time // the day (capacity, close_day), or the first day concerned (close, reopen)
	Level    Level     // capacity only
	Capacity int       // capacity only
	// BringBack: a raised capacity first brings back the children a recent cut moved away
	// (see returners for who comes back).
	BringBack bool
}

// LeverOutcome is what a lever did or, previewed, would do. Children are counted once however
// many days they are concerned.
type LeverOutcome struct {
	Moved    int // children who lost their seat here
	Siblings int // their brothers and sisters who left with them, to stay together
	// To is where the children moved went, the most first; Waitlisted those who found no seat.
	To         []HubCount
	Waitlisted int
	Promoted   int // children given a seat from the waitlist (seats added)
	Returned   int // children brought back (BringBack)
	Emails     int // e-mails queued to families
	// CanReturn, on a raise, is how many children a cut made at most BringBackWindow ago moved
	// away and could come back (with BringBack); CutAt is when that cut was made.
	CanReturn int
	CutAt     time.Time
}

// HubCount is a number of children going to one hub.
type HubCount struct {
	HubID    int64
	Name     string
	Address  string
	Children int
}

// BringBackWindow is how long after a cut a raise of the same hub, day and level still offers to
// bring back the children the cut moved: past it, families have made their arrangements.
const BringBackWindow = 24 * time.Hour

var errRehearsal = errors.New("lever previewed: rolled back")

// PullLever acts on a hub within sc, audited, and says what it did. It returns ErrNotFound for a
// hub outside sc, ErrConflict to close a hub closed already or reopen one that is open,
// ErrChildrenPresent when children checked in would lose their seat.
func (s *Store) PullLever(ctx context.Context, p AllocationPolicy, sc Scope, l Lever) (LeverOutcome, error) {
	return s.lever(ctx, p, sc, l, false)
}

// PreviewLever says what PullLever would do now, without doing it: the same code runs in a
// transaction that is rolled back (e-mails and audit entries with it). The allocator's seed is
// drawn from the lever, so on the same data the action does exactly what its preview said.
func (s *Store) PreviewLever(ctx context.Context, p AllocationPolicy, sc Scope, l Lever) (LeverOutcome, error) {
	return s.lever(ctx, p, sc, l, true)
}

func (s *Store) lever(ctx context.Context, p AllocationPolicy, sc Scope, l Lever, preview bool) (LeverOutcome, error) {
	var out LeverOutcome
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		hub, err := tx.HubInScope(ctx, sc, l.HubID)
		if err != nil {
			return err
		}
		t := &leverTally{victims: map[cdKey]bool{}, chosen: map[int64]bool{}, siblings: map[int64]bool{}, to: map[int64]map[int64]bool{},
			waitlisted: map[int64]bool{}, promoted: map[int64]bool{}, returned: map[int64]bool{}}
		t.cause = map[LeverAction]changeCause{LeverCapacity: causeCapacityCut, LeverCloseDay: causeHubClosedDay, LeverClose: causeHubClosed}[l.Action]
		switch l.Action {
		case LeverCapacity:
			err = tx.setCapacity(ctx, p, sc, l.HubID, l.Day, l.Level, l.Capacity, l.BringBack, t)
		case LeverCloseDay:
			err = tx.closeHubDay(ctx, p, sc, l.HubID, l.Day, t)
		case LeverClose:
			if hub.Status == "closed" {
				return fmt.Errorf("%w: hub %d is closed already", ErrConflict, l.HubID)
			}
			err = tx.closeHub(ctx, p, sc, l.HubID, l.Day, t)
		case LeverReopen:
			if hub.Status != "closed" {
				return fmt.Errorf("%w: hub %d is open", ErrConflict, l.HubID)
			}
			err = tx.reopenHub(ctx, p, sc, l.HubID, l.Day, t)
		default:
			return fmt.Errorf("%w: lever %q", ErrInvalid, l.Action)
		}
		if err != nil {
			return err
		}
		if out, err = t.outcome(ctx, tx); err != nil {
			return err
		}
		if preview {
			return errRehearsal
		}
		return nil
	})
	if errors.Is(err, errRehearsal) {
		err = nil
	}
	return out, err
}

// leverSeed is the allocator's seed for a lever: the same lever on the same data places the
// same children in the same hubs, as its preview showed.
func leverSeed(hubID int64, day time.Time, level Level, capacity int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%s|%s|%d", hubID, day.Format(time.DateOnly), level, capacity)
	return h.Sum64()
}

// leverTally gathers what the steps of a lever did.
type leverTally struct {
	victims              map[cdKey]bool
	chosen, siblings     map[int64]bool
	to                   map[int64]map[int64]bool // hub → children
	waitlisted, promoted map[int64]bool
	returned             map[int64]bool
	emails               int
	canReturn            int
	cutAt                time.Time
	cause                changeCause // of the children's moves, told to their families
}

func (t *leverTally) evicted(day time.Time, chosen, siblings []int64) {
	for _, c := range chosen {
		t.chosen[c] = true
		t.victims[cdKey{c, day.Format(time.DateOnly)}] = true
	}
	for _, c := range siblings {
		t.siblings[c] = true
		t.victims[cdKey{c, day.Format(time.DateOnly)}] = true
	}
}

func (t *leverTally) offer(o returnOffer) {
	t.canReturn += o.Children
	if o.CutAt.After(t.cutAt) {
		t.cutAt = o.CutAt
	}
}

func (t *leverTally) ran(run AllocationRun) {
	t.emails += run.Notified
	for _, o := range run.Outcomes {
		switch {
		case t.victims[cdKey{o.ChildID, o.Day.Format(time.DateOnly)}] && o.HubID != 0:
			if t.to[o.HubID] == nil {
				t.to[o.HubID] = map[int64]bool{}
			}
			t.to[o.HubID][o.ChildID] = true
		case t.victims[cdKey{o.ChildID, o.Day.Format(time.DateOnly)}]:
			t.waitlisted[o.ChildID] = true
		case o.HubID != 0:
			t.promoted[o.ChildID] = true
		}
	}
}

func (t *leverTally) outcome(ctx context.Context, tx *Store) (LeverOutcome, error) {
	for c := range t.siblings {
		if t.chosen[c] {
			delete(t.siblings, c) // chosen on another day or level: counted once, as chosen
		}
	}
	out := LeverOutcome{Moved: len(t.chosen), Siblings: len(t.siblings), Waitlisted: len(t.waitlisted), Promoted: len(t.promoted),
		Returned: len(t.returned), Emails: t.emails, CanReturn: t.canReturn, CutAt: t.cutAt}
	ids := make([]int64, 0, len(t.to))
	for id := range t.to {
		ids = append(ids, id)
	}
	labels, err := tx.hubInfo(ctx, ids)
	if err != nil {
		return out, err
	}
	for _, id := range ids {
		out.To = append(out.To, HubCount{HubID: id, Name: labels[id].Name, Address: labels[id].Address, Children: len(t.to[id])})
	}
	slices.SortFunc(out.To, func(a, b HubCount) int {
		return cmp.Or(cmp.Compare(b.Children, a.Children), cmp.Compare(a.Name, b.Name), cmp.Compare(a.HubID, b.HubID))
	})
	return out, nil
}

// returnOffer is who could come back to a hub on a day after a cut.
type returnOffer struct {
	Children int
	CutAt    time.Time
	rows     []requestRow // their requests, households of highest priority first
}

// returners finds the children that the latest cut of hub's capacity for day and level, made at
// most BringBackWindow ago, moved away and that may come back now. The rule: a child comes back
// when, that day, it still holds a seat in another hub (a child left waiting gets a seat from
// the waitlist run anyway), its family has not changed or cancelled the booking since the cut,
// and it is not checked in elsewhere; brothers and sisters moved with it come back together or
// not at all; families of highest priority first, while this hub has seats of their levels.
func (tx *Store) returners(ctx context.Context, hubID int64, day time.Time, level Level) (returnOffer, error) {
	var cut struct {
		At       time.Time     `db:"at"`
		Children pq.Int64Array `db:"child_ids"`
	}
	err := tx.q.GetContext(ctx, &cut, `
		SELECT at, child_ids FROM audit_log
		WHERE hub_id = $1 AND day = $2 AND action = 'hub.capacity' AND details->>'level' = $3
		  AND (details->>'to')::int < (details->>'from')::int AND cardinality(child_ids) > 0 AND at >= $4
		ORDER BY at DESC, id DESC LIMIT 1`, hubID, day.Format(time.DateOnly), level, tx.now().Add(-BringBackWindow))
	if err == sql.ErrNoRows {
		return returnOffer{}, nil
	} else if err != nil {
		return returnOffer{}, err
	}
	var still []int64
	if err := tx.q.SelectContext(ctx, &still, `
		SELECT p.child_id FROM placement p JOIN booking_request br ON br.child_id = p.child_id AND br.day = p.day
		WHERE p.day = $1 AND p.child_id = ANY($2) AND p.hub_id <> $3 AND br.cancelled_at IS NULL AND br.requested_at <= $4
		  AND NOT `+checkedIn+`
		ORDER BY p.child_id`, day.Format(time.DateOnly), cut.Children, hubID, cut.At); err != nil {
		return returnOffer{}, err
	}
	if len(still) == 0 {
		return returnOffer{}, nil
	}
	rows, err := tx.requestRows(ctx, allocation{days: []time.Time{day}, childIDs: still})
	if err != nil {
		return returnOffer{}, err
	}
	var seats []struct {
		Level Level `db:"level"`
		Left  int   `db:"left"`
	}
	if err := tx.q.SelectContext(ctx, &seats, `SELECT level, capacity - placed AS left FROM hub_day_capacity WHERE hub_id = $1 AND day = $2`,
		hubID, day.Format(time.DateOnly)); err != nil {
		return returnOffer{}, err
	}
	left := map[Level]int{}
	for _, s := range seats {
		left[s.Level] = s.Left
	}
	var perFamily []struct {
		Household int64 `db:"household_id"`
		Moved     int   `db:"moved"`
	}
	if err := tx.q.SelectContext(ctx, &perFamily, `SELECT household_id, count(*) AS moved FROM child WHERE id = ANY($1) GROUP BY household_id`, cut.Children); err != nil {
		return returnOffer{}, err
	}
	moved := map[int64]int{}
	for _, f := range perFamily {
		moved[f.Household] = f.Moved
	}
	families := map[int64][]requestRow{}
	var order []int64
	for _, r := range rows {
		if families[r.HouseholdID] == nil {
			order = append(order, r.HouseholdID)
		}
		families[r.HouseholdID] = append(families[r.HouseholdID], r)
	}
	first := func(h int64) requestRow {
		return slices.MinFunc(families[h], func(a, b requestRow) int { return a.RequestedAt.Compare(b.RequestedAt) })
	}
	slices.SortFunc(order, func(a, b int64) int {
		fa, fb := first(a), first(b)
		return cmp.Or(cmp.Compare(fa.Tier, fb.Tier), fa.RequestedAt.Compare(fb.RequestedAt), cmp.Compare(a, b))
	})
	offer := returnOffer{CutAt: cut.At}
	for _, h := range order {
		need := map[Level]int{}
		for _, r := range families[h] {
			need[r.Level]++
		}
		fits := len(families[h]) == moved[h] || families[h][0].AllowSplit
		for l, n := range need {
			fits = fits && left[l] >= n
		}
		if !fits {
			continue
		}
		for l, n := range need {
			left[l] -= n
		}
		offer.rows = append(offer.rows, families[h]...)
	}
	offer.Children = len(offer.rows)
	return offer, nil
}

// bringBack moves the children of offer back to hub on day, with the status their seat has, and
// tells their families. It returns the children moved.
func (tx *Store) bringBack(ctx context.Context, hubID int64, day time.Time, offer returnOffer, t *leverTally) ([]int64, error) {
	hub, err := tx.hubInfo(ctx, []int64{hubID})
	if err != nil {
		return nil, err
	}
	at := geo.Point{Lat: hub[hubID].Lat, Lon: hub[hubID].Lon}
	var ids []int64
	before := map[cdKey]requestRow{}
	var outcomes []Outcome
	for _, r := range offer.rows {
		km := geo.DistanceKm(geo.Point{Lat: r.Lat, Lon: r.Lon}, at)
		ids = append(ids, r.ChildID)
		before[cdKey{r.ChildID, day.Format(time.DateOnly)}] = r
		outcomes = append(outcomes, Outcome{ChildID: r.ChildID, Day: day, Status: PlacementStatus(r.PlacedStatus.String).Request(), HubID: hubID, DistanceKm: km})
		t.returned[r.ChildID] = true
	}
	mails, err := tx.noticeEmails(ctx, causeBroughtBack, changeNotices(causeBroughtBack, 0, before, outcomes))
	if err != nil {
		return nil, err
	}
	t.emails += len(mails)
	// Through the one writer: the seats elsewhere freed, the seats here given with the status
	// they had, the e-mails queued. No run is stored: the seats go back as a lever of staff,
	// not a run of the allocator (run_id empty, as a child taken in by hand).
	free := make([]cdKey, len(ids))
	for i, id := range ids {
		free[i] = cdKey{id, day.Format(time.DateOnly)}
	}
	_, _, err = tx.write(ctx, writes{run: AllocationRun{Kind: KindReplacement, DayFrom: day, DayTo: day, Outcomes: outcomes},
		free: free, mails: mails})
	return ids, err
}
