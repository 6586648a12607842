package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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
}

// ImportOutcome is what an import did, or would do, to one line.
type ImportOutcome struct {
	Line   int
	UAI    string
	Name   string
	Action string // created, updated, unchanged, rejected
	Reason string
}

var errDryRun = errors.New("dry run")

// ImportHubs creates the hubs whose UAI is new (one group per level they take) and updates the
// name, address and position of the others, within sc: a prefecture agent imports only schools
// of its département. With dryRun everything is done and then rolled back, so the report is
// exactly what the import would do. New hubs get capacity for days, and the waitlist of those
// days is run again.
func (s *Store) ImportHubs(ctx context.Context, p AllocationPolicy, sc Scope, rows []HubImport, days []time.Time, dryRun bool) ([]ImportOutcome, error) {
	var out []ImportOutcome
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		out = out[:0]
		created := 0
		for _, r := range rows {
			o := ImportOutcome{Line: r.Line, UAI: r.UAI, Name: r.Name}
			var dep string
			if err := tx.q.GetContext(ctx, &dep, `SELECT departement_code FROM commune WHERE insee_code = $1`, r.CommuneCode); err != nil {
				o.Action, o.Reason = "rejected", fmt.Sprintf("commune %s inconnue", r.CommuneCode)
				out = append(out, o)
				continue
			}
			if sc.Role == RolePrefecture && dep != sc.Departement {
				o.Action, o.Reason = "rejected", fmt.Sprintf("commune du département %s, hors de votre périmètre", dep)
				out = append(out, o)
				continue
			}
			if sc.Role != RolePrefecture && sc.Role != RoleRectorat && sc.Role != RoleAdmin {
				return ErrNotFound
			}
			var existing struct {
				ID      int64   `db:"id"`
				Name    string  `db:"name"`
				Address string  `db:"address"`
				Commune string  `db:"commune_code"`
				Lat     float64 `db:"lat"`
				Lon     float64 `db:"lon"`
			}
			err := tx.q.GetContext(ctx, &existing, `SELECT id, name, address, commune_code, lat, lon FROM hub WHERE uai = $1`, r.UAI)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				var id int64
				if err := tx.q.GetContext(ctx, &id, `INSERT INTO hub (uai, name, address, commune_code, lat, lon) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
					r.UAI, r.Name, r.Address, r.CommuneCode, r.Lat, r.Lon); err != nil {
					o.Action, o.Reason = "rejected", translate(err).Error()
					out = append(out, o)
					continue
				}
				for _, l := range r.Levels {
					if _, err := tx.q.ExecContext(ctx, `INSERT INTO hub_level (hub_id, level, default_capacity) VALUES ($1, $2, $3)`, id, l, l.GroupCap()); err != nil {
						return translate(err)
					}
				}
				o.Action = "created"
				created++
			case err != nil:
				return err
			case existing.Name == r.Name && existing.Address == r.Address && existing.Commune == r.CommuneCode &&
				existing.Lat == r.Lat && existing.Lon == r.Lon:
				o.Action = "unchanged"
			default:
				if _, err := tx.q.ExecContext(ctx, `UPDATE hub SET name = $2, address = $3, commune_code = $4, lat = $5, lon = $6, updated_at = $7 WHERE id = $1`,
					existing.ID, r.Name, r.Address, r.CommuneCode, r.Lat, r.Lon, tx.now()); err != nil {
					return translate(err)
				}
				o.Action = "updated"
			}
			out = append(out, o)
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
		if err := tx.Audit(ctx, AuditEntry{AccountID: sc.AccountID, Action: "hub.import", ObjectType: "hub",
			Details: map[string]any{"lines": len(rows), "created": created, "dry_run": dryRun}}); err != nil {
			return err
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	return out, err
}
