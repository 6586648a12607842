package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/geo"
)

// AllocationPolicy holds the rules of time and distance of the allocation modes.
type AllocationPolicy struct {
	// A day's cutoff is CutoffDaysBefore days before it at CutoffHour:CutoffMinute, in Location.
	CutoffDaysBefore int
	CutoffHour       int
	CutoffMinute     int
	Location         *time.Location
	// MaxDistanceKm is the farthest hub offered from home or work.
	MaxDistanceKm float64
}

// DefaultAllocationPolicy: the day before at 16:00, Paris time, hubs within 20 km.
func DefaultAllocationPolicy() AllocationPolicy {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	return AllocationPolicy{CutoffDaysBefore: 1, CutoffHour: 16, Location: loc, MaxDistanceKm: alloc.DefaultMaxDistanceKm}
}

// Today is the service's current day in the policy's time zone, as a UTC midnight (the form
// every date of the service takes).
func (p AllocationPolicy) Today(now time.Time) time.Time {
	now = now.In(p.Location)
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

// Weekdays returns the first n weekdays on or after day: the days hubs open by default.
func Weekdays(day time.Time, n int) []time.Time {
	var out []time.Time
	for d := day; len(out) < n; d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			out = append(out, d)
		}
	}
	return out
}

// Cutoff is when day's confirmation run is due: before it a new request gets a proposed seat,
// after it a confirmed one.
func (p AllocationPolicy) Cutoff(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()-p.CutoffDaysBefore, p.CutoffHour, p.CutoffMinute, 0, 0, p.Location)
}

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

// requestRow is one active child-day request with its current outcome.
type requestRow struct {
	ChildID      int64          `db:"child_id"`
	HouseholdID  int64          `db:"household_id"`
	Level        Level          `db:"level"`
	Day          time.Time      `db:"day"`
	RequestedAt  time.Time      `db:"requested_at"`
	Lat          float64        `db:"lat"`
	Lon          float64        `db:"lon"`
	AllowSplit   bool           `db:"allow_split"`
	AllOrNone    bool           `db:"all_or_none"`
	Tier         int            `db:"tier"`
	PlacedHub    sql.NullInt64  `db:"placed_hub"`
	PlacedStatus sql.NullString `db:"placed_status"`
	Waitlisted   bool           `db:"waitlisted"`
	Email        string         `db:"email"`
	FirstName    string         `db:"first_name"`
	Location     Location       `db:"location"`
	// Read by the instant path only, for the family's answer.
	BirthDate   time.Time      `db:"birth_date"`
	ArriveAt    string         `db:"arrive_at"`
	DepartAt    string         `db:"depart_at"`
	DistanceM   sql.NullInt64  `db:"distance_m"`
	WaitReason  sql.NullString `db:"wait_reason"`
	NearestFull sql.NullInt64  `db:"nearest_full_hub_id"`
}

// cdKey names a child-day.
type cdKey struct {
	child int64
	day   string
}

func (r requestRow) allocRequest() alloc.Request {
	return alloc.Request{
		ChildID: r.ChildID, HouseholdID: r.HouseholdID, Level: alloc.Level(r.Level),
		Days: []alloc.Day{alloc.DayOf(r.Day)}, Location: geo.Point{Lat: r.Lat, Lon: r.Lon},
		Tier: r.Tier, RequestedAt: r.RequestedAt, AllowSplit: r.AllowSplit, AllOrNone: r.AllOrNone,
	}
}

func (r requestRow) unsettled() bool { return !r.PlacedHub.Valid && !r.Waitlisted }
func (r requestRow) confirmed() bool {
	return PlacementStatus(r.PlacedStatus.String) == Confirmed
}

// maxFullRetries bounds how often an instant placement is recomputed when a concurrent booking
// took a seat between the read and the write (the capacity CHECK refused ours).
const maxFullRetries = 8

// PlaceHousehold gives instant answers to a household's new requests on days: a seat against the
// current occupancy (proposed before the day's cutoff, confirmed after), or a waitlist entry.
// Requests already answered are left as they are. Safe under concurrent bookings: the database's
// capacity CHECK is the last guard, and a refused seat is recomputed.
func (s *Store) PlaceHousehold(ctx context.Context, p AllocationPolicy, householdID int64, days []time.Time) (AllocationRun, error) {
	var accountID int64
	if err := s.q.GetContext(ctx, &accountID, `SELECT account_id FROM household WHERE id = $1`, householdID); err != nil {
		return AllocationRun{}, translate(err)
	}
	households, err := s.householdsOf(ctx, []int64{accountID}, nil)
	if err != nil {
		return AllocationRun{}, err
	}
	return s.allocateRetrying(ctx, p, allocation{
		kind: KindInstant, days: days, households: map[int64]householdCtx{householdID: households[accountID]},
		seed: alloc.RandomSeed(), replace: requestRow.unsettled,
	})
}

