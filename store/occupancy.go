package store

import (
	"context"
	"time"

	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/geo"
)

// HubOccupancy is one hub's day: seats, seats taken (proposed and confirmed), children present,
// and children waiting within reach.
type HubOccupancy struct {
	ID          int64   `db:"id"`
	UAI         string  `db:"uai"`
	Name        string  `db:"name"`
	Commune     string  `db:"commune"`
	Departement string  `db:"departement_code"`
	Lat         float64 `db:"lat"`
	Lon         float64 `db:"lon"`
	Capacity    int     `db:"capacity"`
	Proposed    int     `db:"proposed"`
	Confirmed   int     `db:"confirmed"`
	Present     int     `db:"present"`
	Levels      []HubLevelDay
	// WaitingNearby counts the child-days waitlisted that day whose chosen place is within the
	// maximum distance of the hub.
	WaitingNearby int
}

// Placed is every seat taken.
func (h HubOccupancy) Placed() int { return h.Proposed + h.Confirmed }

// Occupancy returns every hub of sc open on day with its figures, counted from the placements
// and attendance rows themselves.
func (s *Store) Occupancy(ctx context.Context, sc Scope, day time.Time, maxKm float64) ([]HubOccupancy, error) {
	d := day.Format(time.DateOnly)
	var hubs []HubOccupancy
	if err := s.q.SelectContext(ctx, &hubs, `
		SELECT h.id, h.uai, h.name, c.name AS commune, c.departement_code, h.lat, h.lon,
		       (SELECT COALESCE(sum(capacity), 0) FROM hub_day_capacity x WHERE x.hub_id = h.id AND x.day = $4) AS capacity,
		       (SELECT count(*) FROM placement p WHERE p.hub_id = h.id AND p.day = $4 AND p.status = 'proposed') AS proposed,
		       (SELECT count(*) FROM placement p WHERE p.hub_id = h.id AND p.day = $4 AND p.status = 'confirmed') AS confirmed,
		       (SELECT count(*) FROM placement p JOIN attendance a ON a.child_id = p.child_id AND a.day = p.day
		        WHERE p.hub_id = h.id AND p.day = $4 AND a.status = 'present') AS present
		FROM hub h JOIN commune c ON c.insee_code = h.commune_code
		WHERE EXISTS (SELECT 1 FROM hub_day_capacity x WHERE x.hub_id = h.id AND x.day = $4)
		  AND `+hubInScope+`
		ORDER BY h.name, h.id`, sc.Role, sc.Departement, sc.AccountID, d); err != nil {
		return nil, err
	}
	var levels []struct {
		HubID int64 `db:"hub_id"`
		HubLevelDay
	}
	if err := s.q.SelectContext(ctx, &levels, `
		SELECT x.hub_id, x.level, x.capacity,
		       (SELECT count(*) FROM placement p WHERE p.hub_id = x.hub_id AND p.day = x.day AND p.level = x.level) AS placed,
		       0 AS present
		FROM hub_day_capacity x WHERE x.day = $1 ORDER BY x.hub_id, x.level`, d); err != nil {
		return nil, err
	}
	idx := map[int64]int{}
	for i, h := range hubs {
		idx[h.ID] = i
	}
	for _, l := range levels {
		if i, ok := idx[l.HubID]; ok {
			hubs[i].Levels = append(hubs[i].Levels, l.HubLevelDay)
		}
	}
	var waiting []geo.Point
	if err := s.q.SelectContext(ctx, &waiting, `
		SELECT CASE br.location WHEN 'home' THEN hc.lat ELSE wc.lat END AS lat,
		       CASE br.location WHEN 'home' THEN hc.lon ELSE wc.lon END AS lon
		FROM waitlist_entry w
		JOIN booking_request br ON br.child_id = w.child_id AND br.day = w.day
		JOIN child ch ON ch.id = w.child_id JOIN household hh ON hh.id = ch.household_id
		JOIN commune hc ON hc.insee_code = hh.home_commune_code JOIN commune wc ON wc.insee_code = hh.work_commune_code
		WHERE w.day = $1`, d); err != nil {
		return nil, err
	}
	for i := range hubs {
		at := geo.Point{Lat: hubs[i].Lat, Lon: hubs[i].Lon}
		for _, w := range waiting {
			if geo.DistanceKm(at, w) <= maxKm {
				hubs[i].WaitingNearby++
			}
		}
	}
	return hubs, nil
}

// WaitlistedInScope counts the child-days waitlisted on day whose household lives in sc's
// département (all of them for the académie).
func (s *Store) WaitlistedInScope(ctx context.Context, sc Scope, day time.Time) (int, error) {
	var n int
	err := s.q.GetContext(ctx, &n, `
		SELECT count(*) FROM waitlist_entry w JOIN child ch ON ch.id = w.child_id JOIN household hh ON hh.id = ch.household_id
		JOIN commune c ON c.insee_code = hh.home_commune_code
		WHERE w.day = $1 AND ($2 = '' OR c.departement_code = $2)`, day.Format(time.DateOnly), sc.Departement)
	return n, err
}

