package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// AuditRetention is how long the audit log is kept (CNIL: about a year).
const AuditRetention = 12 // months

// purgeLock is the advisory lock key that lets one retention purge run at a time, whichever
// process starts it.
const purgeLock = 7_310_002_028

// PurgeCounts is what a retention purge deleted.
type PurgeCounts struct {
	Households      int64
	Children        int64
	HealthNotes     int64
	BookingRequests int64
	Placements      int64
	WaitlistEntries int64
	Attendance      int64
	ParentAccounts  int64
	AuditEntries    int64
	Emails          int64
	StoredReplies   int64
}

// storedReplyLife is how long a booking's stored reply is kept for a retried submission.
const storedReplyLife = 24 * time.Hour

// deleteAccounts deletes accounts with what the schema's cascades do not reach: the e-mails to
// their addresses (they name the children) and the failed logins under them. It returns how
// many accounts went.
func (s *Store) deleteAccounts(ctx context.Context, ids []int64) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if _, err := s.q.ExecContext(ctx, `
		WITH gone AS (SELECT email FROM account WHERE id = ANY($1))
		DELETE FROM outbox_email WHERE to_address IN (SELECT email FROM gone)`, pq.Array(ids)); err != nil {
		return 0, err
	}
	if _, err := s.q.ExecContext(ctx, `DELETE FROM login_failure WHERE email IN (SELECT email FROM account WHERE id = ANY($1))`, pq.Array(ids)); err != nil {
		return 0, err
	}
	res, err := s.q.ExecContext(ctx, `DELETE FROM account WHERE id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Any reports whether the purge deleted anything.
func (c PurgeCounts) Any() bool { return c != PurgeCounts{} }

// PurgeExpired applies the retention rules, on the store's clock, in one transaction:
//   - a household whose last booked day (any request, cancelled or not; without one, the day it
//     swore its statement) is more than retentionDays days before today is deleted with its
//     parents, children, health notes, pick-up persons, booking requests, placements, waitlist
//     entries and attendance, after their counts were added to the anonymous daily counts
//     (purged_day_count) that the trends add to the rows still held;
//   - a parent account left without a household (its own just deleted, or none and unused for
//     retentionDays days) is deleted with its sessions, tokens and idempotency keys;
//   - audit entries older than AuditRetention months and outbox e-mails older than retentionDays
//     days are deleted.
//
// It returns the counts of what it deleted. Concurrent calls run one after the other.
func (s *Store) PurgeExpired(ctx context.Context, retentionDays int) (PurgeCounts, error) {
	if retentionDays < 1 {
		return PurgeCounts{}, fmt.Errorf("%w: retention of %d days", ErrInvalid, retentionDays)
	}
	p := DefaultAllocationPolicy()
	now := s.now()
	// Households whose last day is before keepFrom are past the retention period.
	keepFrom := p.Today(now).AddDate(0, 0, -retentionDays).Format(time.DateOnly)
	cutoff := now.AddDate(0, 0, -retentionDays)
	var n PurgeCounts
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		n = PurgeCounts{}
		if _, err := tx.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, purgeLock); err != nil {
			return err
		}
		var expired []struct {
			ID        int64 `db:"id"`
			AccountID int64 `db:"account_id"`
		}
		if err := tx.q.SelectContext(ctx, &expired, `
			SELECT h.id, h.account_id FROM household h
			WHERE (h.sworn_at AT TIME ZONE $2)::date < $1
			  AND NOT EXISTS (SELECT 1 FROM booking_request br JOIN child c ON c.id = br.child_id
			                  WHERE c.household_id = h.id AND br.day >= $1)
			ORDER BY h.id FOR UPDATE OF h`, keepFrom, p.Location.String()); err != nil {
			return err
		}
		households := make([]int64, len(expired))
		accounts := make([]int64, len(expired))
		for i, h := range expired {
			households[i], accounts[i] = h.ID, h.AccountID
		}
		if len(households) > 0 {
			if err := tx.purgeHouseholds(ctx, households, &n); err != nil {
				return err
			}
		}
		var gone []int64
		if err := tx.q.SelectContext(ctx, &gone, `
			SELECT a.id FROM account a WHERE a.role = 'parent'
			  AND (a.id = ANY($1) OR (NOT EXISTS (SELECT 1 FROM household h WHERE h.account_id = a.id)
			                          AND COALESCE(a.last_login_at, a.created_at) < $2))
			ORDER BY a.id FOR UPDATE`, pq.Array(accounts), cutoff); err != nil {
			return err
		}
		var err error
		if n.ParentAccounts, err = tx.deleteAccounts(ctx, gone); err != nil {
			return err
		}
		// A stored booking reply names the children; it serves only a retried submission.
		res, err := tx.q.ExecContext(ctx, `DELETE FROM idempotency_key WHERE created_at < $1`, now.Add(-storedReplyLife))
		if err != nil {
			return err
		}
		if n.StoredReplies, err = res.RowsAffected(); err != nil {
			return err
		}
		if res, err = tx.q.ExecContext(ctx, `DELETE FROM audit_log WHERE at < $1`, now.AddDate(0, -AuditRetention, 0)); err != nil {
			return err
		}
		if n.AuditEntries, err = res.RowsAffected(); err != nil {
			return err
		}
		// An e-mail still unsent after the retention period will not be of use any more.
		if res, err = tx.q.ExecContext(ctx, `DELETE FROM outbox_email WHERE COALESCE(sent_at, created_at) < $1`, cutoff); err != nil {
			return err
		}
		n.Emails, err = res.RowsAffected()
		return err
	})
	return n, err
}

// purgeHouseholds adds the counts of the households' child-days to purged_day_count, counts
// their rows, and deletes them (the schema cascades from household to the rest).
func (s *Store) purgeHouseholds(ctx context.Context, households []int64, n *PurgeCounts) error {
	ids := pq.Array(households)
	if _, err := s.q.ExecContext(ctx, `
		INSERT INTO purged_day_count AS k (day, departement_code, level, placed, present, waitlisted)
		SELECT day, departement_code, level, sum(placed), sum(present), sum(waitlisted) FROM (
			SELECT p.day, hc.departement_code, p.level, 1 AS placed, 0 AS present, 0 AS waitlisted
			FROM placement p JOIN child c ON c.id = p.child_id
			JOIN hub hb ON hb.id = p.hub_id JOIN commune hc ON hc.insee_code = hb.commune_code
			WHERE c.household_id = ANY($1)
			UNION ALL
			SELECT a.day, hc.departement_code, c.level, 0, 1, 0
			FROM attendance a JOIN child c ON c.id = a.child_id
			JOIN hub hb ON hb.id = a.hub_id JOIN commune hc ON hc.insee_code = hb.commune_code
			WHERE c.household_id = ANY($1) AND a.status = 'present'
			UNION ALL
			SELECT w.day, wc.departement_code, c.level, 0, 0, 1
			FROM waitlist_entry w JOIN child c ON c.id = w.child_id
			JOIN household hh ON hh.id = c.household_id JOIN commune wc ON wc.insee_code = hh.home_commune_code
			WHERE c.household_id = ANY($1)
		) purged
		GROUP BY day, departement_code, level
		ON CONFLICT (day, departement_code, level) DO UPDATE SET placed = k.placed + EXCLUDED.placed,
			present = k.present + EXCLUDED.present, waitlisted = k.waitlisted + EXCLUDED.waitlisted`, ids); err != nil {
		return err
	}
	if err := s.q.QueryRowxContext(ctx, `
		SELECT (SELECT count(*) FROM child c WHERE c.household_id = ANY($1)),
		       (SELECT count(*) FROM child_health_note x JOIN child c ON c.id = x.child_id WHERE c.household_id = ANY($1)),
		       (SELECT count(*) FROM booking_request x JOIN child c ON c.id = x.child_id WHERE c.household_id = ANY($1)),
		       (SELECT count(*) FROM placement x JOIN child c ON c.id = x.child_id WHERE c.household_id = ANY($1)),
		       (SELECT count(*) FROM waitlist_entry x JOIN child c ON c.id = x.child_id WHERE c.household_id = ANY($1)),
		       (SELECT count(*) FROM attendance x JOIN child c ON c.id = x.child_id WHERE c.household_id = ANY($1))`, ids).
		Scan(&n.Children, &n.HealthNotes, &n.BookingRequests, &n.Placements, &n.WaitlistEntries, &n.Attendance); err != nil {
		return err
	}
	res, err := s.q.ExecContext(ctx, `DELETE FROM household WHERE id = ANY($1)`, ids)
	if err != nil {
		return err
	}
	n.Households, err = res.RowsAffected()
	return err
}