// ConfirmDay runs day's confirmation: every request of the day not already confirmed is placed
// again by priority, the seats are confirmed and families whose answer changed are told. It is a
// no-op (returning ok false) when the day is confirmed already.
func (s *Store) ConfirmDay(ctx context.Context, p AllocationPolicy, day time.Time, seed uint64, startedBy int64) (run AllocationRun, ok bool, err error) {
	err = s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if err := tx.lockDays(ctx, []time.Time{day}); err != nil {
			return err
		}
		var done bool
		if err := tx.q.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM day_confirmation WHERE day = $1)`, day.Format(time.DateOnly)); err != nil {
			return err
		}
		if done {
			return nil
		}
		run, err = tx.allocate(ctx, p, allocation{
			kind: KindConfirmation, days: []time.Time{day}, seed: seed, startedBy: startedBy, notify: true, record: true,
			replace: func(r requestRow) bool { return !r.confirmed() },
		}, func(time.Time) PlacementStatus { return Confirmed })
		if err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO day_confirmation (day, run_id, confirmed_at) VALUES ($1, $2, $3)`,
			day.Format(time.DateOnly), run.ID, tx.now()); err != nil {
			return translate(err)
		}
		ok = true
		return nil
	})
	return run, ok, err
}

// DueConfirmations returns the days from today on whose cutoff has passed and that are not
// confirmed yet, in order.
func (s *Store) DueConfirmations(ctx context.Context, p AllocationPolicy) ([]time.Time, error) {
	now := s.now()
	today := p.Today(now)
	var days []time.Time
	err := s.q.SelectContext(ctx, &days, `
		SELECT DISTINCT hdc.day FROM hub_day_capacity hdc
		WHERE hdc.day >= $1 AND NOT EXISTS (SELECT 1 FROM day_confirmation dc WHERE dc.day = hdc.day)
		ORDER BY hdc.day`, today.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	var due []time.Time
	for _, d := range days {
		if !now.Before(p.Cutoff(d)) {
			due = append(due, d)
		}
	}
	return due, nil
}

// PromoteWaitlist gives the waitlisted children of day, in priority order, the seats that freed
// up (a cancellation, a capacity increase, a new hub). Nobody placed moves.
func (s *Store) PromoteWaitlist(ctx context.Context, p AllocationPolicy, day time.Time, startedBy int64) (AllocationRun, error) {
	return s.allocateRetrying(ctx, p, allocation{
		kind: KindPromotion, days: []time.Time{day}, seed: alloc.RandomSeed(), startedBy: startedBy, notify: true,
		replace: func(r requestRow) bool { return r.Waitlisted || r.unsettled() },
	})
}

// AllocateDays is the batch run by hand (command line, rectorat): on each day, children waiting
// or not yet answered are placed against the current occupancy. With rebalance, proposed seats
// are also given again, to cut distance or unmet demand; confirmed seats never move.
func (s *Store) AllocateDays(ctx context.Context, p AllocationPolicy, days []time.Time, rebalance bool, seed uint64, startedBy int64) (AllocationRun, error) {
	a := allocation{kind: KindManual, days: days, seed: seed, startedBy: startedBy, notify: true,
		replace: func(r requestRow) bool { return r.Waitlisted || r.unsettled() }}
	if rebalance {
		a.kind = KindRebalance
		a.replace = func(r requestRow) bool { return !r.confirmed() }
	}
	var run AllocationRun
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if err := tx.lockDays(ctx, days); err != nil {
			return err
		}
		var err error
		run, err = tx.allocate(ctx, p, a, tx.statusByCutoff(ctx, p))
		return err
	})
	return run, err
}

// allocateRetrying runs a in a transaction of its own (or the caller's), recomputing it when a
// concurrent writer filled a hub between our read and our write.
func (s *Store) allocateRetrying(ctx context.Context, p AllocationPolicy, a allocation) (AllocationRun, error) {
	var run AllocationRun
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		return tx.retryFull(ctx, func() error {
			var err error
			run, err = tx.allocate(ctx, p, a, tx.statusByCutoff(ctx, p))
			return err
		})
	})
	return run, err
}

