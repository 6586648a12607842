package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/lib/pq"
)

// NextOpenDay returns the first day on or after from for which some hub has capacity.
func (s *Store) NextOpenDay(ctx context.Context, from time.Time) (day time.Time, ok bool, err error) {
	err = s.q.GetContext(ctx, &day, `SELECT min(day) FROM hub_day_capacity WHERE day >= $1 HAVING min(day) IS NOT NULL`,
		from.Format(time.DateOnly))
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	return day, err == nil, err
}

// DepartementDay sums one département's hubs for one day. Requests and waitlisted children are
// counted in the département of the household's home.
type DepartementDay struct {
	Code       string `db:"code"`
	Name       string `db:"name"`
	Hubs       int    `db:"hubs"`
	Capacity   int    `db:"capacity"`
	Placed     int    `db:"placed"`
	Requests   int    `db:"requests"`
	Waitlisted int    `db:"waitlisted"`
}

// DepartementDays returns the totals of day per département; departement "" means all of them.
func (s *Store) DepartementDays(ctx context.Context, day time.Time, departement string) ([]DepartementDay, error) {
	var out []DepartementDay
	err := s.q.SelectContext(ctx, &out, `
		WITH cap AS (
			SELECT c.departement_code AS code, count(DISTINCT h.id) AS hubs,
			       sum(hdc.capacity) AS capacity, sum(hdc.placed) AS placed
			FROM hub_day_capacity hdc
			JOIN hub h ON h.id = hdc.hub_id
			JOIN commune c ON c.insee_code = h.commune_code
			WHERE hdc.day = $1 AND hdc.capacity > 0
			GROUP BY c.departement_code
		), req AS (
			SELECT c.departement_code AS code, count(*) AS requests, count(w.child_id) AS waitlisted
			FROM booking_request br
			JOIN child ch ON ch.id = br.child_id
			JOIN household hh ON hh.id = ch.household_id
			JOIN commune c ON c.insee_code = hh.home_commune_code
			LEFT JOIN waitlist_entry w ON w.child_id = br.child_id AND w.day = br.day
			WHERE br.day = $1 AND br.cancelled_at IS NULL
			GROUP BY c.departement_code
		)
		SELECT d.code, d.name, COALESCE(cap.hubs, 0) AS hubs, COALESCE(cap.capacity, 0) AS capacity,
		       COALESCE(cap.placed, 0) AS placed, COALESCE(req.requests, 0) AS requests,
		       COALESCE(req.waitlisted, 0) AS waitlisted
		FROM departement d
		LEFT JOIN cap ON cap.code = d.code
		LEFT JOIN req ON req.code = d.code
		WHERE $2 = '' OR d.code = $2
		ORDER BY d.code`, day.Format(time.DateOnly), departement)
	return out, err
}

// Departement is a département's code and name.
type Departement struct {
	Code string `db:"code"`
	Name string `db:"name"`
}

// DepartementsInScope lists the départements sc oversees: its own for a prefecture agent,
// every one for the académie's roles, none for anyone else.
func (s *Store) DepartementsInScope(ctx context.Context, sc Scope) ([]Departement, error) {
	var out []Departement
	err := s.q.SelectContext(ctx, &out, `
		SELECT code, name FROM departement
		WHERE $1::account_role IN ('rectorat', 'admin') OR ($1::account_role = 'prefecture' AND code = $2)
		ORDER BY code`, sc.Role, sc.Departement)
	return out, err
}

// DepartementName returns the name of a département, or ErrNotFound.
func (s *Store) DepartementName(ctx context.Context, code string) (string, error) {
	var name string
	err := s.q.GetContext(ctx, &name, `SELECT name FROM departement WHERE code = $1`, code)
	return name, translate(err)
}

// HubLevelDay is a hub's capacity and seats taken for one level and day.
type HubLevelDay struct {
	Level    Level `db:"level"`
	Capacity int   `db:"capacity"`
	Placed   int   `db:"placed"`
	// Present counts the children marked present at the roll call (realised attendance).
	Present int `db:"present"`
}