// CommuneCount is a commune with a number of children.
type CommuneCount struct {
	Code        string  `db:"insee_code"`
	Name        string  `db:"name"`
	Departement string  `db:"departement_code"`
	Lat         float64 `db:"lat"`
	Lon         float64 `db:"lon"`
	Count       int     `db:"count"`
}

// WaitlistedByCommune counts the child-days waiting on day by the commune of the place the
// family chose (home or work), within sc's département, most first.
func (s *Store) WaitlistedByCommune(ctx context.Context, sc Scope, day time.Time) ([]CommuneCount, error) {
	var out []CommuneCount
	err := s.q.SelectContext(ctx, &out, `
		SELECT c.insee_code, c.name, c.departement_code, c.lat, c.lon, count(*) AS count
		FROM waitlist_entry w
		JOIN booking_request br ON br.child_id = w.child_id AND br.day = w.day
		JOIN child ch ON ch.id = w.child_id JOIN household hh ON hh.id = ch.household_id
		JOIN commune c ON c.insee_code = CASE br.location WHEN 'home' THEN hh.home_commune_code ELSE hh.work_commune_code END
		WHERE w.day = $1 AND ($2 = '' OR c.departement_code = $2)
		GROUP BY c.insee_code, c.name, c.departement_code, c.lat, c.lon ORDER BY count(*) DESC, c.name`, day.Format(time.DateOnly), sc.Departement)
	return out, err
}

// HubsWithoutRollCall lists the hubs of sc with children placed on day and no roll-call mark yet.
func (s *Store) HubsWithoutRollCall(ctx context.Context, sc Scope, day time.Time) ([]Hub, error) {
	var out []Hub
	err := s.q.SelectContext(ctx, &out, `
		SELECT h.id, h.uai, h.name, h.address, h.commune_code, c.name AS commune, c.departement_code, h.lat, h.lon, h.status
		FROM hub h JOIN commune c ON c.insee_code = h.commune_code
		WHERE EXISTS (SELECT 1 FROM placement p WHERE p.hub_id = h.id AND p.day = $4)
		  AND NOT EXISTS (SELECT 1 FROM attendance a WHERE a.hub_id = h.id AND a.day = $4)
		  AND `+hubInScope+`
		ORDER BY h.name`, sc.Role, sc.Departement, sc.AccountID, day.Format(time.DateOnly))
	return out, err
}

// DayTotals sums a day over sc: what the overview's headline shows and refreshes.
type DayTotals struct {
	Hubs       int `db:"hubs"`
	Capacity   int `db:"capacity"`
	Proposed   int `db:"proposed"`
	Confirmed  int `db:"confirmed"`
	Present    int `db:"present"`
	Waitlisted int `db:"waitlisted"`
}

// Totals counts day's figures over sc in one statement, cheap enough to poll from every open
// dashboard.
func (s *Store) Totals(ctx context.Context, sc Scope, day time.Time) (DayTotals, error) {
	var t DayTotals
	err := s.q.GetContext(ctx, &t, `
		WITH hubs AS (
			SELECT h.id FROM hub h JOIN commune c ON c.insee_code = h.commune_code
			WHERE EXISTS (SELECT 1 FROM hub_day_capacity x WHERE x.hub_id = h.id AND x.day = $4) AND `+hubInScope+`
		)
		SELECT (SELECT count(*) FROM hubs) AS hubs,
		       (SELECT COALESCE(sum(capacity), 0) FROM hub_day_capacity WHERE day = $4 AND hub_id IN (SELECT id FROM hubs)) AS capacity,
		       (SELECT count(*) FROM placement WHERE day = $4 AND status = 'proposed' AND hub_id IN (SELECT id FROM hubs)) AS proposed,
		       (SELECT count(*) FROM placement WHERE day = $4 AND status = 'confirmed' AND hub_id IN (SELECT id FROM hubs)) AS confirmed,
		       (SELECT count(*) FROM attendance WHERE day = $4 AND status = 'present' AND hub_id IN (SELECT id FROM hubs)) AS present,
		       (SELECT count(*) FROM waitlist_entry w JOIN child ch ON ch.id = w.child_id JOIN household hh ON hh.id = ch.household_id
		        JOIN commune c ON c.insee_code = hh.home_commune_code WHERE w.day = $4 AND ($2 = '' OR c.departement_code = $2)) AS waitlisted`,
		sc.Role, sc.Departement, sc.AccountID, day.Format(time.DateOnly))
	return t, err
}

