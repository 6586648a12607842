package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lib/pq"
)

// Staff administration: the accounts of directors, prefecture agents, the rectorat and admins,
// made, invited, disabled and given hubs on the administration page. Who may: an admin every
// staff account; the rectorat every staff account of its académie but the admins', which it
// neither sees nor makes. Any other scope gets ErrNotFound, as for an object that does not
// exist. Every change is audited in its own transaction.

// StaffState is where a staff account stands. It is derived, not stored: disabled when
// disabled_at is set, invited while no password was ever chosen, active otherwise.
type StaffState string

// The states of a staff account.
const (
	StaffInvited  StaffState = "invited"
	StaffActive   StaffState = "active"
	StaffDisabled StaffState = "disabled"
)

// Valid reports whether s is one of the states.
func (s StaffState) Valid() bool { return s == StaffInvited || s == StaffActive || s == StaffDisabled }

// StaffRoles are the roles of staff accounts, in the order the page lists them.
var StaffRoles = []Role{RoleDirector, RolePrefecture, RoleRectorat, RoleAdmin}

// Errors of staff administration; each is also an ErrConflict.
var (
	// ErrOwnAccount refuses to disable the caller's own account.
	ErrOwnAccount = fmt.Errorf("%w: one's own account", ErrConflict)
	// ErrLastAdmin refuses to disable the last active admin.
	ErrLastAdmin = fmt.Errorf("%w: the last active admin", ErrConflict)
	// ErrAccountDisabled refuses to invite or give hubs to a disabled account.
	ErrAccountDisabled = fmt.Errorf("%w: account disabled", ErrConflict)
)

// InvitationTTL is how long an invitation's link lets its account choose a password.
const InvitationTTL = 7 * 24 * time.Hour

// Invitation words the e-mail that invites acc to choose its password with the single-use
// token of its link; it returns the subject and the body.
type Invitation func(acc Account, token string) (subject, body string)

// StaffAccount is a staff account as the administration page shows it.
type StaffAccount struct {
	ID              int64      `db:"id"`
	Email           string     `db:"email"`
	Role            Role       `db:"role"`
	DisplayName     string     `db:"display_name"`
	DepartementCode string     `db:"departement_code"`
	State           StaffState `db:"state"`
	CreatedAt       time.Time  `db:"created_at"`
	LastLoginAt     *time.Time `db:"last_login_at"`
	Hubs            []StaffHub `db:"-"`
}

// StaffHub is a hub a director runs.
type StaffHub struct {
	AccountID int64  `db:"account_id"`
	ID        int64  `db:"id"`
	UAI       string `db:"uai"`
	Name      string `db:"name"`
	Commune   string `db:"commune"`
}

const staffColumns = `a.id, a.email, a.role, a.display_name, COALESCE(a.departement_code, '') AS departement_code,
	CASE WHEN a.disabled_at IS NOT NULL THEN 'disabled' WHEN a.password_hash IS NULL THEN 'invited' ELSE 'active' END AS state,
	a.created_at, a.last_login_at`

// staffInScope is the condition on account a for the caller's role given as $1.
const staffInScope = `a.role <> 'parent' AND ($1::account_role = 'admin' OR ($1::account_role = 'rectorat' AND a.role <> 'admin'))`

// ManagesStaff reports whether sc may manage staff accounts of role r (any staff role for
// r == ""): an admin all of them, the rectorat all but admins.
func ManagesStaff(sc Scope, r Role) bool {
	switch sc.Role {
	case RoleAdmin:
		return r != RoleParent
	case RoleRectorat:
		return r != RoleParent && r != RoleAdmin
	}
	return false
}

// StaffAccounts lists the staff accounts sc manages, by role, then name and address, each
// with its hubs: a few hundred at most (one director per hub), filtered by the page.
func (s *Store) StaffAccounts(ctx context.Context, sc Scope) ([]StaffAccount, error) {
	if !ManagesStaff(sc, "") {
		return nil, ErrNotFound
	}
	var out []StaffAccount
	if err := s.q.SelectContext(ctx, &out, `
		SELECT `+staffColumns+` FROM account a WHERE `+staffInScope+`
		ORDER BY array_position(ARRAY['director', 'prefecture', 'rectorat', 'admin']::account_role[], a.role),
			lower(a.display_name), a.email`, sc.Role); err != nil {
		return nil, err
	}
	return out, s.attachHubs(ctx, out)
}

