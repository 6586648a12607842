package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
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

// BookedDay is the answer for one child and day, as the family sees it. It has no JSON form of
// its own: the api answers with types of its own, and the stored replies have theirs
// (encodeReply).
type BookedDay struct {
	ChildID    int64
	ChildName  string
	Day        time.Time
	Status     RequestStatus // proposed, confirmed, waitlisted
	HubID      int64
	HubName    string
	HubAddress string
	HubLat     float64
	HubLon     float64
	DistanceKm float64 // whole metres, as placement.distance_m
	ArriveAt   string
	DepartAt   string
	// Position is the place on the day's waitlist, in priority order (1 is next).
	Position int
	Reason   string // the waitlist's reason (alloc.Reason)
	// NearestFullHub names, for a child-day waiting because the hubs in reach are full, the
	// nearest of them.
	NearestFullHub string
	// CheckedIn: the child has a mark that day, which can then no longer be cancelled.
	CheckedIn bool
}

// Booking is the answer to one booking submission.
type Booking struct {
	Days []BookedDay
}

// Book records a parent's requests and answers them at once (an instant placement against the
// current occupancy), in one transaction with the idempotency key: the same key and request
// replay the first answer without booking again; the same key with another request is
// ErrIdempotencyMismatch. Children outside the account's household are ErrNotFound; days
// without any open hub are ErrInvalid. Under a rush, a Booker groups concurrent submissions
// into one such transaction.
func (s *Store) Book(ctx context.Context, p AllocationPolicy, accountID int64, key string, requestHash []byte, in BookingInput) (Booking, bool, error) {
	c := &BookingCall{AccountID: accountID, Key: key, Hash: requestHash, In: in}
	s.BookBatch(ctx, p, []*BookingCall{c})
	return c.Booking, c.Replayed, c.Err
}

// BookingCall is one booking submission and, once its batch ran, its answer.
type BookingCall struct {
	AccountID int64
	Key       string
	Hash      []byte // of the request, for the idempotency check
	In        BookingInput

	Booking  Booking
	Replayed bool
	Err      error
}

func (c *BookingCall) answer(b Booking, replayed bool, err error) {
	c.Booking, c.Replayed, c.Err = b, replayed, err
}

// BookBatch answers calls, of distinct accounts, together (bookAtOnce): one read, one
// allocation over all their child-days, one write, the keys in the same transaction as the
// bookings. A call refused for its own reasons (another household's child, a closed day, a
// reused key) gets its error and leaves nothing behind; the others go on. When a concurrent
// writer took a seat the allocation counted on, the batch starts again; should the write fail
// otherwise, each call is tried alone, so that no call fails another.
func (s *Store) BookBatch(ctx context.Context, p AllocationPolicy, calls []*BookingCall) {
	var err error
	for attempt := 0; attempt < maxFullRetries; attempt++ {
		for _, c := range calls {
			c.answer(Booking{}, false, nil)
		}
		if err = s.bookAtOnce(ctx, p, calls); !errors.Is(err, ErrFull) {
			break
		}
	}
	switch {
	case err == nil:
	case len(calls) == 1:
		calls[0].answer(Booking{}, false, err)
	default:
		for _, c := range calls {
			s.BookBatch(ctx, p, []*BookingCall{c})
		}
	}
}

// batchAllocation is the instant allocation of the child-days the valid calls ask for, over
// their households' requests.
func (s *Store) batchAllocation(valid []*BookingCall, households map[int64]householdCtx) allocation {
	var asked askedDays
	var days []time.Time
	byHousehold := map[int64]householdCtx{}
	for _, c := range valid {
		h := households[c.AccountID]
		byHousehold[h.ID] = h
		for _, d := range c.In.Days {
			if !slices.ContainsFunc(days, d.Equal) {
				days = append(days, d)
			}
			for _, id := range c.In.ChildIDs {
				asked.add(c.AccountID, id, d, c.In)
			}
		}
	}
	return allocation{kind: KindInstant, days: days, households: byHousehold, asked: asked,
		seed: uint64(s.now().UnixNano()) & (1<<53 - 1), replace: requestRow.unsettled}
}

