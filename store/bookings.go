package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lib/pq"
)

// ErrIdempotencyMismatch: an idempotency key was reused with another request.
var ErrIdempotencyMismatch = errors.New("idempotency key reused with another request")

// BookingInput is what a parent asks for: these children on these days, near home or work,
// between these times ("07:30" to "18:30").
type BookingInput struct {
	ChildIDs []int64
	Days     []time.Time
	Location Location
	ArriveAt string
	DepartAt string
}

// BookedDay is the answer for one child and day, as the family sees it.
type BookedDay struct {
	ChildID    int64     `json:"child_id"`
	ChildName  string    `json:"child_name"`
	Day        time.Time `json:"day"`
	Status     string    `json:"status"` // proposed, confirmed, waitlisted
	HubID      int64     `json:"hub_id,omitempty"`
	HubName    string    `json:"hub_name,omitempty"`
	HubAddress string    `json:"hub_address,omitempty"`
	HubLat     float64   `json:"hub_lat,omitempty"`
	HubLon     float64   `json:"hub_lon,omitempty"`
	DistanceKm float64   `json:"distance_km,omitempty"`
	ArriveAt   string    `json:"arrive_at"`
	DepartAt   string    `json:"depart_at"`
	// Position is the place on the day's waitlist, in priority order (1 is next).
	Position int    `json:"position,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Booking is the answer to one booking submission.
type Booking struct {
	Days []BookedDay `json:"days"`
}

// Book records a parent's requests and answers them at once (see PlaceHousehold), in one
// transaction with the idempotency key: the same key and request replay the first answer without
// booking again; the same key with another request is ErrIdempotencyMismatch. Children outside
// the account's household are ErrNotFound; days without any open hub are ErrInvalid.
func (s *Store) Book(ctx context.Context, p AllocationPolicy, accountID int64, key string, requestHash []byte, in BookingInput) (b Booking, replayed bool, err error) {
	err = s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		b, replayed = Booking{}, false
		// Claim the key first: a concurrent submission with the same key waits here for us.
		res, err := tx.execPrepared(ctx, `
			INSERT INTO idempotency_key (account_id, key, request_hash, status_code, response, created_at)
			VALUES ($1, $2, $3, 0, '', $4) ON CONFLICT DO NOTHING`, accountID, key, requestHash, tx.now())
		if err != nil {
			return translate(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var prev struct {
				Hash     []byte `db:"request_hash"`
				Response []byte `db:"response"`
			}
			if err := tx.q.GetContext(ctx, &prev, `SELECT request_hash, response FROM idempotency_key WHERE account_id = $1 AND key = $2`, accountID, key); err != nil {
				return err
			}
			if !bytes.Equal(prev.Hash, requestHash) {
				return ErrIdempotencyMismatch
			}
			replayed = true
			return json.Unmarshal(prev.Response, &b)
		}
		var householdID int64
		var owned int
		var own struct {
			Household int64 `db:"id"`
			Owned     int   `db:"owned"`
		}
		if err := tx.getPrepared(ctx, &own, `
			SELECT h.id, (SELECT count(*) FROM child c WHERE c.household_id = h.id AND c.id = ANY($2)) AS owned
			FROM household h WHERE h.account_id = $1`, accountID, pq.Array(in.ChildIDs)); err != nil {
			return translate(err)
		}
		householdID, owned = own.Household, own.Owned
		if owned != len(in.ChildIDs) {
			return ErrNotFound
		}
		// Days must be open somewhere: the calendar offers no other.
		var open []time.Time
		if err := tx.selectPrepared(ctx, &open, `SELECT DISTINCT day FROM hub_day_capacity WHERE day = ANY($1) AND capacity > 0`,
			pq.Array(dayStrings(in.Days))); err != nil {
			return err
		}
		if len(open) != len(in.Days) {
			return fmt.Errorf("%w: a day asked for has no open hub", ErrInvalid)
		}
		// New requests, or cancelled ones asked again; active ones keep their answer.
		if _, err := tx.execPrepared(ctx, `
			INSERT INTO booking_request (child_id, day, location, arrive_at, depart_at, requested_at)
			SELECT c, d, $3, $4, $5, $6 FROM unnest($1::bigint[]) AS c CROSS JOIN unnest($2::date[]) AS d
			ON CONFLICT (child_id, day) DO UPDATE SET location = EXCLUDED.location, arrive_at = EXCLUDED.arrive_at,
				depart_at = EXCLUDED.depart_at, requested_at = EXCLUDED.requested_at, cancelled_at = NULL
			WHERE booking_request.cancelled_at IS NOT NULL`,
			pq.Array(in.ChildIDs), pq.Array(dayStrings(in.Days)), in.Location, in.ArriveAt, in.DepartAt, tx.now()); err != nil {
			return translate(err)
		}
		if _, err := tx.allocateRetrying(ctx, p, allocation{kind: KindInstant, days: in.Days, household: householdID,
			seed: uint64(tx.now().UnixNano()) & (1<<53 - 1), replace: requestRow.unsettled}); err != nil {
			return err
		}
		days, err := tx.bookedDays(ctx, accountID, in.Days, in.ChildIDs)
		if err != nil {
			return err
		}
		b = Booking{Days: days}
		if err := tx.queueBookingEmail(ctx, accountID, "Accueil prioritaire : votre réservation / your booking", b.Days); err != nil {
			return err
		}
		body, err := json.Marshal(b)
		if err != nil {
			return err
		}
		_, err = tx.execPrepared(ctx, `UPDATE idempotency_key SET status_code = 200, response = $3 WHERE account_id = $1 AND key = $2`,
			accountID, key, body)
		return err
	})
	return b, replayed, err
}

// UpcomingBookings lists the answered days of the account's children from from on.
func (s *Store) UpcomingBookings(ctx context.Context, accountID int64, from time.Time) ([]BookedDay, error) {
	var days []time.Time
	if err := s.q.SelectContext(ctx, &days, `
		SELECT DISTINCT br.day FROM booking_request br JOIN child c ON c.id = br.child_id JOIN household h ON h.id = c.household_id
		WHERE h.account_id = $1 AND br.day >= $2 AND br.cancelled_at IS NULL ORDER BY br.day`, accountID, from.Format(time.DateOnly)); err != nil {
		return nil, err
	}
	if len(days) == 0 {
		return nil, nil
	}
	return s.bookedDays(ctx, accountID, days, nil)
}

// bookedDays reads the answers of the account's children (all, or childIDs) on days.
func (s *Store) bookedDays(ctx context.Context, accountID int64, days []time.Time, childIDs []int64) ([]BookedDay, error) {
	var rows []struct {
		ChildID    int64           `db:"child_id"`
		ChildName  string          `db:"child_name"`
		Day        time.Time       `db:"day"`
		Status     string          `db:"status"`
		HubID      sql.NullInt64   `db:"hub_id"`
		HubName    sql.NullString  `db:"hub_name"`
		HubAddress sql.NullString  `db:"hub_address"`
		HubLat     sql.NullFloat64 `db:"hub_lat"`
		HubLon     sql.NullFloat64 `db:"hub_lon"`
		DistanceM  sql.NullInt64   `db:"distance_m"`
		ArriveAt   string          `db:"arrive_at"`
		DepartAt   string          `db:"depart_at"`
		Position   sql.NullInt64   `db:"position"`
		Reason     sql.NullString  `db:"reason"`
	}
	err := s.selectPrepared(ctx, &rows, `
		SELECT br.child_id, c.first_name AS child_name, br.day,
		       CASE WHEN p.id IS NOT NULL THEN p.status::text WHEN w.child_id IS NOT NULL THEN 'waitlisted' ELSE 'pending' END AS status,
		       p.hub_id, hb.name AS hub_name, hb.address || ', ' || hc.name AS hub_address, hb.lat AS hub_lat, hb.lon AS hub_lon, p.distance_m,
		       to_char(br.arrive_at, 'HH24:MI') AS arrive_at, to_char(br.depart_at, 'HH24:MI') AS depart_at, w.reason::text AS reason,
		       CASE WHEN w.child_id IS NOT NULL THEN (
		           SELECT count(*) FROM waitlist_entry w2
		           JOIN booking_request b2 ON b2.child_id = w2.child_id AND b2.day = w2.day
		           JOIN child c2 ON c2.id = w2.child_id
		           WHERE w2.day = br.day AND (
		               (SELECT COALESCE(min(pr.tier), 3) FROM parent pa JOIN profession pr ON pr.code = pa.profession_code WHERE pa.household_id = c2.household_id),
		               b2.requested_at, w2.child_id)
		             <= ((SELECT COALESCE(min(pr.tier), 3) FROM parent pa JOIN profession pr ON pr.code = pa.profession_code WHERE pa.household_id = c.household_id),
		               br.requested_at, br.child_id)) END AS position
		FROM booking_request br
		JOIN child c ON c.id = br.child_id
		JOIN household h ON h.id = c.household_id
		LEFT JOIN placement p ON p.child_id = br.child_id AND p.day = br.day
		LEFT JOIN hub hb ON hb.id = p.hub_id
		LEFT JOIN commune hc ON hc.insee_code = hb.commune_code
		LEFT JOIN waitlist_entry w ON w.child_id = br.child_id AND w.day = br.day
		WHERE h.account_id = $1 AND br.day = ANY($2) AND br.cancelled_at IS NULL
		  AND (COALESCE(cardinality($3::bigint[]), 0) = 0 OR br.child_id = ANY($3))
		ORDER BY br.day, c.birth_date DESC, c.id`, accountID, pq.Array(dayStrings(days)), pq.Array(childIDs))
	if err != nil {
		return nil, err
	}
	out := make([]BookedDay, len(rows))
	for i, r := range rows {
		out[i] = BookedDay{ChildID: r.ChildID, ChildName: r.ChildName, Day: r.Day, Status: r.Status,
			HubID: r.HubID.Int64, HubName: r.HubName.String, HubAddress: r.HubAddress.String, HubLat: r.HubLat.Float64,
			HubLon: r.HubLon.Float64, DistanceKm: float64(r.DistanceM.Int64) / 1000, ArriveAt: r.ArriveAt, DepartAt: r.DepartAt,
			Position: int(r.Position.Int64), Reason: r.Reason.String}
	}
	return out, nil
}

// CancelBooking cancels days of the account's children (one child-day, or every day from from on
// when day is zero), frees their seats, runs the waitlist of each freed day and e-mails the
// family. It returns how many child-days it cancelled; ErrNotFound for another household's child.
func (s *Store) CancelBooking(ctx context.Context, p AllocationPolicy, accountID, childID int64, day, from time.Time) (int, error) {
	var n int
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		var cancelled []struct {
			ChildID int64     `db:"child_id"`
			Day     time.Time `db:"day"`
			Name    string    `db:"first_name"`
		}
		err := tx.q.SelectContext(ctx, &cancelled, `
			UPDATE booking_request br SET cancelled_at = $5
			FROM child c JOIN household h ON h.id = c.household_id
			WHERE c.id = br.child_id AND h.account_id = $1 AND br.cancelled_at IS NULL
			  AND ($2 = 0 OR br.child_id = $2)
			  AND (($3::date IS NOT NULL AND br.day = $3::date) OR ($3::date IS NULL AND br.day >= $4))
			RETURNING br.child_id, br.day, c.first_name`,
			accountID, childID, nullDay(day), from.Format(time.DateOnly), tx.now())
		if err != nil {
			return translate(err)
		}
		if len(cancelled) == 0 {
			return ErrNotFound
		}
		n = len(cancelled)
		var ids []int64
		var ds []string
		freed := map[string]time.Time{}
		var lines []BookedDay
		for _, c := range cancelled {
			ids = append(ids, c.ChildID)
			ds = append(ds, c.Day.Format(time.DateOnly))
			freed[c.Day.Format(time.DateOnly)] = c.Day
			lines = append(lines, BookedDay{ChildID: c.ChildID, ChildName: c.Name, Day: c.Day, Status: "cancelled"})
		}
		for _, q := range []string{
			`DELETE FROM placement x USING unnest($1::bigint[], $2::date[]) AS f(c, d) WHERE x.child_id = f.c AND x.day = f.d`,
			`DELETE FROM waitlist_entry x USING unnest($1::bigint[], $2::date[]) AS f(c, d) WHERE x.child_id = f.c AND x.day = f.d`,
		} {
			if _, err := tx.q.ExecContext(ctx, q, pq.Array(ids), pq.Array(ds)); err != nil {
				return translate(err)
			}
		}
		keys := make([]string, 0, len(freed))
		for k := range freed {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if _, err := tx.PromoteWaitlist(ctx, p, freed[k], 0); err != nil {
				return err
			}
		}
		return tx.queueBookingEmail(ctx, accountID, "Accueil prioritaire : annulation / cancellation", lines)
	})
	return n, err
}

func nullDay(d time.Time) any {
	if d.IsZero() {
		return nil
	}
	return d.Format(time.DateOnly)
}

// queueBookingEmail tells the family what it booked or cancelled.
func (s *Store) queueBookingEmail(ctx context.Context, accountID int64, subject string, days []BookedDay) error {
	var fr, en []string
	for _, d := range days {
		day := d.Day.Format("02/01/2006")
		switch d.Status {
		case "cancelled":
			fr = append(fr, fmt.Sprintf("- %s, le %s : annulé.", d.ChildName, day))
			en = append(en, fmt.Sprintf("- %s, on %s: cancelled.", d.ChildName, day))
		case "waitlisted":
			fr = append(fr, fmt.Sprintf("- %s, le %s : liste d'attente, position %d.", d.ChildName, day, d.Position))
			en = append(en, fmt.Sprintf("- %s, on %s: waitlist, position %d.", d.ChildName, day, d.Position))
		default:
			state, stateEN := "place proposée", "seat proposed"
			if d.Status == string(Confirmed) {
				state, stateEN = "place confirmée", "seat confirmed"
			}
			fr = append(fr, fmt.Sprintf("- %s, le %s : %s à %s, %s (%s–%s).", d.ChildName, day, state, d.HubName, d.HubAddress, d.ArriveAt, d.DepartAt))
			en = append(en, fmt.Sprintf("- %s, on %s: %s at %s, %s (%s–%s).", d.ChildName, day, stateEN, d.HubName, d.HubAddress, d.ArriveAt, d.DepartAt))
		}
	}
	body := "Bonjour,\n\n" + strings.Join(fr, "\n") + "\n\nRetrouvez vos réservations dans « Mes réservations ».\n\n---\n\nHello,\n\n" +
		strings.Join(en, "\n") + "\n\nSee your bookings under “My bookings”.\n"
	_, err := s.execPrepared(ctx, `
		INSERT INTO outbox_email (to_address, subject, body_text, created_at, next_attempt_at)
		SELECT email, $2, $3, $4, $4 FROM account WHERE id = $1`, accountID, subject, body, s.now())
	return translate(err)
}
