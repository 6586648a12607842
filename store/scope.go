package store

import (
	"context"
	"time"
)

// Scope is what an account may see and act on: its household (parent), the hubs it runs
// (director), one département (prefecture), the whole académie (rectorat, admin). Store methods
// that read an object by ID take a Scope and answer ErrNotFound outside it, so that an object of
// another scope is indistinguishable from one that does not exist.
type Scope struct {
	AccountID   int64
	Role        Role
	Departement string
	// IP is the caller's address: the access log records it with the changes made in scope.
	IP string
}

// ScopeOf is the scope of an account.
func ScopeOf(a Account) Scope {
	return Scope{AccountID: a.ID, Role: a.Role, Departement: a.DepartementCode}
}

// hubInScope is the condition on hub h (joined to its commune c) for the scope given as
// $1 role, $2 département, $3 account.
const hubInScope = `($1::account_role IN ('rectorat', 'admin')
	OR ($1::account_role = 'prefecture' AND c.departement_code = $2)
	OR ($1::account_role = 'director' AND EXISTS (SELECT 1 FROM account_hub ah WHERE ah.hub_id = h.id AND ah.account_id = $3)))`

// Hub is a school hosting children.
type Hub struct {
	ID              int64   `db:"id"`
	UAI             string  `db:"uai"`
	Name            string  `db:"name"`
	Address         string  `db:"address"`
	CommuneCode     string  `db:"commune_code"`
	Commune         string  `db:"commune"`
	DepartementCode string  `db:"departement_code"`
	Lat             float64 `db:"lat"`
	Lon             float64 `db:"lon"`
	Status          string  `db:"status"`
}

// HubInScope returns hub id if sc may see it, else ErrNotFound.
func (s *Store) HubInScope(ctx context.Context, sc Scope, id int64) (Hub, error) {
	var h Hub
	err := s.q.GetContext(ctx, &h, `
		SELECT h.id, h.uai, h.name, h.address, h.commune_code, c.name AS commune, c.departement_code,
		       h.lat, h.lon, h.status
		FROM hub h JOIN commune c ON c.insee_code = h.commune_code
		WHERE h.id = $4 AND `+hubInScope, sc.Role, sc.Departement, sc.AccountID, id)
	return h, translate(err)
}

// HubCapacityDay is one day of a hub: capacity and seats taken per level.
type HubCapacityDay struct {
	Day    time.Time
	Levels []HubLevelDay
}

// HubCalendar returns a hub's capacity and seats taken per day and level, from from on, for at
// most days days that have capacity; nothing for a hub outside sc.
func (s *Store) HubCalendar(ctx context.Context, sc Scope, hubID int64, from time.Time, days int) ([]HubCapacityDay, error) {
	var rows []struct {
		Day time.Time `db:"day"`
		HubLevelDay
	}
	if err := s.q.SelectContext(ctx, &rows, `
		SELECT hdc.day, hdc.level, hdc.capacity, hdc.placed,
		       (SELECT count(*) FROM attendance a JOIN placement p ON p.child_id = a.child_id AND p.day = a.day
		        WHERE p.hub_id = hdc.hub_id AND p.day = hdc.day AND p.level = hdc.level AND a.status = 'present') AS present
		FROM hub_day_capacity hdc
		JOIN hub h ON h.id = hdc.hub_id JOIN commune c ON c.insee_code = h.commune_code
		WHERE hdc.hub_id = $4 AND `+hubInScope+` AND hdc.day IN (
			SELECT DISTINCT day FROM hub_day_capacity WHERE hub_id = $4 AND day >= $5 ORDER BY day LIMIT $6)
		ORDER BY hdc.day, hdc.level`, sc.Role, sc.Departement, sc.AccountID, hubID, from.Format(time.DateOnly), days); err != nil {
		return nil, err
	}
	var out []HubCapacityDay
	for _, r := range rows {
		if len(out) == 0 || !out[len(out)-1].Day.Equal(r.Day) {
			out = append(out, HubCapacityDay{Day: r.Day})
		}
		out[len(out)-1].Levels = append(out[len(out)-1].Levels, r.HubLevelDay)
	}
	return out, nil
}