// HubDay is a hub with its levels for one day.
type HubDay struct {
	ID      int64  `db:"id"`
	UAI     string `db:"uai"`
	Name    string `db:"name"`
	Address string `db:"address"`
	Commune string `db:"commune"`
	Levels  []HubLevelDay
}

// DirectorHubDays returns the hubs an account runs with their capacity on day.
func (s *Store) DirectorHubDays(ctx context.Context, accountID int64, day time.Time) ([]HubDay, error) {
	var hubs []HubDay
	if err := s.q.SelectContext(ctx, &hubs, `
		SELECT h.id, h.uai, h.name, h.address, c.name AS commune
		FROM account_hub ah JOIN hub h ON h.id = ah.hub_id JOIN commune c ON c.insee_code = h.commune_code
		WHERE ah.account_id = $1 ORDER BY h.name, h.id`, accountID); err != nil {
		return nil, err
	}
	if len(hubs) == 0 {
		return hubs, nil
	}
	ids := make([]int64, len(hubs))
	for i, h := range hubs {
		ids[i] = h.ID
	}
	var rows []struct {
		HubID int64 `db:"hub_id"`
		HubLevelDay
	}
	if err := s.q.SelectContext(ctx, &rows, `
		SELECT hub_id, level, capacity, placed FROM hub_day_capacity
		WHERE hub_id = ANY($1) AND day = $2 ORDER BY hub_id, level`, pq.Array(ids), day.Format(time.DateOnly)); err != nil {
		return nil, err
	}
	byID := map[int64]*HubDay{}
	for i := range hubs {
		byID[hubs[i].ID] = &hubs[i]
	}
	for _, r := range rows {
		byID[r.HubID].Levels = append(byID[r.HubID].Levels, r.HubLevelDay)
	}
	return hubs, nil
}

// ChildDay is what became of one day asked for a child, with what a parent needs to go there:
// the hub's address, commune, hours, phone, director and position (empty when no seat).
type ChildDay struct {
	Day         time.Time     `db:"day"`
	Status      RequestStatus `db:"status"`
	ArriveAt    string        `db:"arrive_at"`
	DepartAt    string        `db:"depart_at"`
	HubID       int64         `db:"hub_id"`
	HubName     string        `db:"hub_name"`
	HubAddress  string        `db:"hub_address"`
	PostalCode  string        `db:"postal_code"`
	CommuneName string        `db:"commune_name"`
	HubPhone    string        `db:"hub_phone"`
	// HubDirector is the names of the hub's directors (their display names: never an e-mail).
	HubDirector string         `db:"hub_director"`
	OpensAt     string         `db:"opens_at"`
	ClosesAt    string         `db:"closes_at"`
	HubLat      float64        `db:"hub_lat"`
	HubLon      float64        `db:"hub_lon"`
	Reason      sql.NullString `db:"reason"`
	// NearestFullHub names, for a day waiting because the hubs in reach are full, the nearest.
	NearestFullHub string `db:"nearest_full_hub"`
}

// ChildSummary is a child of a household with its upcoming days.
type ChildSummary struct {
	ID        int64  `db:"id"`
	FirstName string `db:"first_name"`
	LastName  string `db:"last_name"`
	Level     Level  `db:"level"`
	// HasHealthNote: the child has a health note (PAI), so its medicine goes with it. The note
	// itself is not read here.
	HasHealthNote bool `db:"has_health_note"`
	Days          []ChildDay
}

// HouseholdSummary is what a parent's home page shows.
type HouseholdSummary struct {
	ID       int64 `db:"id"`
	Children []ChildSummary
}

