package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/accueil-prioritaire/accueil/geo"
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
// may be entered the next day, no later) or a departure before the arrival. A mark replaces the
// child's mark of the day, whichever hub recorded it: a child marked absent at one hub may be
// taken in at another (TakeIn), whose mark then stands.
func (s *Store) RecordMark(ctx context.Context, sc Scope, hubID int64, day, today time.Time, childID int64, m Mark, at string) error {
	if !day.Equal(today) && !day.Equal(today.AddDate(0, 0, -1)) {
		return fmt.Errorf("%w: marks are for today or yesterday", ErrInvalid)
	}
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if _, err := tx.HubInScope(ctx, sc, hubID); err != nil {
			return err
		}
		// The seat is locked (shared) until the mark is written: a cancellation, which locks it
		// before it looks for marks, either sees this mark or has removed the seat first.
		var householdID int64
		if err := tx.q.GetContext(ctx, &householdID, `
			SELECT c.household_id FROM placement p JOIN child c ON c.id = p.child_id
			WHERE p.hub_id = $1 AND p.day = $2 AND p.child_id = $3 FOR SHARE OF p`, hubID, day.Format(time.DateOnly), childID); err != nil {
			return translate(err)
		}
		d := day.Format(time.DateOnly)
		var err error
		switch m {
		case MarkArrived:
			err = tx.markArrived(ctx, sc, hubID, day, childID, at)
		case MarkAbsent:
			_, err = tx.q.ExecContext(ctx, `
				INSERT INTO attendance (child_id, day, hub_id, status, recorded_by, recorded_at)
				VALUES ($1, $2, $3, 'absent', $4, $5)
				ON CONFLICT (child_id, day) DO UPDATE SET hub_id = EXCLUDED.hub_id, status = 'absent', arrived_at = NULL, departed_at = NULL,
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
		if err != nil {
			return translate(err)
		}
		return tx.Audit(ctx, AuditEntry{AccountID: sc.AccountID, Action: "attendance.mark", ObjectType: "child",
			ObjectID: strconv.FormatInt(childID, 10), IP: sc.IP, HubID: hubID, ChildIDs: []int64{childID}, Day: day,
			Details: map[string]any{"mark": string(m), "at": at}})
	})
}

// markArrived records childID present at hubID on day from at ("15:04"), replacing the child's
// mark of the day wherever it was recorded. The caller holds the child's seat.
func (s *Store) markArrived(ctx context.Context, sc Scope, hubID int64, day time.Time, childID int64, at string) error {
	_, err := s.q.ExecContext(ctx, `
		INSERT INTO attendance (child_id, day, hub_id, status, arrived_at, recorded_by, recorded_at)
		VALUES ($1, $2, $3, 'present', $4, $5, $6)
		ON CONFLICT (child_id, day) DO UPDATE SET hub_id = EXCLUDED.hub_id, status = 'present', arrived_at = EXCLUDED.arrived_at,
			recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at`,
		childID, day.Format(time.DateOnly), hubID, at, sc.AccountID, s.now())
	return err
}

// WalkIn is a child not on a hub's list whom the director may take in, as the director sees it
// before the child is taken in: no last name beyond its initial, no health note, no pick-up
// person, no phone.
type WalkIn struct {
	ChildID     int64  `db:"child_id"`
	FirstName   string `db:"first_name"`
	LastInitial string `db:"last_initial"`
	Level       Level  `db:"level"`
	Where       string `db:"where_now"` // the hub the child is placed in, or "" when waiting
	// LevelTaken is false when the hub takes no child of this level that day: the director can
	// then only send the family to another hub (TakeInAlternatives).
	LevelTaken bool `db:"level_taken"`
}

// walkIn is a WalkIn with what the take-in needs and the director must not see.
type walkIn struct {
	WalkIn
	Lat        float64       `db:"lat"`
	Lon        float64       `db:"lon"`
	FromHub    sql.NullInt64 `db:"from_hub"`
	LastName   string        `db:"last_name"`
	Email      string        `db:"email"`
	DistanceKm float64       `db:"-"`
}

// walkInsSQL reads the children hub $1 may take in on day $2: asked for that day and placed in
// another hub or waiting, at any level (level_taken says whether the hub takes it that day: a
// parent at the door with a child of another level is told where to go), not checked in elsewhere, whose
// location asked for (home or work) lies in the box $3..$6 (lat min, max, lon min, max). $7
// keeps one child (0: any), $8 the last names starting so ("": any).
const walkInsSQL = `
	SELECT c.id AS child_id, c.first_name, left(c.last_name, 1) AS last_initial, c.last_name, c.level,
	       COALESCE(hb.name, '') AS where_now, COALESCE(hdc.capacity, 0) > 0 AS level_taken,
	       p.hub_id AS from_hub, loc.lat, loc.lon, a.email
	FROM booking_request br
	JOIN child c ON c.id = br.child_id
	JOIN household h ON h.id = c.household_id
	JOIN account a ON a.id = h.account_id
	JOIN commune loc ON loc.insee_code = CASE br.location WHEN 'work' THEN h.work_commune_code ELSE h.home_commune_code END
	LEFT JOIN hub_day_capacity hdc ON hdc.hub_id = $1 AND hdc.day = br.day AND hdc.level = c.level
	LEFT JOIN placement p ON p.child_id = br.child_id AND p.day = br.day
	LEFT JOIN hub hb ON hb.id = p.hub_id
	WHERE br.day = $2 AND br.cancelled_at IS NULL
	  AND ((p.hub_id IS NOT NULL AND p.hub_id <> $1)
	       OR EXISTS (SELECT 1 FROM waitlist_entry w WHERE w.child_id = br.child_id AND w.day = br.day))
	  AND NOT EXISTS (SELECT 1 FROM attendance at WHERE at.child_id = br.child_id AND at.day = br.day AND at.status = 'present')
	  AND loc.lat BETWEEN $3 AND $4 AND loc.lon BETWEEN $5 AND $6
	  AND ($7::bigint = 0 OR c.id = $7::bigint)
	  AND ($8::text = '' OR starts_with(lower(c.last_name), lower($8::text)))
	ORDER BY lower(c.last_name), lower(c.first_name), c.id`

// walkIns returns the children hub may take in on day (see walkInsSQL), within p's maximum
// distance of the hub: one rule for the search and for the take-in, so that a director can take
// in no child the search would not show. The distance is the allocator's (haversine from the
// commune asked for); the box only narrows what PostgreSQL reads.
func (s *Store) walkIns(ctx context.Context, p AllocationPolicy, hub Hub, day time.Time, childID int64, lastName string) ([]walkIn, error) {
	if hub.Status != "open" {
		return nil, nil
	}
	dLat := p.MaxDistanceKm / 110
	dLon := p.MaxDistanceKm / (111.32 * math.Max(0.1, math.Cos((math.Abs(hub.Lat)+dLat)*math.Pi/180)))
	var rows []walkIn
	if err := s.q.SelectContext(ctx, &rows, walkInsSQL, hub.ID, day.Format(time.DateOnly),
		hub.Lat-dLat, hub.Lat+dLat, hub.Lon-dLon, hub.Lon+dLon, childID, lastName); err != nil {
		return nil, err
	}
	near := rows[:0]
	at := geo.Point{Lat: hub.Lat, Lon: hub.Lon}
	for _, r := range rows {
		if km := geo.DistanceKm(geo.Point{Lat: r.Lat, Lon: r.Lon}, at); km <= p.MaxDistanceKm {
			r.DistanceKm = km
			near = append(near, r)
		}
	}
	return near, nil
}

// maxWalkIns is how many children one search shows.
const maxWalkIns = 10

// WalkInCandidates finds, by the start of the last name (3 letters at least), the children hub
// hubID may take in today (see TakeIn), as a director may see them before taking them in. It
// finds nobody on another day: a take-in is for today only. ErrNotFound when the hub is
// outside sc.
func (s *Store) WalkInCandidates(ctx context.Context, p AllocationPolicy, sc Scope, hubID int64, day time.Time, lastName string) ([]WalkIn, error) {
	hub, err := s.HubInScope(ctx, sc, hubID)
	if err != nil {
		return nil, err
	}
	out := []WalkIn{}
	if len([]rune(lastName)) < 3 || !day.Equal(p.Today(s.now())) {
		return out, nil
	}
	rows, err := s.walkIns(ctx, p, hub, day, 0, lastName)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if i == maxWalkIns {
			break
		}
		out = append(out, r.WalkIn)
	}
	return out, nil
}

// TakeIn places in hub hubID, today, a child the search would show (WalkInCandidates): asked
// for today, placed in another hub or waiting, not checked in elsewhere, its home or work (as
// asked) within p.MaxDistanceKm of the hub. Any other child is ErrNotFound, whatever it is, so
// that the answer tells nothing of children out of reach; so is a hub outside sc. Another day is
// ErrInvalid; a level the hub does not take today is ErrHubClosed. The seat is confirmed at once;
// the capacity invariant decides (ErrFull when no seat of the child's level is free). The child
// is marked arrived at the time of the take-in (the child is at the door). The family is
// e-mailed, the take-in audited (who, from sc.IP, which hub, child and day), and the seat freed
// elsewhere goes to that day's waitlist.
func (s *Store) TakeIn(ctx context.Context, p AllocationPolicy, sc Scope, hubID int64, day time.Time, childID int64) error {
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		hub, err := tx.HubInScope(ctx, sc, hubID)
		if err != nil {
			return err
		}
		if !day.Equal(p.Today(tx.now())) {
			return fmt.Errorf("%w: a child is taken in today only", ErrInvalid)
		}
		d := day.Format(time.DateOnly)
		// The request and the seat are locked first, so that a cancellation or a check-in
		// elsewhere either comes before the check below or waits for the take-in.
		var locked []int64
		if err := tx.q.SelectContext(ctx, &locked, `
			SELECT child_id FROM booking_request WHERE child_id = $1 AND day = $2 AND cancelled_at IS NULL FOR UPDATE`, childID, d); err != nil {
			return err
		}
		if len(locked) == 0 {
			return ErrNotFound
		}
		if _, err := tx.q.ExecContext(ctx, `SELECT 1 FROM placement WHERE child_id = $1 AND day = $2 FOR UPDATE`, childID, d); err != nil {
			return err
		}
		rows, err := tx.walkIns(ctx, p, hub, day, childID, "")
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return ErrNotFound
		}
		w := rows[0]
		if !w.LevelTaken {
			return fmt.Errorf("%w: level %s", ErrHubClosed, w.Level)
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM waitlist_entry WHERE child_id = $1 AND day = $2`, childID, d); err != nil {
			return err
		}
		meters := distanceM(w.DistanceKm)
		if w.FromHub.Valid {
			_, err = tx.q.ExecContext(ctx, `UPDATE placement SET hub_id = $3, status = 'confirmed', distance_m = $4, updated_at = $5
				WHERE child_id = $1 AND day = $2`, childID, d, hubID, meters, tx.now())
		} else {
			_, err = tx.InsertPlacement(ctx, NewPlacement{ChildID: childID, Day: day, HubID: hubID, Status: Confirmed, DistanceM: int(meters)})
		}
		if err != nil {
			return translate(err)
		}
		if err := tx.markArrived(ctx, sc, hubID, day, childID, tx.now().In(p.Location).Format("15:04")); err != nil {
			return err
		}
		when := day.Format("02/01/2006")
		if err := tx.queueEmails(ctx, []email{{to: w.Email,
			subject: "Accueil prioritaire : " + w.FirstName + " a été accueilli(e) / was taken in",
			body: fmt.Sprintf("Bonjour,\n\n%s a été accueilli(e) au pôle %s, %s, %s le %s.\n"+
				"Retrouvez vos réservations dans « Mes réservations ».\n\n---\n\nHello,\n\n"+
				"%s was taken in at the hub %s, %s, %s on %s.\nSee your bookings under “My bookings”.\n",
				w.FirstName, hub.Name, hub.Address, hub.Commune, when, w.FirstName, hub.Name, hub.Address, hub.Commune, when)}}); err != nil {
			return err
		}
		details := map[string]any{}
		if w.FromHub.Valid {
			details["from_hub"] = w.FromHub.Int64
		}
		if err := tx.Audit(ctx, AuditEntry{AccountID: sc.AccountID, Action: "hub.take_in", ObjectType: "child",
			ObjectID: fmt.Sprint(childID), IP: sc.IP, HubID: hubID, ChildIDs: []int64{childID}, Day: day, Details: details}); err != nil {
			return err
		}
		if w.FromHub.Valid {
			if _, err := tx.PromoteWaitlist(ctx, p, day, sc.AccountID); err != nil {
				return err
			}
		}
		return nil
	})
}