// TrendPoint is one day of one département: children placed, present and waiting.
type TrendPoint struct {
	Day         time.Time `db:"day"`
	Departement string    `db:"departement_code"`
	Placed      int       `db:"placed"`
	Present     int       `db:"present"`
	Waitlisted  int       `db:"waitlisted"`
}

// Trends returns, for every day from from to to with open hubs, the figures of each
// département of sc (placed and present in its hubs, waiting among its households): the rows
// still held plus the counts kept of those the retention purge deleted.
func (s *Store) Trends(ctx context.Context, sc Scope, from, to time.Time) ([]TrendPoint, error) {
	var out []TrendPoint
	err := s.q.SelectContext(ctx, &out, `
		WITH days AS (SELECT day FROM hub_day_capacity WHERE day BETWEEN $1 AND $2
		              UNION SELECT day FROM purged_day_count WHERE day BETWEEN $1 AND $2),
		deps AS (SELECT code FROM departement WHERE $3 = '' OR code = $3),
		purged AS (SELECT day, departement_code, sum(placed) AS placed, sum(present) AS present, sum(waitlisted) AS waitlisted
		           FROM purged_day_count WHERE day BETWEEN $1 AND $2 GROUP BY day, departement_code)
		SELECT d.day, deps.code AS departement_code,
		       (SELECT count(*) FROM placement p JOIN hub h ON h.id = p.hub_id JOIN commune c ON c.insee_code = h.commune_code
		        WHERE p.day = d.day AND c.departement_code = deps.code) + COALESCE(pu.placed, 0) AS placed,
		       (SELECT count(*) FROM attendance a JOIN hub h ON h.id = a.hub_id JOIN commune c ON c.insee_code = h.commune_code
		        WHERE a.day = d.day AND a.status = 'present' AND c.departement_code = deps.code) + COALESCE(pu.present, 0) AS present,
		       (SELECT count(*) FROM waitlist_entry w JOIN child ch ON ch.id = w.child_id JOIN household hh ON hh.id = ch.household_id
		        JOIN commune c ON c.insee_code = hh.home_commune_code WHERE w.day = d.day AND c.departement_code = deps.code) + COALESCE(pu.waitlisted, 0) AS waitlisted
		FROM days d CROSS JOIN deps LEFT JOIN purged pu ON pu.day = d.day AND pu.departement_code = deps.code
		ORDER BY deps.code, d.day`,
		from.Format(time.DateOnly), to.Format(time.DateOnly), sc.Departement)
	return out, err
}

// HubWeek is a hub's seats taken and capacity on each of several days.
type HubWeek struct {
	ID          int64
	UAI         string
	Name        string
	Commune     string
	Departement string
	Days        []HubDayCount // in the order of the days asked, zero where the hub is closed
}

// HubDayCount is one day of a hub: seats and seats taken, all levels together.
type HubDayCount struct {
	Capacity int
	Placed   int
}

// OccupancyWeek returns every hub of sc open on one of days with its figures per day, in one
// statement over the capacity rows (whose counts the placement triggers keep exact).
func (s *Store) OccupancyWeek(ctx context.Context, sc Scope, days []time.Time) ([]HubWeek, error) {
	var rows []struct {
		ID          int64     `db:"id"`
		UAI         string    `db:"uai"`
		Name        string    `db:"name"`
		Commune     string    `db:"commune"`
		Departement string    `db:"departement_code"`
		Day         time.Time `db:"day"`
		Capacity    int       `db:"capacity"`
		Placed      int       `db:"placed"`
	}
	if err := s.q.SelectContext(ctx, &rows, `
		SELECT h.id, h.uai, h.name, c.name AS commune, c.departement_code, x.day, sum(x.capacity) AS capacity, sum(x.placed) AS placed
		FROM hub_day_capacity x JOIN hub h ON h.id = x.hub_id JOIN commune c ON c.insee_code = h.commune_code
		WHERE x.day = ANY($4) AND `+hubInScope+`
		GROUP BY h.id, h.uai, h.name, c.name, c.departement_code, x.day
		ORDER BY h.name, h.id, x.day`, sc.Role, sc.Departement, sc.AccountID, pq.Array(dayStrings(days))); err != nil {
		return nil, err
	}
	index := map[string]int{}
	for i, d := range days {
		index[d.Format(time.DateOnly)] = i
	}
	var out []HubWeek
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].ID != r.ID {
			out = append(out, HubWeek{ID: r.ID, UAI: r.UAI, Name: r.Name, Commune: r.Commune, Departement: r.Departement,
				Days: make([]HubDayCount, len(days))})
		}
		out[len(out)-1].Days[index[r.Day.Format(time.DateOnly)]] = HubDayCount{Capacity: r.Capacity, Placed: r.Placed}
	}
	return out, nil
}