// HouseholdSummaryOf returns the household of a parent account with its children's days from
// from on, or ErrNotFound when the parent has not registered one yet.
func (s *Store) HouseholdSummaryOf(ctx context.Context, accountID int64, from time.Time) (HouseholdSummary, error) {
	var h HouseholdSummary
	if err := s.q.GetContext(ctx, &h, `SELECT id FROM household WHERE account_id = $1`, accountID); err != nil {
		return h, translate(err)
	}
	if err := s.q.SelectContext(ctx, &h.Children, `
		SELECT c.id, c.first_name, c.last_name, c.level, EXISTS (SELECT 1 FROM child_health_note n WHERE n.child_id = c.id) AS has_health_note
		FROM child c WHERE c.household_id = $1 ORDER BY c.birth_date, c.id`, h.ID); err != nil {
		return h, err
	}
	var rows []struct {
		ChildID int64 `db:"child_id"`
		ChildDay
	}
	if err := s.q.SelectContext(ctx, &rows, `
		SELECT br.child_id, br.day,
		       request_status(br.cancelled_at, p.status, w.child_id IS NOT NULL) AS status,
		       to_char(br.arrive_at, 'HH24:MI') AS arrive_at, to_char(br.depart_at, 'HH24:MI') AS depart_at,
		       COALESCE(hb.id, 0) AS hub_id, COALESCE(hb.name, '') AS hub_name, COALESCE(hb.address, '') AS hub_address,
		       COALESCE(cm.postal_code, '') AS postal_code, COALESCE(cm.name, '') AS commune_name, COALESCE(hb.phone, '') AS hub_phone,
		       COALESCE(to_char(hb.opens_at, 'HH24:MI'), '') AS opens_at, COALESCE(to_char(hb.closes_at, 'HH24:MI'), '') AS closes_at,
		       COALESCE((SELECT string_agg(a.display_name, ', ' ORDER BY a.id) FROM account_hub ah JOIN account a ON a.id = ah.account_id
		                 WHERE ah.hub_id = hb.id AND a.role = 'director' AND a.disabled_at IS NULL AND a.display_name <> ''), '') AS hub_director,
		       COALESCE(hb.lat, 0) AS hub_lat, COALESCE(hb.lon, 0) AS hub_lon, w.reason::text AS reason, COALESCE(nf.name, '') AS nearest_full_hub
		FROM booking_request br
		JOIN child c ON c.id = br.child_id
		LEFT JOIN placement p ON p.child_id = br.child_id AND p.day = br.day
		LEFT JOIN hub hb ON hb.id = p.hub_id
		LEFT JOIN commune cm ON cm.insee_code = hb.commune_code
		LEFT JOIN waitlist_entry w ON w.child_id = br.child_id AND w.day = br.day
		LEFT JOIN hub nf ON nf.id = w.nearest_full_hub_id
		WHERE c.household_id = $1 AND br.day >= $2 AND br.cancelled_at IS NULL
		ORDER BY br.day`, h.ID, from.Format(time.DateOnly)); err != nil {
		return h, err
	}
	idx := map[int64]int{}
	for i, c := range h.Children {
		idx[c.ID] = i
	}
	for _, r := range rows {
		i := idx[r.ChildID]
		h.Children[i].Days = append(h.Children[i].Days, r.ChildDay)
	}
	return h, nil
}

// Profession is a priority profession with its tier (1 served first when seats are scarce).
type Profession struct {
	Code    string `db:"code"`
	LabelFR string `db:"label_fr"`
	LabelEN string `db:"label_en"`
	Tier    int    `db:"tier"`
}

// Professions lists the professions by tier and position.
func (s *Store) Professions(ctx context.Context) ([]Profession, error) {
	var out []Profession
	err := s.q.SelectContext(ctx, &out, `SELECT code, label_fr, label_en, tier FROM profession ORDER BY tier, position, code`)
	return out, err
}

// OpenDays returns up to n days from from on on which some hub is open.
func (s *Store) OpenDays(ctx context.Context, from time.Time, n int) ([]time.Time, error) {
	var days []time.Time
	// A day at a time down the open-day index: n short probes instead of a pass over every
	// hub's capacity rows (every booking checks its days against this list).
	err := s.selectPrepared(ctx, &days, `
		WITH RECURSIVE open AS (
			(SELECT day FROM hub_day_capacity WHERE day >= $1 AND capacity > 0 ORDER BY day LIMIT 1)
			UNION ALL
			SELECT (SELECT x.day FROM hub_day_capacity x WHERE x.day > open.day AND x.capacity > 0 ORDER BY x.day LIMIT 1)
			FROM open WHERE open.day IS NOT NULL
		)
		SELECT day FROM open WHERE day IS NOT NULL LIMIT $2`,
		from.Format(time.DateOnly), n)
	return days, err
}
