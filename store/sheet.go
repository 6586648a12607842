package store

import (
	"context"
	"time"

	"github.com/lib/pq"
)

// SheetChild is one child expected at a hub on a day, with what the attendance sheet prints.
type SheetChild struct {
	ID           int64     `db:"id"`
	FirstName    string    `db:"first_name"`
	LastName     string    `db:"last_name"`
	BirthDate    time.Time `db:"birth_date"`
	Level        Level     `db:"level"`
	ArriveAt     string    `db:"arrive_at"`
	DepartAt     string    `db:"depart_at"`
	ParentName   string    `db:"parent_name"`
	ParentPhone  string    `db:"parent_phone"`
	HealthNote   string    `db:"-"`
	ProofToCheck bool      `db:"proof_to_check"`
	Status       string    `db:"status"`
	Pickups      []Pickup  `db:"-"`
}

// HubDaySheet is what a hub's attendance sheet for a day shows.
type HubDaySheet struct {
	Hub      Hub
	Day      time.Time
	Director string
	Capacity map[Level]int
	Children []SheetChild
}

// Sheet returns the attendance sheet of a hub for a day, within sc (ErrNotFound outside it).
// Health notes are decrypted for the hub's own director only, for the children placed in the hub
// that day: for anyone else they are not even read.
func (s *Store) Sheet(ctx context.Context, sc Scope, hubID int64, day time.Time) (HubDaySheet, error) {
	hub, err := s.HubInScope(ctx, sc, hubID)
	if err != nil {
		return HubDaySheet{}, err
	}
	sh := HubDaySheet{Hub: hub, Day: day, Capacity: map[Level]int{}}
	d := day.Format(time.DateOnly)
	if err := s.q.GetContext(ctx, &sh.Director, `
		SELECT COALESCE(string_agg(COALESCE(NULLIF(a.display_name, ''), a.email), ', ' ORDER BY a.id), '')
		FROM account_hub ah JOIN account a ON a.id = ah.account_id WHERE ah.hub_id = $1`, hubID); err != nil {
		return sh, err
	}
	var caps []HubLevelDay
	if err := s.q.SelectContext(ctx, &caps, `SELECT level, capacity, placed FROM hub_day_capacity WHERE hub_id = $1 AND day = $2`, hubID, d); err != nil {
		return sh, err
	}
	for _, c := range caps {
		sh.Capacity[c.Level] = c.Capacity
	}
	var rows []struct {
		SheetChild
		sealedNote
	}
	if err := s.q.SelectContext(ctx, &rows, `
		SELECT c.id, c.first_name, c.last_name, c.birth_date, p.level,
		       to_char(br.arrive_at, 'HH24:MI') AS arrive_at, to_char(br.depart_at, 'HH24:MI') AS depart_at,
		       pa.first_name || ' ' || pa.last_name AS parent_name, pa.phone AS parent_phone,
		       CASE WHEN $3 THEN COALESCE(n.key_id, '') ELSE '' END AS note_key_id,
		       CASE WHEN $3 THEN n.nonce END AS note_nonce, CASE WHEN $3 THEN n.sealed END AS note_sealed,
		       h.proof_checked_at IS NULL AS proof_to_check, p.status::text AS status
		FROM placement p
		JOIN child c ON c.id = p.child_id
		JOIN household h ON h.id = c.household_id
		JOIN parent pa ON pa.household_id = h.id AND pa.rank = 1
		JOIN booking_request br ON br.child_id = p.child_id AND br.day = p.day
		LEFT JOIN child_health_note n ON n.child_id = c.id
		WHERE p.hub_id = $1 AND p.day = $2
		ORDER BY c.id`, hubID, d, sc.Role == RoleDirector); err != nil {
		return sh, err
	}
	for _, r := range rows {
		ch := r.SheetChild
		note, err := s.notes.open(ch.ID, r.sealedNote)
		if err != nil {
			return sh, err
		}
		ch.HealthNote = note
		sh.Children = append(sh.Children, ch)
	}
	if len(sh.Children) == 0 {
		return sh, nil
	}
	ids := make([]int64, len(sh.Children))
	idx := map[int64]int{}
	for i, c := range sh.Children {
		ids[i] = c.ID
		idx[c.ID] = i
	}
	var pickups []struct {
		ChildID int64 `db:"child_id"`
		Pickup
	}
	if err := s.q.SelectContext(ctx, &pickups, `SELECT child_id, name, phone, relation FROM pickup_person WHERE child_id = ANY($1) ORDER BY id`, pq.Array(ids)); err != nil {
		return sh, err
	}
	for _, p := range pickups {
		i := idx[p.ChildID]
		sh.Children[i].Pickups = append(sh.Children[i].Pickups, p.Pickup)
	}
	return sh, nil
}

// OpenHubsInScope lists the hubs within sc that are open on day (capacity on some level), by UAI.
func (s *Store) OpenHubsInScope(ctx context.Context, sc Scope, day time.Time) ([]int64, error) {
	var ids []int64
	err := s.q.SelectContext(ctx, &ids, `
		SELECT h.id FROM hub h JOIN commune c ON c.insee_code = h.commune_code
		WHERE h.status = 'open' AND EXISTS (SELECT 1 FROM hub_day_capacity d WHERE d.hub_id = h.id AND d.day = $4 AND d.capacity > 0)
		  AND `+hubInScope+`
		ORDER BY h.uai`, sc.Role, sc.Departement, sc.AccountID, day.Format(time.DateOnly))
	return ids, err
}

// ChildPlacementDays returns the days from from to to on which a child was placed in a hub
// within sc, with the hub: what a contact list starts from. ErrNotFound when there is none, so
// that a child outside the scope looks like no child.
func (s *Store) ChildPlacementDays(ctx context.Context, sc Scope, childID int64, from, to time.Time) ([]struct {
	Day   time.Time `db:"day"`
	HubID int64     `db:"hub_id"`
}, error) {
	var out []struct {
		Day   time.Time `db:"day"`
		HubID int64     `db:"hub_id"`
	}
	err := s.q.SelectContext(ctx, &out, `
		SELECT p.day, p.hub_id FROM placement p JOIN hub h ON h.id = p.hub_id JOIN commune c ON c.insee_code = h.commune_code
		WHERE p.child_id = $4 AND p.day BETWEEN $5 AND $6 AND `+hubInScope+`
		ORDER BY p.day`, sc.Role, sc.Departement, sc.AccountID, childID, from.Format(time.DateOnly), to.Format(time.DateOnly))
	if err == nil && len(out) == 0 {
		err = ErrNotFound
	}
	return out, err
}

// ChildrenPlacedOn lists the children placed on day in the hubs of sc: those whose data a day's
// sheets show, for the access log.
func (s *Store) ChildrenPlacedOn(ctx context.Context, sc Scope, day time.Time) ([]int64, error) {
	var ids []int64
	err := s.q.SelectContext(ctx, &ids, `
		SELECT p.child_id FROM placement p JOIN hub h ON h.id = p.hub_id JOIN commune c ON c.insee_code = h.commune_code
		WHERE p.day = $4 AND `+hubInScope+` ORDER BY p.child_id`, sc.Role, sc.Departement, sc.AccountID, day.Format(time.DateOnly))
	return ids, err
}
