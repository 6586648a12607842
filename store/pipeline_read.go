package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/geo"
	"github.com/lib/pq"
)

// The readers of the allocation pipeline (see pipeline.go): the requests with their answers so
// far, and the seats left within reach of the families.

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
