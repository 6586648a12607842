package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// HeldData is everything the service holds about a parent account's household, as the RGPD
// right of access asks: the account, the household, the children with their pick-up persons
// and health notes, every booked day with its outcome and attendance, the e-mails sent, and
// who accessed the household's data.
type HeldData struct {
	Account   Account
	Household *Household // nil before the household is registered
	Children  []Child
	Days      []HeldDay
	Emails    []HeldEmail
	Accesses  []HeldAccess
}

// HeldDay is one booked child-day, past or coming, with what became of it.
type HeldDay struct {
	ChildID    int64         `db:"child_id"`
	ChildName  string        `db:"child_name"`
	Day        time.Time     `db:"day"`
	Location   string        `db:"location"`
	ArriveAt   string        `db:"arrive_at"`
	DepartAt   string        `db:"depart_at"`
	Requested  time.Time     `db:"requested_at"`
	Cancelled  *time.Time    `db:"cancelled_at"`
	Status     RequestStatus `db:"status"`
	HubName    string        `db:"hub_name"`
	Attendance string        `db:"attendance"` // present, absent or ""
	ArrivedAt  string        `db:"arrived_at"`
	DepartedAt string        `db:"departed_at"`
}

// HeldEmail is an e-mail sent or queued to the account's address.
type HeldEmail struct {
	Subject   string     `db:"subject"`
	CreatedAt time.Time  `db:"created_at"`
	SentAt    *time.Time `db:"sent_at"`
}

// HeldAccess is an entry of the access log about the account, its household or its children
// (a sheet, roll call or contact list that showed one of them included): when, what, and the
// role of who did it (staff are named to the inspector, not to families).
type HeldAccess struct {
	At     time.Time `db:"at"`
	Action string    `db:"action"`
	Role   string    `db:"role"`
}

// DataHeldFor gathers HeldData for a parent account; only that account's rows are read, all
// from one snapshot.
func (s *Store) DataHeldFor(ctx context.Context, accountID int64) (HeldData, error) {
	var d HeldData
	err := s.Transact(ctx, sql.LevelRepeatableRead, func(tx *Store) error {
		var err error
		d, err = tx.dataHeldFor(ctx, accountID)
		return err
	})
	return d, err
}

func (s *Store) dataHeldFor(ctx context.Context, accountID int64) (HeldData, error) {
	var d HeldData
	var err error
	if d.Account, err = s.AccountByID(ctx, accountID); err != nil {
		return d, err
	}
	h, err := s.HouseholdOf(ctx, accountID)
	switch {
	case err == nil:
		d.Household = &h
	case !errors.Is(err, ErrNotFound):
		return d, err
	}
	children, err := s.ChildrenOf(ctx, accountID)
	if err != nil {
		return d, err
	}
	for _, c := range children {
		full, err := s.ChildOf(ctx, accountID, c.ID)
		if err != nil {
			return d, err
		}
		d.Children = append(d.Children, full)
	}
	if err := s.q.SelectContext(ctx, &d.Days, `
		SELECT br.child_id, c.first_name AS child_name, br.day, br.location::text AS location,
		       to_char(br.arrive_at, 'HH24:MI') AS arrive_at, to_char(br.depart_at, 'HH24:MI') AS depart_at,
		       br.requested_at, br.cancelled_at,
		       request_status(br.cancelled_at, p.status, w.child_id IS NOT NULL) AS status,
		       COALESCE(hb.name, '') AS hub_name, COALESCE(a.status::text, '') AS attendance,
		       COALESCE(to_char(a.arrived_at, 'HH24:MI'), '') AS arrived_at,
		       COALESCE(to_char(a.departed_at, 'HH24:MI'), '') AS departed_at
		FROM booking_request br
		JOIN child c ON c.id = br.child_id
		JOIN household h ON h.id = c.household_id
		LEFT JOIN placement p ON p.child_id = br.child_id AND p.day = br.day
		LEFT JOIN attendance a ON a.child_id = br.child_id AND a.day = br.day
		LEFT JOIN hub hb ON hb.id = COALESCE(a.hub_id, p.hub_id)
		LEFT JOIN waitlist_entry w ON w.child_id = br.child_id AND w.day = br.day
		WHERE h.account_id = $1
		ORDER BY br.day, c.birth_date DESC, c.id`, accountID); err != nil {
		return d, err
	}
	if err := s.q.SelectContext(ctx, &d.Emails, `
		SELECT e.subject, e.created_at, e.sent_at FROM outbox_email e JOIN account a ON a.email = e.to_address
		WHERE a.id = $1 ORDER BY e.created_at, e.id`, accountID); err != nil {
		return d, err
	}
	err = s.q.SelectContext(ctx, &d.Accesses, `
		SELECT l.at, l.action, COALESCE(who.role::text, '') AS role
		FROM audit_log l LEFT JOIN account who ON who.id = l.account_id
		WHERE (l.object_type = 'account' AND l.object_id = $1::bigint::text)
		   OR (l.object_type = 'household' AND l.object_id IN (SELECT id::text FROM household WHERE account_id = $1::bigint))
		   OR (l.object_type = 'child' AND l.object_id IN (
		       SELECT c.id::text FROM child c JOIN household h ON h.id = c.household_id WHERE h.account_id = $1::bigint))
		   OR l.account_id = $1::bigint
		   OR l.child_ids && ARRAY(SELECT c.id FROM child c JOIN household h ON h.id = c.household_id WHERE h.account_id = $1::bigint)
		ORDER BY l.at, l.id`, accountID)
	return d, err
}

