package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// SetCapacity changes a hub's capacity for one day and level, within sc. When the cut leaves
// fewer seats than children placed, the children of lowest priority lose their seat (proposed
// seats before confirmed ones; brothers and sisters placed with them go too, so they stay
// together) and are placed again with the allocator's rules; nobody else moves. When seats are
// added, the day's waitlist is run again. It returns ErrNotFound for a hub outside sc, and
// ErrInvalid for a level the hub does not take.
func (s *Store) SetCapacity(ctx context.Context, p AllocationPolicy, sc Scope, hubID int64, day time.Time, level Level, capacity int) (LeverOutcome, error) {
	return s.PullLever(ctx, p, sc, Lever{Action: LeverCapacity, HubID: hubID, Day: day, Level: level, Capacity: capacity})
}

// setCapacity is SetCapacity inside the lever's transaction, adding what it did to t. With
// bringBack, a raise first brings back the children a recent cut moved (see returners).
func (tx *Store) setCapacity(ctx context.Context, p AllocationPolicy, sc Scope, hubID int64, day time.Time, level Level, capacity int, bringBack bool, t *leverTally) error {
	if capacity < 0 || !level.Valid() {
		return fmt.Errorf("%w: capacity %d for level %q", ErrInvalid, capacity, level)
	}
	d := day.Format(time.DateOnly)
	var old struct {
		Capacity int `db:"capacity"`
		Placed   int `db:"placed"`
	}
	err := tx.q.GetContext(ctx, &old, `SELECT capacity, placed FROM hub_day_capacity WHERE hub_id = $1 AND day = $2 AND level = $3 FOR UPDATE`, hubID, d, level)
	if err == sql.ErrNoRows {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO hub_day_capacity (hub_id, day, level, capacity) VALUES ($1, $2, $3, 0)`, hubID, d, level); err != nil {
			return translate(err) // the hub does not take that level: ErrInvalid
		}
	} else if err != nil {
		return err
	}
	chosen, siblings, err := tx.evict(ctx, hubID, day, level, old.Placed-capacity)
	if err != nil {
		return err
	}
	victims := append(append([]int64{}, chosen...), siblings...)
	// Siblings of another level may have gone too: what counts is this level's seats now.
	var placed int
	if err := tx.q.GetContext(ctx, &placed, `SELECT placed FROM hub_day_capacity WHERE hub_id = $1 AND day = $2 AND level = $3`, hubID, d, level); err != nil {
		return err
	}
	if placed > capacity {
		return fmt.Errorf("%w: %d seats at hub %d on %s for %s would leave children checked in without one",
			ErrChildrenPresent, capacity, hubID, d, level)
	}
	if _, err := tx.q.ExecContext(ctx, `UPDATE hub_day_capacity SET capacity = $4 WHERE hub_id = $1 AND day = $2 AND level = $3`, hubID, d, level, capacity); err != nil {
		return translate(err)
	}
	var back []int64
	if capacity > old.Capacity {
		offer, err := tx.returners(ctx, hubID, day, level)
		if err != nil {
			return err
		}
		t.offer(offer)
		if bringBack && offer.Children > 0 {
			if back, err = tx.bringBack(ctx, hubID, day, offer, t); err != nil {
				return err
			}
		}
	}
	if err := tx.Audit(ctx, AuditEntry{AccountID: sc.AccountID, IP: sc.IP, Action: "hub.capacity", ObjectType: "hub", ObjectID: strconv.FormatInt(hubID, 10),
		HubID: hubID, Day: day, ChildIDs: append(victims, back...), Details: map[string]any{"day": d, "level": level, "from": old.Capacity, "to": capacity,
			"children_moved": len(victims), "children_returned": len(back)}}); err != nil {
		return err
	}
	t.evicted(day, chosen, siblings)
	a := allocation{kind: KindReplacement, days: []time.Time{day}, childIDs: victims, seed: leverSeed(hubID, day, level, capacity),
		startedBy: sc.AccountID, notify: true, replace: requestRow.unsettled, cause: t.cause, movedFrom: hubID}
	if len(victims) == 0 {
		if capacity <= old.Capacity && len(back) == 0 {
			return nil
		}
		a.kind, a.childIDs, a.cause, a.movedFrom = KindPromotion, nil, causeSeatsFreed, 0
		a.replace = func(r requestRow) bool { return r.Waitlisted || r.unsettled() }
	}
	run, err := tx.allocate(ctx, p, a, tx.statusByCutoff(ctx, p))
	if err != nil {
		return err
	}
	t.ran(run)
	return nil
}

// checkedIn holds for a placement p whose child was marked present on its day.
const checkedIn = `EXISTS (SELECT 1 FROM attendance a WHERE a.child_id = p.child_id AND a.day = p.day AND a.status = 'present')`

// evict frees up to n seats of a hub-day-level, lowest priority first, with the siblings of each
// child evicted in the same hub that day (unless the household allowed a split). A child already
// checked in there that day keeps the seat: moving the child would take it off the day's sheet
// and contact list while it is in the building. It returns the children whose seat was freed:
// those chosen, and the brothers and sisters who went with them.
func (s *Store) evict(ctx context.Context, hubID int64, day time.Time, level Level, n int) (chosen, siblings []int64, err error) {
	if n <= 0 {
		return nil, nil, nil
	}
	d := day.Format(time.DateOnly)
	// The hub's seats of the day are locked before the marks are read, as CancelBooking does: a
	// mark being recorded holds its seat (RecordMark), so it is either committed and seen below,
	// or recorded after the seat is gone.
	if _, err := s.q.ExecContext(ctx, `SELECT 1 FROM placement WHERE hub_id = $1 AND day = $2 ORDER BY child_id FOR UPDATE`, hubID, d); err != nil {
		return nil, nil, err
	}
	var victims []struct {
		ChildID int64 `db:"child_id"`
		Chosen  bool  `db:"chosen"`
	}
	err = s.q.SelectContext(ctx, &victims, `
		WITH chosen AS (
			SELECT p.child_id, c.household_id
			FROM placement p
			JOIN child c ON c.id = p.child_id
			JOIN household_tier ht ON ht.id = c.household_id
			JOIN booking_request br ON br.child_id = p.child_id AND br.day = p.day
			WHERE p.hub_id = $1 AND p.day = $2 AND p.level = $3 AND NOT `+checkedIn+`
			ORDER BY p.status = 'confirmed', ht.tier DESC, br.requested_at DESC, p.child_id DESC
			LIMIT $4
		)
		SELECT child_id, true AS chosen FROM chosen
		UNION ALL
		SELECT p.child_id, false FROM placement p JOIN child c ON c.id = p.child_id JOIN household h ON h.id = c.household_id
		WHERE p.hub_id = $1 AND p.day = $2 AND NOT h.allow_split AND c.household_id IN (SELECT household_id FROM chosen)
		  AND p.child_id NOT IN (SELECT child_id FROM chosen) AND NOT `+checkedIn+`
		ORDER BY 1`, hubID, d, level, n)
	if err != nil {
		return nil, nil, err
	}
	for _, v := range victims {
		if v.Chosen {
			chosen = append(chosen, v.ChildID)
		} else {
			siblings = append(siblings, v.ChildID)
		}
	}
	var freed []cdKey
	for _, c := range append(append([]int64{}, chosen...), siblings...) {
		freed = append(freed, cdKey{c, d})
	}
	if err := s.free(ctx, freed); err != nil {
		return nil, nil, err
	}
	return chosen, siblings, nil
}

// CloseHubDay closes a hub for one day: every level's capacity drops to 0 and its children are
// placed again elsewhere.
func (s *Store) CloseHubDay(ctx context.Context, p AllocationPolicy, sc Scope, hubID int64, day time.Time) (LeverOutcome, error) {
	return s.PullLever(ctx, p, sc, Lever{Action: LeverCloseDay, HubID: hubID, Day: day})
}

func (tx *Store) closeHubDay(ctx context.Context, p AllocationPolicy, sc Scope, hubID int64, day time.Time, t *leverTally) error {
	var levels []Level
	if err := tx.q.SelectContext(ctx, &levels, `SELECT level FROM hub_day_capacity WHERE hub_id = $1 AND day = $2 ORDER BY level`,
		hubID, day.Format(time.DateOnly)); err != nil {
		return err
	}
	for _, l := range levels {
		if err := tx.setCapacity(ctx, p, sc, hubID, day, l, 0, false, t); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, AuditEntry{AccountID: sc.AccountID, IP: sc.IP, Action: "hub.close_day", ObjectType: "hub", ObjectID: strconv.FormatInt(hubID, 10),
		HubID: hubID, Day: day, Details: map[string]any{"day": day.Format(time.DateOnly)}})
}

// CloseHub closes a hub for good from from on: its status becomes closed, every coming day's
// capacity drops to 0 and its children are placed again elsewhere, day by day.
func (s *Store) CloseHub(ctx context.Context, p AllocationPolicy, sc Scope, hubID int64, from time.Time) (LeverOutcome, error) {
	return s.PullLever(ctx, p, sc, Lever{Action: LeverClose, HubID: hubID, Day: from})
}

func (tx *Store) closeHub(ctx context.Context, p AllocationPolicy, sc Scope, hubID int64, from time.Time, t *leverTally) error {
	var days []time.Time
	if err := tx.q.SelectContext(ctx, &days, `SELECT DISTINCT day FROM hub_day_capacity WHERE hub_id = $1 AND day >= $2 ORDER BY day`,
		hubID, from.Format(time.DateOnly)); err != nil {
		return err
	}
	for _, d := range days {
		if err := tx.closeHubDay(ctx, p, sc, hubID, d, t); err != nil {
			return err
		}
	}
	if _, err := tx.q.ExecContext(ctx, `UPDATE hub SET status = 'closed', updated_at = $2 WHERE id = $1`, hubID, tx.now()); err != nil {
		return err
	}
	return tx.Audit(ctx, AuditEntry{AccountID: sc.AccountID, IP: sc.IP, Action: "hub.close", ObjectType: "hub", ObjectID: strconv.FormatInt(hubID, 10),
		HubID: hubID, Details: map[string]any{"from": from.Format(time.DateOnly)}})
}

// reopenHub opens a hub closed for good again from from on: every coming day gets back the
// hub's usual capacity per level (hub_level.default_capacity; days whose capacity was set
// higher keep it) and the waitlist of each day is run again.
func (tx *Store) reopenHub(ctx context.Context, p AllocationPolicy, sc Scope, hubID int64, from time.Time, t *leverTally) error {
	if _, err := tx.q.ExecContext(ctx, `UPDATE hub SET status = 'open', updated_at = $2 WHERE id = $1`, hubID, tx.now()); err != nil {
		return err
	}
	var rows []struct {
		Day      time.Time `db:"day"`
		Level    Level     `db:"level"`
		Capacity int       `db:"default_capacity"`
	}
	if err := tx.q.SelectContext(ctx, &rows, `
		SELECT hdc.day, hdc.level, hl.default_capacity FROM hub_day_capacity hdc
		JOIN hub_level hl ON hl.hub_id = hdc.hub_id AND hl.level = hdc.level
		WHERE hdc.hub_id = $1 AND hdc.day >= $2 AND hdc.capacity < hl.default_capacity
		ORDER BY hdc.day, hdc.level`, hubID, from.Format(time.DateOnly)); err != nil {
		return err
	}
	for _, r := range rows {
		if err := tx.setCapacity(ctx, p, sc, hubID, r.Day, r.Level, r.Capacity, false, t); err != nil {
			return err
		}
	}
	return tx.Audit(ctx, AuditEntry{AccountID: sc.AccountID, IP: sc.IP, Action: "hub.reopen", ObjectType: "hub", ObjectID: strconv.FormatInt(hubID, 10),
		HubID: hubID, Details: map[string]any{"from": from.Format(time.DateOnly), "hub_day_levels": len(rows)}})
}
