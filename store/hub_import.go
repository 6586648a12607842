package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// HubImport is one school of the national directory to create or update as a hub.
type HubImport struct {
	Line        int
	UAI         string
	Name        string
	Address     string
	CommuneCode string
	Lat, Lon    float64
	Levels      []Level
	// Phone is the school's phone, ten digits or empty; PhoneGiven says the file had the column
	// (without it, an existing hub keeps its phone).
	Phone      string
	PhoneGiven bool
}

// ImportAction is what an import did, or would do, to one line.
type ImportAction string

// The import actions.
const (
	ImportCreated   ImportAction = "created"
	ImportUpdated   ImportAction = "updated"
	ImportUnchanged ImportAction = "unchanged"
	ImportRejected  ImportAction = "rejected"
)

// ImportReason says why the store refused a line; Detail of the outcome completes it.
type ImportReason string

// The reasons the store refuses a line.
const (
	// ImportUnknownCommune: no commune has the line's code (Detail: the code).
	ImportUnknownCommune ImportReason = "unknown_commune"
	// ImportCommuneOutOfScope: the line's commune lies outside the caller's scope (Detail: its
	// département).
	ImportCommuneOutOfScope ImportReason = "commune_out_of_scope"
	// ImportHubOutOfScope: the line's UAI is a hub outside the caller's scope (Detail: its
	// département); it is neither renamed nor moved.
	ImportHubOutOfScope ImportReason = "hub_out_of_scope"
)

// ImportOutcome is what an import did, or would do, to one line.
type ImportOutcome struct {
	Line   int
	UAI    string
	Name   string
	Action ImportAction
	Reason ImportReason
	Detail string
}

var errImportRolledBack = errors.New("import rolled back")

// ImportHubs creates the hubs whose UAI is new (one group per level they take) and updates the
// name, address and position of the others, within sc: a prefecture agent imports only schools
// of its département, and both the commune of a line and the hub it updates must lie in it.
// The import is all or nothing: when any line is rejected, nothing is kept and the outcomes
// name every rejected line; with dryRun nothing is kept either, and the outcomes are exactly
// what the import would do (the same work is done, then rolled back). New hubs get capacity for
// days, and the waitlist of those days is run again. Roles that do not oversee hubs get
// ErrNotFound.
func (s *Store) ImportHubs(ctx context.Context, p AllocationPolicy, sc Scope, rows []HubImport, days []time.Time, dryRun bool) ([]ImportOutcome, error) {
	if sc.Role != RolePrefecture && sc.Role != RoleRectorat && sc.Role != RoleAdmin {
		return nil, ErrNotFound
	}
	var out []ImportOutcome
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		out = out[:0]
		created, rejected := 0, 0
		for _, r := range rows {
			o, err := tx.importHub(ctx, sc, r)
			if err != nil {
				return err
			}
			switch o.Action {
			case ImportCreated:
				created++
			case ImportRejected:
				rejected++
			}
			out = append(out, o)
		}
		if rejected > 0 {
			return errImportRolledBack
		}
		if created > 0 {
			if _, err := tx.MaterializeCapacity(ctx, days); err != nil {
				return err
			}
			for _, d := range days {
				if _, err := tx.PromoteWaitlist(ctx, p, d, sc.AccountID); err != nil {
					return err
				}
			}
		}
		if err := tx.Audit(ctx, AuditEntry{AccountID: sc.AccountID, IP: sc.IP, Action: "hub.import", ObjectType: "hub",
			Details: map[string]any{"lines": len(rows), "created": created, "dry_run": dryRun}}); err != nil {
			return err
		}
		if dryRun {
			return errImportRolledBack
		}
		return nil
	})
	if errors.Is(err, errImportRolledBack) {
		err = nil
	}
	return out, err
}

// importHub creates or updates the hub of one line within sc, or says why it may not. Any
// database error is returned as is: the transaction cannot go on after it.
func (tx *Store) importHub(ctx context.Context, sc Scope, r HubImport) (ImportOutcome, error) {
	o := ImportOutcome{Line: r.Line, UAI: r.UAI, Name: r.Name}
	reject := func(reason ImportReason, detail string) (ImportOutcome, error) {
		o.Action, o.Reason, o.Detail = ImportRejected, reason, detail
		return o, nil
	}
	var commune struct {
		Departement string `db:"departement_code"`
		InScope     bool   `db:"in_scope"`
	}
	err := tx.q.GetContext(ctx, &commune, `
		SELECT c.departement_code,
		       ($1::account_role IN ('rectorat', 'admin') OR ($1::account_role = 'prefecture' AND c.departement_code = $2)) AS in_scope
		FROM commune c WHERE c.insee_code = $3`, sc.Role, sc.Departement, r.CommuneCode)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return reject(ImportUnknownCommune, r.CommuneCode)
	case err != nil:
		return o, err
	case !commune.InScope:
		return reject(ImportCommuneOutOfScope, commune.Departement)
	}
	var existing struct {
		ID          int64   `db:"id"`
		Name        string  `db:"name"`
		Address     string  `db:"address"`
		Commune     string  `db:"commune_code"`
		Departement string  `db:"departement_code"`
		Lat         float64 `db:"lat"`
		Lon         float64 `db:"lon"`
		Phone       string  `db:"phone"`
		InScope     bool    `db:"in_scope"`
	}
	// The hub is locked so that two imports of the same school settle one after the other.
	err = tx.q.GetContext(ctx, &existing, `
		SELECT h.id, h.name, h.address, h.commune_code, c.departement_code, h.lat, h.lon, h.phone, `+hubInScope+` AS in_scope
		FROM hub h JOIN commune c ON c.insee_code = h.commune_code
		WHERE h.uai = $4 FOR UPDATE OF h`, sc.Role, sc.Departement, sc.AccountID, r.UAI)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var id int64
		if err := tx.q.GetContext(ctx, &id, `INSERT INTO hub (uai, name, address, commune_code, lat, lon, phone) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			r.UAI, r.Name, r.Address, r.CommuneCode, r.Lat, r.Lon, r.Phone); err != nil {
			return o, translate(err)
		}
		for _, l := range r.Levels {
			if _, err := tx.q.ExecContext(ctx, `INSERT INTO hub_level (hub_id, level, default_capacity) VALUES ($1, $2, $3)`, id, l, l.GroupCap()); err != nil {
				return o, translate(err)
			}
		}
		o.Action = ImportCreated
		return o, nil
	case err != nil:
		return o, err
	case !existing.InScope:
		return reject(ImportHubOutOfScope, existing.Departement)
	}
	if !r.PhoneGiven {
		r.Phone = existing.Phone
	}
	switch {
	case existing.Name == r.Name && existing.Address == r.Address && existing.Commune == r.CommuneCode &&
		existing.Lat == r.Lat && existing.Lon == r.Lon && existing.Phone == r.Phone:
		o.Action = ImportUnchanged
	default:
		if _, err := tx.q.ExecContext(ctx, `UPDATE hub SET name = $2, address = $3, commune_code = $4, lat = $5, lon = $6, phone = $7, updated_at = $8 WHERE id = $1`,
			existing.ID, r.Name, r.Address, r.CommuneCode, r.Lat, r.Lon, r.Phone, tx.now()); err != nil {
			return o, translate(err)
		}
		o.Action = ImportUpdated
	}
	return o, nil
}