// retryFull runs fn, which reads seats and then takes some, again while a seat it wanted was
// taken meanwhile (ErrFull), each attempt under a savepoint so that a refused write does not
// abort the transaction.
func (s *Store) retryFull(ctx context.Context, fn func() error) error {
	var err error
	for i := 0; i < maxFullRetries; i++ {
		if err = s.savepoint(ctx, fn); !errors.Is(err, ErrFull) {
			return err
		}
	}
	return err
}

// savepoint runs fn under a savepoint of the current transaction, rolled back if fn fails, so
// that the transaction goes on. Outside a transaction it just runs fn.
func (s *Store) savepoint(ctx context.Context, fn func() error) error {
	if _, inTx := s.q.(*sqlx.Tx); !inTx {
		return fn()
	}
	if _, err := s.q.ExecContext(ctx, `SAVEPOINT attempt`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := s.q.ExecContext(ctx, `ROLLBACK TO SAVEPOINT attempt`); rerr != nil {
			return rerr
		}
		return err
	}
	_, err := s.q.ExecContext(ctx, `RELEASE SAVEPOINT attempt`)
	return err
}

// statusByCutoff gives a proposed seat before the day's cutoff and a confirmed one after it (or
// once the day's confirmation ran).
func (s *Store) statusByCutoff(ctx context.Context, p AllocationPolicy) func(time.Time) PlacementStatus {
	now := s.now()
	return func(day time.Time) PlacementStatus {
		if !now.Before(p.Cutoff(day)) {
			return Confirmed
		}
		return Proposed
	}
}

// lockDays takes the capacity rows of days for the rest of the transaction, so that a run that
// re-places a whole day does not race the instant bookings of that day (they wait for it).
func (s *Store) lockDays(ctx context.Context, days []time.Time) error {
	_, err := s.q.ExecContext(ctx, `SELECT 1 FROM hub_day_capacity WHERE day = ANY($1) ORDER BY hub_id, day, level FOR UPDATE`,
		pq.Array(dayStrings(days)))
	return err
}

func dayStrings(days []time.Time) []string {
	out := make([]string, len(days))
	for i, d := range days {
		out[i] = d.Format(time.DateOnly)
	}
	return out
}

const requestRowsSQL = `
	SELECT br.child_id, ch.household_id, ch.level, br.day, br.requested_at, br.location,
	       CASE br.location WHEN 'home' THEN hc.lat ELSE wc.lat END AS lat,
	       CASE br.location WHEN 'home' THEN hc.lon ELSE wc.lon END AS lon,
	       hh.allow_split, hh.all_or_none, hh.tier,
	       p.hub_id AS placed_hub, p.status::text AS placed_status, (w.child_id IS NOT NULL) AS waitlisted,
	       a.email, ch.first_name
	FROM booking_request br
	JOIN child ch ON ch.id = br.child_id
	JOIN household_tier hh ON hh.id = ch.household_id
	JOIN account a ON a.id = hh.account_id
	JOIN commune hc ON hc.insee_code = hh.home_commune_code
	JOIN commune wc ON wc.insee_code = hh.work_commune_code
	LEFT JOIN placement p ON p.child_id = br.child_id AND p.day = br.day
	LEFT JOIN waitlist_entry w ON w.child_id = br.child_id AND w.day = br.day
	WHERE br.day = ANY($1) AND br.cancelled_at IS NULL`

// The filters of requestRowsSQL, one statement each: a prepared statement's generic plan cannot
// drop an "$2 = 0 OR …" branch, and would scan every request of the day for one household.
const (
	requestRowsOfDays     = requestRowsSQL + ` ORDER BY br.day, br.child_id`
	requestRowsOfChildren = requestRowsSQL + ` AND br.child_id = ANY($2) ORDER BY br.day, br.child_id`
)

// requestRows reads the active requests of a's days, for its households or children if set.
func (s *Store) requestRows(ctx context.Context, a allocation) ([]requestRow, error) {
	var rows []requestRow
	days := pq.Array(dayStrings(a.days))
	var err error
	switch {
	case a.households != nil:
		return s.householdRequestRows(ctx, a.households, a.days)
	case len(a.childIDs) > 0:
		err = s.selectPrepared(ctx, &rows, requestRowsOfChildren, days, pq.Array(a.childIDs))
	default:
		err = s.selectPrepared(ctx, &rows, requestRowsOfDays, days)
	}
	return rows, err
}