// answerCalls gives each valid call its answer, from pl, and returns what to store for them:
// the keys with their answers, and an e-mail each (in the order of valid).
func (s *Store) answerCalls(ctx context.Context, pl *plan, valid []*BookingCall, households map[int64]householdCtx) (bookingStep, []email, error) {
	var step bookingStep
	var mails []email
	labels, err := s.hubLabels(ctx)
	if err != nil {
		return step, nil, err
	}
	answers, err := s.instantAnswers(ctx, pl, labels)
	if err != nil {
		return step, nil, err
	}
	for _, c := range valid {
		var b Booking
		for _, d := range answers {
			if slices.Contains(c.In.ChildIDs, d.ChildID) && slices.ContainsFunc(c.In.Days, d.Day.Equal) {
				b.Days = append(b.Days, d.BookedDay)
			}
		}
		c.answer(b, false, nil)
		body, err := encodeReply(b)
		if err != nil {
			return step, nil, err
		}
		step.accounts, step.keys = append(step.accounts, c.AccountID), append(step.keys, c.Key)
		step.hashes, step.responses = append(step.hashes, c.Hash), append(step.responses, body)
		m := bookingEmail(households[c.AccountID].Email, "Accueil prioritaire : votre réservation / your booking", b.Days)
		m.account = c.AccountID
		mails = append(mails, m)
	}
	return step, mails, nil
}

// replayKeys answers calls whose key is stored: the first answer again, or
// ErrIdempotencyMismatch for another request.
func (s *Store) replayKeys(ctx context.Context, calls []*BookingCall) error {
	var accounts []int64
	var keys []string
	for _, c := range calls {
		accounts, keys = append(accounts, c.AccountID), append(keys, c.Key)
	}
	var stored []usedKey
	if err := s.q.SelectContext(ctx, &stored, `
		SELECT k.account_id, k.key, k.request_hash, k.response
		FROM idempotency_key k JOIN unnest($1::bigint[], $2::text[]) AS f(account_id, key) ON k.account_id = f.account_id AND k.key = f.key`,
		pq.Array(accounts), pq.Array(keys)); err != nil {
		return err
	}
	for _, c := range calls {
		i := slices.IndexFunc(stored, func(u usedKey) bool { return u.AccountID == c.AccountID && u.Key == c.Key })
		switch {
		case i < 0:
			return fmt.Errorf("idempotency key of account %d neither new nor stored", c.AccountID)
		case !bytes.Equal(stored[i].Hash, c.Hash):
			c.answer(Booking{}, false, ErrIdempotencyMismatch)
		default:
			b, err := decodeReply(stored[i].Response)
			if err != nil {
				return err
			}
			c.answer(b, true, nil)
		}
	}
	return nil
}

// usedKey is an idempotency key found stored.
type usedKey struct {
	AccountID int64  `db:"account_id"`
	Key       string `db:"key"`
	Hash      []byte `db:"request_hash"`
	Response  []byte `db:"response"`
}

// householdCtx is what the allocation needs of a household: where it lives and works, its
// priority, whether its children may be split, whom to tell; and, for the checks of a booking,
// its children and which of the days asked for are open. ID is 0 for an account without one.
type householdCtx struct {
	ID         int64          `db:"id"`
	AccountID  int64          `db:"account_id"`
	AllowSplit bool           `db:"allow_split"`
	AllOrNone  bool           `db:"all_or_none"`
	Tier       int            `db:"tier"`
	HomeLat    float64        `db:"home_lat"`
	HomeLon    float64        `db:"home_lon"`
	WorkLat    float64        `db:"work_lat"`
	WorkLon    float64        `db:"work_lon"`
	Email      string         `db:"email"`
	Children   pq.Int64Array  `db:"children"`
	OpenDays   pq.StringArray `db:"open_days"`
}

