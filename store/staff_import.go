package store

import (
	"context"
	"database/sql"
	"errors"
)

// The directors import: one director per school of the directory, at the school's functional
// address, made and invited, or given the hub if the address is already a director's (see
// staff.go for who may and how changes are audited).

// DirectorImport is one school of the directory whose director to make: its functional
// address, assigned to its hub.
type DirectorImport struct {
	Line  int
	UAI   string
	Email string
}

// DirectorAction is what a directors import did, or would do, to one line.
type DirectorAction string

// The directors import's actions.
const (
	DirectorCreated   DirectorAction = "created"   // a new account, invited, running the hub
	DirectorAssigned  DirectorAction = "assigned"  // the director existed and gets the hub
	DirectorUnchanged DirectorAction = "unchanged" // the director existed and ran the hub
	DirectorRejected  DirectorAction = "rejected"
)

// DirectorReason says why the store refused a line.
type DirectorReason string

// The reasons a directors import refuses a line.
const (
	DirectorUnknownHub DirectorReason = "unknown_hub" // no hub has the UAI
	DirectorOtherRole  DirectorReason = "other_role"  // the address is an account of another role (Detail: the role)
	DirectorDisabled   DirectorReason = "disabled"    // the address is a disabled director's
)

// DirectorOutcome is what a directors import did, or would do, to one line.
type DirectorOutcome struct {
	Line    int
	UAI     string
	Email   string
	HubName string
	Action  DirectorAction
	Reason  DirectorReason
	Detail  string
}

// ImportDirectors makes one director per line, at its address, running the line's hub, and
// invites each new one (inv); an address that is already a director's gets the hub. Lines the
// store refuses are reported and the others done. With dryRun nothing is kept and the outcomes
// say exactly what the import would do. Roles that do not manage directors get ErrNotFound.
func (s *Store) ImportDirectors(ctx context.Context, sc Scope, rows []DirectorImport, inv Invitation, dryRun bool) ([]DirectorOutcome, error) {
	if !ManagesStaff(sc, RoleDirector) {
		return nil, ErrNotFound
	}
	var out []DirectorOutcome
	err := s.transactOrPreview(ctx, dryRun, func(tx *Store) error {
		out = out[:0]
		counts := map[DirectorAction]int{}
		for _, r := range rows {
			o, err := tx.importDirector(ctx, sc, r, inv)
			if err != nil {
				return err
			}
			counts[o.Action]++
			out = append(out, o)
		}
		return tx.Audit(ctx, AuditEntry{AccountID: sc.AccountID, Action: "account.import_directors", IP: sc.IP,
			Details: map[string]any{"created": counts[DirectorCreated], "assigned": counts[DirectorAssigned],
				"unchanged": counts[DirectorUnchanged], "rejected": counts[DirectorRejected]}})
	})
	return out, err
}

func (s *Store) importDirector(ctx context.Context, sc Scope, r DirectorImport, inv Invitation) (DirectorOutcome, error) {
	o := DirectorOutcome{Line: r.Line, UAI: r.UAI, Email: NormalizeEmail(r.Email), Action: DirectorRejected}
	var hub struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	err := s.q.GetContext(ctx, &hub, `SELECT id, name FROM hub WHERE uai = $1`, r.UAI)
	if errors.Is(err, sql.ErrNoRows) {
		o.Reason = DirectorUnknownHub
		return o, nil
	} else if err != nil {
		return o, err
	}
	o.HubName = hub.Name
	var existing []struct {
		ID       int64 `db:"id"`
		Role     Role  `db:"role"`
		Disabled bool  `db:"disabled"`
	}
	if err := s.q.SelectContext(ctx, &existing, `SELECT id, role, disabled_at IS NOT NULL AS disabled FROM account WHERE email = $1 FOR UPDATE`,
		o.Email); err != nil {
		return o, err
	}
	if len(existing) == 0 {
		acc, err := s.CreateAccount(ctx, NewAccount{Email: o.Email, Role: RoleDirector, DisplayName: "Direction " + hub.Name, HubIDs: []int64{hub.ID}})
		if err != nil {
			return o, err
		}
		if err := s.invite(ctx, acc, inv); err != nil {
			return o, err
		}
		o.Action = DirectorCreated
		return o, s.auditStaff(ctx, sc, "account.create", acc.ID, hub.ID, map[string]any{"role": RoleDirector, "via": "directors import"})
	}
	e := existing[0]
	switch {
	case e.Role != RoleDirector:
		o.Reason, o.Detail = DirectorOtherRole, string(e.Role)
		return o, nil
	case e.Disabled:
		o.Reason = DirectorDisabled
		return o, nil
	}
	added, err := s.assignHub(ctx, sc, e.ID, hub.ID)
	if err != nil {
		return o, err
	}
	o.Action = DirectorUnchanged
	if added {
		o.Action = DirectorAssigned
	}
	return o, nil
}