// attachHubs fills the hubs of the directors of accounts.
func (s *Store) attachHubs(ctx context.Context, accounts []StaffAccount) error {
	ids := make([]int64, 0, len(accounts))
	at := map[int64]int{}
	for i, a := range accounts {
		if a.Role == RoleDirector {
			ids, at[a.ID] = append(ids, a.ID), i
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var hubs []StaffHub
	if err := s.q.SelectContext(ctx, &hubs, `
		SELECT ah.account_id, h.id, h.uai, h.name, c.name AS commune
		FROM account_hub ah JOIN hub h ON h.id = ah.hub_id JOIN commune c ON c.insee_code = h.commune_code
		WHERE ah.account_id = ANY($1) ORDER BY h.name, h.uai`, pq.Array(ids)); err != nil {
		return err
	}
	for _, h := range hubs {
		a := &accounts[at[h.AccountID]]
		a.Hubs = append(a.Hubs, h)
	}
	return nil
}

// StaffAccountByID returns a staff account sc manages, with its hubs, or ErrNotFound.
func (s *Store) StaffAccountByID(ctx context.Context, sc Scope, id int64) (StaffAccount, error) {
	var a StaffAccount
	if !ManagesStaff(sc, "") {
		return a, ErrNotFound
	}
	if err := s.q.GetContext(ctx, &a, `SELECT `+staffColumns+` FROM account a WHERE a.id = $2 AND `+staffInScope, sc.Role, id); err != nil {
		return a, translate(err)
	}
	list := []StaffAccount{a}
	err := s.attachHubs(ctx, list)
	return list[0], err
}

// lockStaff locks a staff account sc manages for a change and returns its role and whether it
// is disabled, or ErrNotFound.
func (s *Store) lockStaff(ctx context.Context, sc Scope, id int64) (role Role, disabled bool, err error) {
	var row struct {
		Role     Role `db:"role"`
		Disabled bool `db:"disabled"`
	}
	if !ManagesStaff(sc, "") {
		return "", false, ErrNotFound
	}
	err = s.q.GetContext(ctx, &row, `SELECT a.role, a.disabled_at IS NOT NULL AS disabled FROM account a
		WHERE a.id = $2 AND `+staffInScope+` FOR UPDATE`, sc.Role, id)
	return row.Role, row.Disabled, translate(err)
}

func (s *Store) auditStaff(ctx context.Context, sc Scope, action string, id int64, hubID int64, details map[string]any) error {
	return s.Audit(ctx, AuditEntry{AccountID: sc.AccountID, Action: action, ObjectType: "account",
		ObjectID: strconv.FormatInt(id, 10), IP: sc.IP, HubID: hubID, Details: details})
}

// invite kills the account's unused password links and queues an invitation e-mail with a new
// one, valid InvitationTTL.
func (s *Store) invite(ctx context.Context, acc Account, inv Invitation) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM account_token WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL`,
		acc.ID, ResetPassword); err != nil {
		return err
	}
	token, err := s.CreateToken(ctx, acc.ID, ResetPassword, InvitationTTL)
	if err != nil {
		return err
	}
	subject, body := inv(acc, token)
	return s.QueueEmailOf(ctx, EmailInvitation, acc.Email, subject, body)
}

// CreateStaff makes a staff account without a password and e-mails it an invitation, in one
// transaction. A role sc does not manage is ErrNotFound; the e-mail taken is ErrConflict; a
// role and scope that do not fit (a prefecture agent without a département) are ErrInvalid.
func (s *Store) CreateStaff(ctx context.Context, sc Scope, n NewAccount, inv Invitation) (Account, error) {
	if !ManagesStaff(sc, n.Role) {
		return Account{}, ErrNotFound
	}
	n.Password = ""
	var acc Account
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		var err error
		if acc, err = tx.CreateAccount(ctx, n); err != nil {
			return err
		}
		if err := tx.invite(ctx, acc, inv); err != nil {
			return err
		}
		return tx.auditStaff(ctx, sc, "account.create", acc.ID, 0, map[string]any{"role": acc.Role, "departement": acc.DepartementCode,
			"hubs": len(n.HubIDs)})
	})
	return acc, err
}

// ReinviteStaff sends a staff account a new invitation: the links sent before are dead. A
// disabled account is ErrAccountDisabled.
func (s *Store) ReinviteStaff(ctx context.Context, sc Scope, id int64, inv Invitation) error {
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		_, disabled, err := tx.lockStaff(ctx, sc, id)
		if err != nil {
			return err
		}
		if disabled {
			return ErrAccountDisabled
		}
		acc, err := tx.AccountByID(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.invite(ctx, acc, inv); err != nil {
			return err
		}
		return tx.auditStaff(ctx, sc, "account.reinvite", id, 0, nil)
	})
}

// DisableOutcome is what disabling an account did, or would do.
type DisableOutcome struct {
	Sessions int // sessions ended
}

var errStaffRolledBack = errors.New("staff change rolled back")

// transactOrPreview runs fn in a transaction, committed unless dryRun: a dry run does the same
// work on the current data and rolls it back, so that a preview says exactly what would happen.
func (s *Store) transactOrPreview(ctx context.Context, dryRun bool, fn func(*Store) error) error {
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if err := fn(tx); err != nil {
			return err
		}
		if dryRun {
			return errStaffRolledBack
		}
		return nil
	})
	if errors.Is(err, errStaffRolledBack) {
		return nil
	}
	return err
}

// DisableStaff disables a staff account: it can no longer log in, its sessions end at once and
// its unused links die; its hubs stay assigned for when it is enabled again. Disabling one's own
// account is ErrOwnAccount, the last active admin ErrLastAdmin (two admins disabling each
// other at once: PostgreSQL's row locks let one through). With dryRun nothing is kept and the
// outcome says what would happen. An account already disabled is left as it is.
func (s *Store) DisableStaff(ctx context.Context, sc Scope, id int64, dryRun bool) (DisableOutcome, error) {
	var out DisableOutcome
	if id == sc.AccountID {
		return out, ErrOwnAccount
	}
	err := s.transactOrPreview(ctx, dryRun, func(tx *Store) error {
		out = DisableOutcome{}
		var role Role
		if err := tx.q.GetContext(ctx, &role, `SELECT a.role FROM account a WHERE a.id = $2 AND `+staffInScope, sc.Role, id); err != nil {
			return translate(err)
		}
		if role == RoleAdmin {
			// Every active admin is locked, in one order, before any is changed.
			var admins []int64
			if err := tx.q.SelectContext(ctx, &admins, `SELECT id FROM account WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE`); err != nil {
				return err
			}
			others := 0
			for _, a := range admins {
				if a != id {
					others++
				}
			}
			if others == 0 {
				return ErrLastAdmin
			}
		}
		if _, disabled, err := tx.lockStaff(ctx, sc, id); err != nil || disabled {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `UPDATE account SET disabled_at = $2 WHERE id = $1`, id, tx.now()); err != nil {
			return err
		}
		res, err := tx.q.ExecContext(ctx, `DELETE FROM session WHERE account_id = $1`, id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		out.Sessions = int(n)
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM account_token WHERE account_id = $1 AND used_at IS NULL`, id); err != nil {
			return err
		}
		return tx.auditStaff(ctx, sc, "account.disable", id, 0, map[string]any{"sessions_ended": out.Sessions})
	})
	return out, err
}

