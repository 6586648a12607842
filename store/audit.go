package store

import (
	"context"
	"encoding/json"
)

// AuditEntry is one line of the audit log: who did what to which object, from where.
type AuditEntry struct {
	AccountID  int64 // 0: nobody logged in (a failed login, the command line)
	Action     string
	ObjectType string
	ObjectID   string
	IP         string
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
	_, err = s.q.ExecContext(ctx, `
		INSERT INTO audit_log (at, account_id, action, object_type, object_id, ip, details)
		VALUES ($1, NULLIF($2, 0), $3, $4, $5, NULLIF($6, '')::inet, $7)`,
		s.now(), e.AccountID, e.Action, e.ObjectType, e.ObjectID, e.IP, details)
	return translate(err)
}