// householdCtxSQL reads a householdCtx for each account_id of a CTE named wanted, with which of
// the days :days have an open hub.
const householdCtxSQL = `
	SELECT w.account_id, COALESCE(ht.id, 0) AS id, COALESCE(ht.allow_split, false) AS allow_split,
	       COALESCE(ht.all_or_none, false) AS all_or_none, COALESCE(ht.tier, 3) AS tier,
	       COALESCE(hc.lat, 0) AS home_lat, COALESCE(hc.lon, 0) AS home_lon, COALESCE(wc.lat, 0) AS work_lat, COALESCE(wc.lon, 0) AS work_lon,
	       COALESCE(a.email, '') AS email,
	       ARRAY(SELECT c.id FROM child c WHERE c.household_id = ht.id) AS children,
	       ARRAY(SELECT DISTINCT d::text FROM unnest(:days::date[]) AS d
	             WHERE EXISTS (SELECT 1 FROM hub_day_capacity x WHERE x.day = d AND x.capacity > 0)) AS open_days
	FROM wanted w
	LEFT JOIN household_tier ht ON ht.account_id = w.account_id
	LEFT JOIN account a ON a.id = ht.account_id
	LEFT JOIN commune hc ON hc.insee_code = ht.home_commune_code
	LEFT JOIN commune wc ON wc.insee_code = ht.work_commune_code`

var householdsOfSQL = named(`WITH wanted AS (SELECT DISTINCT unnest(:accounts::bigint[]) AS account_id)` + householdCtxSQL)

// householdsOf reads the households of accounts, by account (ID 0: no household yet), with
// which of days have an open hub.
func (s *Store) householdsOf(ctx context.Context, accounts []int64, days []time.Time) (map[int64]householdCtx, error) {
	args, err := householdsOfSQL.args(map[string]any{"days": pq.Array(dayStrings(days)), "accounts": pq.Array(accounts)})
	if err != nil {
		return nil, err
	}
	var rows []householdCtx
	if err := s.selectPrepared(ctx, &rows, householdsOfSQL.text, args...); err != nil {
		return nil, err
	}
	out := make(map[int64]householdCtx, len(rows))
	for _, r := range rows {
		out[r.AccountID] = r
	}
	return out, nil
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
	return s.bookedDays(ctx, accountID, days)
}