// EraseAccount erases a parent account at the family's request (the right to erasure): its
// coming days are cancelled first (seats freed, each day's waitlist run), then the household
// goes with its children, health notes, requests, placements, waitlist entries and attendance,
// their child-days added to the anonymous daily counts as the retention purge does; the e-mails
// to its address (they name the children) and the account with its sessions and tokens go too.
// One last e-mail says it was done. ErrNotFound for an account that is not a parent's.
//
// Unlike removing one child (DeleteChild keeps a hosted child for the sheets and contact lists
// of its past days), erasure takes the hosted days too: it is the family's explicit exercise of
// the right to erasure, and the contact lists of those days lose the child; the anonymous counts
// keep the figures.
func (s *Store) EraseAccount(ctx context.Context, p AllocationPolicy, accountID int64, ip string) error {
	return s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		acc, err := tx.AccountByID(ctx, accountID)
		if err != nil {
			return err
		}
		if acc.Role != RoleParent {
			return fmt.Errorf("%w: account %d is not a parent's", ErrNotFound, accountID)
		}
		if _, err := tx.CancelBooking(ctx, p, accountID, 0, time.Time{}); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		var households []int64
		if err := tx.q.SelectContext(ctx, &households, `SELECT id FROM household WHERE account_id = $1 FOR UPDATE`, accountID); err != nil {
			return err
		}
		var n PurgeCounts
		if len(households) > 0 {
			if err := tx.purgeHouseholds(ctx, households, &n); err != nil {
				return err
			}
		}
		if err := tx.Audit(ctx, AuditEntry{AccountID: accountID, Action: "account.erase", ObjectType: "account",
			ObjectID: strconv.FormatInt(accountID, 10), IP: ip, Details: map[string]any{"children": n.Children, "child_days": n.BookingRequests}}); err != nil {
			return err
		}
		if _, err := tx.deleteAccounts(ctx, []int64{accountID}); err != nil {
			return err
		}
		return tx.QueueEmail(ctx, acc.Email, "Accueil prioritaire : votre compte a été effacé / your account was erased",
			"Bonjour,\n\nVotre compte Accueil prioritaire et toutes les données de votre foyer (enfants, notes de santé, "+
				"réservations, présences) ont été effacés à votre demande. Les places réservées ont été libérées.\n\n---\n\n"+
				"Hello,\n\nYour Accueil prioritaire account and all your household's data (children, health notes, bookings, attendance) "+
				"have been erased at your request. The seats you had booked have been freed.\n")
	})
}