// HubSeat is a hub with seats free for a level on a day, offered to a family the hub at the
// door cannot take.
type HubSeat struct {
	ID         int64   `db:"id"`
	Name       string  `db:"name"`
	Address    string  `db:"address"`
	Commune    string  `db:"commune"`
	Lat        float64 `db:"lat"`
	Lon        float64 `db:"lon"`
	Free       int     `db:"free"`
	DistanceKm float64 `db:"-"` // from the hub the child was brought to
}

// takeInAlternatives is how many hubs a refused take-in offers.
const takeInAlternatives = 3

// TakeInAlternatives is what a director sees when TakeIn refuses a child for its level or for
// want of a seat: the child as the search shows it, and the open hubs nearest to hub hubID with
// a seat free that day for the child's level, nearest first, with their distance. It finds the
// same children as TakeIn (ErrNotFound for any other, or a hub outside sc); the hubs offered
// are any hub's, whoever runs it: the family goes there.
func (s *Store) TakeInAlternatives(ctx context.Context, p AllocationPolicy, sc Scope, hubID int64, day time.Time, childID int64) (WalkIn, []HubSeat, error) {
	hub, err := s.HubInScope(ctx, sc, hubID)
	if err != nil {
		return WalkIn{}, nil, err
	}
	if !day.Equal(p.Today(s.now())) {
		return WalkIn{}, nil, ErrNotFound
	}
	rows, err := s.walkIns(ctx, p, hub, day, childID, "")
	if err != nil {
		return WalkIn{}, nil, err
	}
	if len(rows) == 0 {
		return WalkIn{}, nil, ErrNotFound
	}
	w := rows[0].WalkIn
	// The nearest by a flat-earth distance (exact enough to rank a few candidates), then the
	// allocator's distance for what is shown.
	var seats []HubSeat
	if err := s.q.SelectContext(ctx, &seats, `
		SELECT h.id, h.name, h.address, c.name AS commune, h.lat, h.lon, hdc.capacity - hdc.placed AS free
		FROM hub_day_capacity hdc
		JOIN hub h ON h.id = hdc.hub_id
		JOIN commune c ON c.insee_code = h.commune_code
		WHERE hdc.day = $1 AND hdc.level = $2 AND hdc.capacity > hdc.placed AND h.status = 'open' AND h.id <> $3
		ORDER BY (h.lat - $4) ^ 2 + ((h.lon - $5) * $6) ^ 2, h.id
		LIMIT $7`, day.Format(time.DateOnly), w.Level, hubID, hub.Lat, hub.Lon,
		math.Cos(hub.Lat*math.Pi/180), 2*takeInAlternatives); err != nil {
		return WalkIn{}, nil, err
	}
	at := geo.Point{Lat: hub.Lat, Lon: hub.Lon}
	for i := range seats {
		seats[i].DistanceKm = geo.DistanceKm(geo.Point{Lat: seats[i].Lat, Lon: seats[i].Lon}, at)
	}
	slices.SortStableFunc(seats, func(a, b HubSeat) int { return cmp.Compare(a.DistanceKm, b.DistanceKm) })
	return w, seats[:min(len(seats), takeInAlternatives)], nil
}
