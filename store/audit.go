package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
)

// AuditEntry is one line of the audit log: who did what to which object, from where, and the
// hub, children and day it concerns, so that an inspector can search by each.
type AuditEntry struct {
	AccountID  int64 // 0: nobody logged in (a failed login, the command line)
	Action     string
	ObjectType string
	ObjectID   string
	IP         string
	HubID      int64     // 0: no hub
	ChildIDs   []int64   // the children whose data was read or changed
	Day        time.Time // zero: no day
	Details    map[string]any
}

// Audit appends an entry to the audit log. Run it in the transaction of the change it records,
// so that the log holds exactly what happened.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	details, err := json.Marshal(e.Details)
	if err != nil {
		return err
	}
	if e.Details == nil {
		details = []byte("{}")
	}
	var day any
	if !e.Day.IsZero() {
		day = e.Day.Format(time.DateOnly)
	}
	children := e.ChildIDs
	if children == nil {
		children = []int64{}
	}
	_, err = s.q.ExecContext(ctx, `
		INSERT INTO audit_log (at, account_id, action, object_type, object_id, ip, hub_id, child_ids, day, details)
		VALUES ($1, NULLIF($2, 0), $3, $4, $5, NULLIF($6, '')::inet, NULLIF($7, 0), $8, $9, $10)`,
		s.now(), e.AccountID, e.Action, e.ObjectType, e.ObjectID, e.IP, e.HubID, pq.Array(children), day, details)
	return translate(err)
}

// AuditReading logs a reading like Audit, unless the same account read the same children of the
// same hub and day within the last window: a roll call reloaded after each tap is one reading,
// not sixty.
func (s *Store) AuditReading(ctx context.Context, e AuditEntry, window time.Duration) error {
	var seen bool
	var day any
	if !e.Day.IsZero() {
		day = e.Day.Format(time.DateOnly)
	}
	children := e.ChildIDs
	if children == nil {
		children = []int64{}
	}
	if err := s.q.GetContext(ctx, &seen, `
		SELECT EXISTS (SELECT 1 FROM audit_log WHERE account_id = $1 AND action = $2 AND hub_id IS NOT DISTINCT FROM NULLIF($3, 0)
		               AND day IS NOT DISTINCT FROM $4::date AND child_ids = $5 AND at > $6)`,
		e.AccountID, e.Action, e.HubID, day, pq.Array(children), s.now().Add(-window)); err != nil {
		return err
	}
	if seen {
		return nil
	}
	return s.Audit(ctx, e)
}

// AuditFilter selects entries of the audit log; zero fields select everything.
type AuditFilter struct {
	ChildID int64
	HubID   int64
	Account string // the e-mail address of who acted
	Day     time.Time
	Limit   int
}

// AuditRow is an entry as the inspector reads it.
type AuditRow struct {
	ID         int64     `db:"id"`
	At         time.Time `db:"at"`
	Email      string    `db:"email"`
	Role       string    `db:"role"`
	Action     string    `db:"action"`
	ObjectType string    `db:"object_type"`
	ObjectID   string    `db:"object_id"`
	IP         string    `db:"ip"`
	HubID      int64     `db:"hub_id"`
	HubName    string    `db:"hub_name"`
	ChildIDs   []int64   `db:"-"`
	Day        string    `db:"day"`
	Details    string    `db:"details"`
}

// SearchAudit returns the newest entries that match f, at most f.Limit. Only an admin reads the
// audit log: ErrNotFound for any other scope.
func (s *Store) SearchAudit(ctx context.Context, sc Scope, f AuditFilter) ([]AuditRow, error) {
	if sc.Role != RoleAdmin {
		return nil, fmt.Errorf("%w: the audit log is an admin's", ErrNotFound)
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.ChildID != 0 {
		where = append(where, "l.child_ids @> ARRAY["+arg(f.ChildID)+"::bigint]") // the GIN index
	}
	if f.HubID != 0 {
		where = append(where, "l.hub_id = "+arg(f.HubID))
	}
	if f.Account != "" {
		where = append(where, "who.email = "+arg(NormalizeEmail(f.Account)))
	}
	if !f.Day.IsZero() {
		where = append(where, "l.day = "+arg(f.Day.Format(time.DateOnly)))
	}
	if f.Limit <= 0 {
		f.Limit = 200
	}
	cond := ""
	if len(where) > 0 {
		cond = "WHERE " + strings.Join(where, " AND ")
	}
	var rows []struct {
		AuditRow
		Children pq.Int64Array `db:"child_ids"`
	}
	err := s.q.SelectContext(ctx, &rows, `
		SELECT l.id, l.at, COALESCE(who.email::text, '') AS email, COALESCE(who.role::text, '') AS role, l.action,
		       l.object_type, l.object_id, COALESCE(host(l.ip), '') AS ip, COALESCE(l.hub_id, 0) AS hub_id,
		       COALESCE(h.name, '') AS hub_name, l.child_ids, COALESCE(to_char(l.day, 'YYYY-MM-DD'), '') AS day, l.details::text AS details
		FROM audit_log l
		LEFT JOIN account who ON who.id = l.account_id
		LEFT JOIN hub h ON h.id = l.hub_id
		`+cond+`
		ORDER BY l.at DESC, l.id DESC
		LIMIT `+arg(f.Limit), args...)
	out := make([]AuditRow, len(rows))
	for i, r := range rows {
		out[i] = r.AuditRow
		out[i].ChildIDs = r.Children
	}
	return out, err
}