// askedDays are the child-days a booking batch asks for, with the account asking.
type askedDays struct {
	account, child                []int64
	day, location, arrive, depart []string
}

func (a *askedDays) add(account, child int64, day time.Time, in BookingInput) {
	a.account, a.child, a.day = append(a.account, account), append(a.child, child), append(a.day, day.Format(time.DateOnly))
	a.location, a.arrive, a.depart = append(a.location, string(in.Location)), append(a.arrive, in.ArriveAt), append(a.depart, in.DepartAt)
}

// childDaysSQL reads, for each child of the households whose id matches householdIs (a
// condition on c.household_id) and each day of :days, the child's active request that day if
// any ("requested"), with what its answer shows. Each request, seat and waitlist entry is found
// by key (LATERAL … OFFSET 0 keeps them so): for a few dozen rows the planner would otherwise
// scan and hash the whole tables once they hold thousands. The booking batch's read and
// householdRequestRows share it.
func childDaysSQL(householdIs string) string {
	return `
		SELECT c.id AS child_id, c.household_id, c.level::text AS level, c.first_name, c.birth_date, d.day,
		       b.child_id IS NOT NULL AS requested, b.requested_at, b.location::text AS location,
		       to_char(b.arrive_at, 'HH24:MI') AS arrive_at, to_char(b.depart_at, 'HH24:MI') AS depart_at,
		       p.hub_id AS placed_hub, p.status::text AS placed_status, p.distance_m,
		       w.child_id IS NOT NULL AS waitlisted, w.reason::text AS wait_reason, w.nearest_full_hub_id
		FROM child c
		CROSS JOIN unnest(:days::date[]) AS d(day)
		LEFT JOIN LATERAL (SELECT * FROM booking_request b WHERE b.child_id = c.id AND b.day = d.day AND b.cancelled_at IS NULL OFFSET 0) b ON true
		LEFT JOIN LATERAL (SELECT * FROM placement p WHERE p.child_id = c.id AND p.day = d.day OFFSET 0) p ON true
		LEFT JOIN LATERAL (SELECT * FROM waitlist_entry w WHERE w.child_id = c.id AND w.day = d.day OFFSET 0) w ON true
		WHERE ` + householdIs
}

// householdRequestRowsSQL reads the active requests of the households :households on :days.
var householdRequestRowsSQL = named(`
	SELECT child_id, household_id, level, first_name, birth_date, day, requested_at, location, arrive_at, depart_at,
	       placed_hub, placed_status, distance_m, waitlisted, wait_reason, nearest_full_hub_id
	FROM (` + childDaysSQL("c.household_id = ANY(:households::bigint[])") + `) cd
	WHERE requested
	ORDER BY day, child_id`)

// householdRequestRows reads the active requests of households on days with what their
// answers show: a lean read (four tables, planned in no time), the households' side coming from
// the caller.
func (s *Store) householdRequestRows(ctx context.Context, households map[int64]householdCtx, days []time.Time) ([]requestRow, error) {
	ids := make([]int64, 0, len(households))
	for id := range households {
		ids = append(ids, id)
	}
	args, err := householdRequestRowsSQL.args(map[string]any{"households": pq.Array(ids), "days": pq.Array(dayStrings(days))})
	if err != nil {
		return nil, err
	}
	var rows []requestRow
	if err := s.selectPrepared(ctx, &rows, householdRequestRowsSQL.text, args...); err != nil {
		return nil, translate(err)
	}
	for i := range rows {
		households[rows[i].HouseholdID].complete(&rows[i])
	}
	return rows, nil
}

// complete sets the household's side of one of its requests: where from (home or work, as
// asked), its priority, whether its children may be split, whom to tell.
func (h householdCtx) complete(r *requestRow) {
	r.Lat, r.Lon = h.HomeLat, h.HomeLon
	if r.Location == NearWork {
		r.Lat, r.Lon = h.WorkLat, h.WorkLon
	}
	r.AllowSplit, r.AllOrNone, r.Tier, r.Email = h.AllowSplit, h.AllOrNone, h.Tier, h.Email
}