// EnableStaff enables a disabled staff account again, with its password and hubs as they were.
// It reports whether the account was disabled.
func (s *Store) EnableStaff(ctx context.Context, sc Scope, id int64) (bool, error) {
	var changed bool
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		_, disabled, err := tx.lockStaff(ctx, sc, id)
		if err != nil || !disabled {
			return err
		}
		changed = true
		if _, err := tx.q.ExecContext(ctx, `UPDATE account SET disabled_at = NULL WHERE id = $1`, id); err != nil {
			return err
		}
		return tx.auditStaff(ctx, sc, "account.enable", id, 0, nil)
	})
	return changed, err
}

// AssignHub gives a director a hub; it reports whether the director did not run it already.
// An account that is not a director is ErrInvalid, a disabled one ErrAccountDisabled.
func (s *Store) AssignHub(ctx context.Context, sc Scope, accountID, hubID int64) (bool, error) {
	var added bool
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		var err error
		added, err = tx.assignHub(ctx, sc, accountID, hubID)
		return err
	})
	return added, err
}

func (s *Store) assignHub(ctx context.Context, sc Scope, accountID, hubID int64) (bool, error) {
	role, disabled, err := s.lockStaff(ctx, sc, accountID)
	switch {
	case err != nil:
		return false, err
	case role != RoleDirector:
		return false, fmt.Errorf("%w: only directors run hubs", ErrInvalid)
	case disabled:
		return false, ErrAccountDisabled
	}
	res, err := s.q.ExecContext(ctx, `INSERT INTO account_hub (account_id, hub_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, accountID, hubID)
	if err != nil {
		return false, translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	return true, s.auditStaff(ctx, sc, "account.hub_assign", accountID, hubID, nil)
}

// UnassignHub takes a hub from a director; it reports whether the director ran it.
func (s *Store) UnassignHub(ctx context.Context, sc Scope, accountID, hubID int64) (bool, error) {
	var removed bool
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		if _, _, err := tx.lockStaff(ctx, sc, accountID); err != nil {
			return err
		}
		res, err := tx.q.ExecContext(ctx, `DELETE FROM account_hub WHERE account_id = $1 AND hub_id = $2`, accountID, hubID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		removed = true
		return tx.auditStaff(ctx, sc, "account.hub_unassign", accountID, hubID, nil)
	})
	return removed, err
}