// bookedDays reads the answers of the account's children on days.
func (s *Store) bookedDays(ctx context.Context, accountID int64, days []time.Time) ([]BookedDay, error) {
	var rows []struct {
		ChildID     int64           `db:"child_id"`
		ChildName   string          `db:"child_name"`
		Day         time.Time       `db:"day"`
		Status      RequestStatus   `db:"status"`
		HubID       sql.NullInt64   `db:"hub_id"`
		HubName     sql.NullString  `db:"hub_name"`
		HubAddress  sql.NullString  `db:"hub_address"`
		HubLat      sql.NullFloat64 `db:"hub_lat"`
		HubLon      sql.NullFloat64 `db:"hub_lon"`
		DistanceM   sql.NullInt64   `db:"distance_m"`
		ArriveAt    string          `db:"arrive_at"`
		DepartAt    string          `db:"depart_at"`
		Position    sql.NullInt64   `db:"position"`
		Reason      sql.NullString  `db:"reason"`
		NearestFull sql.NullString  `db:"nearest_full_hub"`
		CheckedIn   bool            `db:"checked_in"`
	}
	err := s.q.SelectContext(ctx, &rows, `
		SELECT br.child_id, c.first_name AS child_name, br.day,
		       request_status(br.cancelled_at, p.status, w.child_id IS NOT NULL) AS status,
		       p.hub_id, hb.name AS hub_name, hb.address || ', ' || hc.name AS hub_address, hb.lat AS hub_lat, hb.lon AS hub_lon, p.distance_m,
		       to_char(br.arrive_at, 'HH24:MI') AS arrive_at, to_char(br.depart_at, 'HH24:MI') AS depart_at, w.reason::text AS reason,
		       nf.name AS nearest_full_hub,
		       CASE WHEN w.child_id IS NOT NULL THEN (
		           SELECT wp.position FROM waitlist_position wp WHERE wp.day = br.day AND wp.child_id = br.child_id) END AS position,
		       EXISTS (SELECT 1 FROM attendance at WHERE at.child_id = br.child_id AND at.day = br.day) AS checked_in
		FROM booking_request br
		JOIN child c ON c.id = br.child_id
		JOIN household h ON h.id = c.household_id
		LEFT JOIN placement p ON p.child_id = br.child_id AND p.day = br.day
		LEFT JOIN hub hb ON hb.id = p.hub_id
		LEFT JOIN commune hc ON hc.insee_code = hb.commune_code
		LEFT JOIN waitlist_entry w ON w.child_id = br.child_id AND w.day = br.day
		LEFT JOIN hub nf ON nf.id = w.nearest_full_hub_id
		WHERE h.account_id = $1 AND br.day = ANY($2) AND br.cancelled_at IS NULL
		ORDER BY br.day, c.birth_date DESC, c.id`, accountID, pq.Array(dayStrings(days)))
	if err != nil {
		return nil, err
	}
	out := make([]BookedDay, len(rows))
	for i, r := range rows {
		out[i] = BookedDay{ChildID: r.ChildID, ChildName: r.ChildName, Day: r.Day, Status: r.Status,
			HubID: r.HubID.Int64, HubName: r.HubName.String, HubAddress: r.HubAddress.String, HubLat: r.HubLat.Float64,
			HubLon: r.HubLon.Float64, DistanceKm: float64(r.DistanceM.Int64) / 1000, ArriveAt: r.ArriveAt, DepartAt: r.DepartAt,
			Position: int(r.Position.Int64), Reason: r.Reason.String, NearestFullHub: r.NearestFull.String, CheckedIn: r.CheckedIn}
	}
	return out, nil
}

// email is a message queued in the outbox (no kind is EmailNotice). account is the booking call
// it answers, in a booking batch (see writes.booking).
type email struct {
	kind              EmailKind
	to, subject, body string
	account           int64
}

// bookingEmail tells a family what it booked or cancelled.
func bookingEmail(to, subject string, days []BookedDay) email {
	var fr, en []string
	for _, d := range days {
		day := d.Day.Format("02/01/2006")
		switch d.Status {
		case RequestCancelled:
			fr = append(fr, fmt.Sprintf("- %s, le %s : annulé.", d.ChildName, day))
			en = append(en, fmt.Sprintf("- %s, on %s: cancelled.", d.ChildName, day))
		case RequestWaitlisted:
			fr = append(fr, fmt.Sprintf("- %s, le %s : liste d'attente, position %d.", d.ChildName, day, d.Position))
			en = append(en, fmt.Sprintf("- %s, on %s: waitlist, position %d.", d.ChildName, day, d.Position))
		default:
			state, stateEN := "place proposée", "seat proposed"
			if d.Status == RequestConfirmed {
				state, stateEN = "place confirmée", "seat confirmed"
			}
			fr = append(fr, fmt.Sprintf("- %s, le %s : %s à %s, %s (%s–%s).", d.ChildName, day, state, d.HubName, d.HubAddress, d.ArriveAt, d.DepartAt))
			en = append(en, fmt.Sprintf("- %s, on %s: %s at %s, %s (%s–%s).", d.ChildName, day, stateEN, d.HubName, d.HubAddress, d.ArriveAt, d.DepartAt))
		}
	}
	body := "Bonjour,\n\n" + strings.Join(fr, "\n") + "\n\nRetrouvez vos réservations dans « Mes réservations ».\n\n---\n\nHello,\n\n" +
		strings.Join(en, "\n") + "\n\nSee your bookings under “My bookings”.\n"
	kind := EmailCancellation
	for _, d := range days {
		if d.Status != RequestCancelled {
			kind = EmailBooking
		}
	}
	return email{kind: kind, to: to, subject: subject, body: body}
}