// seatKey is a hub's level on a day.
type seatKey struct {
	hub   int64
	day   string
	level alloc.Level
}

// seatsInReachSQL are the CTEs box and seats_in_reach: the seats left on :days in the open
// hubs within :max_km of the places of a CTE named places (its columns min_lat, max_lat,
// min_lon, max_lon), or rather in a box that wide around them. The box filters the day's
// capacity rows one hub at a time (OFFSET 0 keeps it there): planned for unknown bounds, a box
// looks empty and the plan would probe every hub's calendar instead. The booking batch's read
// and seatsLeft share it.
const seatsInReachSQL = `
	box AS ( -- the places, the maximum distance wider (a degree of longitude shrinks away from the equator)
		SELECT min_lat - :max_km::float8 / 110 AS min_lat, max_lat + :max_km::float8 / 110 AS max_lat,
		       min_lon - d_lon AS min_lon, max_lon + d_lon AS max_lon
		FROM places, LATERAL (SELECT :max_km::float8 / (111.32 * greatest(0.1, cos(radians(greatest(abs(min_lat), abs(max_lat)))))) AS d_lon) d
	), seats_in_reach AS (
		SELECT h.id AS hub, h.lat, h.lon, hdc.day::text AS day, hdc.level::text AS level, hdc.capacity - hdc.placed AS seats_left
		FROM box CROSS JOIN hub_day_capacity hdc
		CROSS JOIN LATERAL (SELECT h.id, h.lat, h.lon FROM hub h WHERE h.id = hdc.hub_id AND h.status = 'open'
		                    AND h.lat BETWEEN box.min_lat AND box.max_lat AND h.lon BETWEEN box.min_lon AND box.max_lon OFFSET 0) h
		WHERE hdc.day = ANY(:days::date[]) AND hdc.capacity > 0
	)`

// seatsLeftSQL reads the seats left within reach of the places given (see seatsInReachSQL).
var seatsLeftSQL = named(`
	WITH places AS (SELECT :min_lat::float8 AS min_lat, :max_lat::float8 AS max_lat, :min_lon::float8 AS min_lon, :max_lon::float8 AS max_lon),
	` + seatsInReachSQL + `
	SELECT hub, lat, lon, day, level, seats_left FROM seats_in_reach`)

// seatsLeft reads the seats left on days in the open hubs within maxKm of places, plus extra
// (see seatList.hubs). It runs for every booking batch with a row per hub, day and level
// (thousands over the académie), so the rows are scanned by hand, the days kept as text, and
// sorted here rather than by the database.
func (s *Store) seatsLeft(ctx context.Context, days []time.Time, places extent, maxKm float64, extra map[seatKey]int) ([]alloc.Hub, error) {
	args, err := seatsLeftSQL.args(map[string]any{"days": pq.Array(dayStrings(days)), "max_km": maxKm,
		"min_lat": places.minLat, "max_lat": places.maxLat, "min_lon": places.minLon, "max_lon": places.maxLon})
	if err != nil {
		return nil, err
	}
	rows, err := s.queryPrepared(ctx, seatsLeftSQL.text, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var l seatList
	for rows.Next() {
		var hub, left int64
		var lat, lon float64
		var day, level string
		if err := rows.Scan(&hub, &lat, &lon, &day, &level, &left); err != nil {
			return nil, err
		}
		l.hub, l.lat, l.lon = append(l.hub, hub), append(l.lat, lat), append(l.lon, lon)
		l.day, l.level, l.left = append(l.day, day), append(l.level, level), append(l.left, left)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return l.hubs(extra), nil
}

// seatList is the seats left in hubs, one entry per hub, day and level, as parallel lists.
type seatList struct {
	hub        []int64
	lat, lon   []float64
	day, level []string // as PostgreSQL writes them
	left       []int64
}

// hubs are the seats of l plus extra, for the allocator: one hub each, in id order, with its
// days in order.
func (l seatList) hubs(extra map[seatKey]int) []alloc.Hub {
	byID := map[int64]int{} // index in hubs
	var hubs []alloc.Hub
	for i, id := range l.hub {
		k := seatKey{id, l.day[i], alloc.Level(l.level[i])}
		j, ok := byID[id]
		if !ok {
			j = len(hubs)
			byID[id] = j
			hubs = append(hubs, alloc.Hub{ID: id, Location: geo.Point{Lat: l.lat[i], Lon: l.lon[i]}})
		}
		h := &hubs[j]
		d := slices.IndexFunc(h.Days, func(hd alloc.HubDay) bool { return string(hd.Day) == k.day })
		if d < 0 {
			d = len(h.Days)
			h.Days = append(h.Days, alloc.HubDay{Day: alloc.Day(k.day), Seats: make(map[alloc.Level]int, 3)})
		}
		h.Days[d].Seats[k.level] = max(int(l.left[i])+extra[k], 0)
	}
	slices.SortFunc(hubs, func(a, b alloc.Hub) int { return cmp.Compare(a.ID, b.ID) })
	for _, h := range hubs {
		slices.SortFunc(h.Days, func(a, b alloc.HubDay) int { return strings.Compare(string(a.Day), string(b.Day)) })
	}
	return hubs
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

// ExportProblem writes the current state of days as an allocator problem: every open hub with
// its full capacity, every active request, and the confirmed seats as fixed placements. It is
// what a complete re-run of those days would start from, for what-if planning on a copy.
func (s *Store) ExportProblem(ctx context.Context, p AllocationPolicy, days []time.Time) (alloc.Problem, error) {
	prob := alloc.Problem{Format: alloc.ProblemFormat, Params: alloc.Params{MaxDistanceKm: p.MaxDistanceKm}}
	rows, err := s.requestRows(ctx, allocation{days: days})
	if err != nil {
		return prob, err
	}
	for _, r := range rows {
		prob.Requests = append(prob.Requests, r.allocRequest())
		if r.confirmed() {
			prob.Fixed = append(prob.Fixed, alloc.FixedPlacement{ChildID: r.ChildID, Day: alloc.DayOf(r.Day), HubID: r.PlacedHub.Int64})
		}
	}
	var seats []struct {
		HubID    int64     `db:"hub_id"`
		Name     string    `db:"name"`
		Lat      float64   `db:"lat"`
		Lon      float64   `db:"lon"`
		Day      time.Time `db:"day"`
		Level    Level     `db:"level"`
		Capacity int       `db:"capacity"`
	}
	if err := s.q.SelectContext(ctx, &seats, `
		SELECT h.id AS hub_id, h.name, h.lat, h.lon, hdc.day, hdc.level, hdc.capacity
		FROM hub_day_capacity hdc JOIN hub h ON h.id = hdc.hub_id
		WHERE h.status = 'open' AND hdc.day = ANY($1) AND hdc.capacity > 0
		ORDER BY h.id, hdc.day, hdc.level`, pq.Array(dayStrings(days))); err != nil {
		return prob, err
	}
	for _, h := range seats {
		if n := len(prob.Hubs); n == 0 || prob.Hubs[n-1].ID != h.HubID {
			prob.Hubs = append(prob.Hubs, alloc.Hub{ID: h.HubID, Name: h.Name, Location: geo.Point{Lat: h.Lat, Lon: h.Lon}})
		}
		hub := &prob.Hubs[len(prob.Hubs)-1]
		day := alloc.DayOf(h.Day)
		if n := len(hub.Days); n == 0 || hub.Days[n-1].Day != day {
			hub.Days = append(hub.Days, alloc.HubDay{Day: day, Seats: map[alloc.Level]int{}})
		}
		hub.Days[len(hub.Days)-1].Seats[alloc.Level(h.Level)] = h.Capacity
	}
	return prob, nil
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

// PreviewAllocateDays says what AllocateDays would do now with seed, without doing it: the run
// is computed in a transaction that is rolled back. Its Notified is the number of families the
// run would write to.
func (s *Store) PreviewAllocateDays(ctx context.Context, p AllocationPolicy, days []time.Time, rebalance bool, seed uint64) (AllocationRun, error) {
	var run AllocationRun
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		var err error
		if run, err = tx.AllocateDays(ctx, p, days, rebalance, seed, 0); err != nil {
			return err
		}
		return errRehearsal
	})
	if errors.Is(err, errRehearsal) {
		err = nil
	}
	return run, err
}

// ConfirmedDays returns those of days whose confirmation has run: their seats no longer move.
func (s *Store) ConfirmedDays(ctx context.Context, days []time.Time) ([]time.Time, error) {
	var out []time.Time
	err := s.q.SelectContext(ctx, &out, `SELECT day FROM day_confirmation WHERE day = ANY($1) ORDER BY day`, pq.Array(dayStrings(days)))
	return out, err
}
