package store

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
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

// answeredDay is an answer with the child's birth date, for the order families see.
type answeredDay struct {
	BookedDay
	birth       time.Time
	nearestFull int64 // hub to name in a waitlisted day's reason, or 0
}

// instantAnswers gives the answer of every request pl read, as bookedDays would read it once
// written: the new outcomes, or the standing answer of the requests left as they were. It is
// computed rather than read back so that the seats can be taken last. labels name the hubs (it
// does not modify them); hubs missing from them are read. pl's waitlist entries are not
// written yet: the positions count them as if they were.
func (s *Store) instantAnswers(ctx context.Context, pl *plan, labels map[int64]hubLabel) ([]answeredDay, error) {
	outcome := make(map[cdKey]Outcome, len(pl.outcomes))
	for _, o := range pl.outcomes {
		outcome[cdKey{o.ChildID, o.Day.Format(time.DateOnly)}] = o
	}
	out := make([]answeredDay, len(pl.rows))
	var hubIDs, waitChild []int64
	var waitDay []string
	for i, r := range pl.rows {
		d := BookedDay{ChildID: r.ChildID, ChildName: r.FirstName, Day: r.Day, ArriveAt: r.ArriveAt, DepartAt: r.DepartAt,
			Status: requestStatusOf(false, PlacementStatus(r.PlacedStatus.String), r.Waitlisted),
			HubID:  r.PlacedHub.Int64, DistanceKm: float64(r.DistanceM.Int64) / 1000, Reason: r.WaitReason.String}
		nearestFull := r.NearestFull.Int64
		if o, ok := outcome[cdKey{r.ChildID, r.Day.Format(time.DateOnly)}]; ok {
			d.Status, d.HubID, d.DistanceKm, d.Reason = o.Status, o.HubID, float64(distanceM(o.DistanceKm))/1000, string(o.Reason)
			nearestFull = o.NearestFullHub
		}
		for _, h := range []int64{d.HubID, nearestFull} {
			if _, known := labels[h]; h != 0 && !known {
				hubIDs = append(hubIDs, h)
			}
		}
		if d.Status == RequestWaitlisted {
			waitChild = append(waitChild, d.ChildID)
			waitDay = append(waitDay, d.Day.Format(time.DateOnly))
		}
		out[i] = answeredDay{BookedDay: d, birth: r.BirthDate, nearestFull: nearestFull}
	}
	if len(hubIDs) > 0 { // hubs opened since labels were read
		more, err := s.hubInfo(ctx, hubIDs)
		if err != nil {
			return nil, err
		}
		labels = maps.Clone(labels)
		maps.Copy(labels, more)
	}
	positions, err := s.waitlistPositions(ctx, pl, waitChild, waitDay)
	if err != nil {
		return nil, err
	}
	for i := range out {
		d := &out[i].BookedDay
		if h, ok := labels[d.HubID]; ok {
			d.HubName, d.HubAddress, d.HubLat, d.HubLon = h.Name, h.Address, h.Lat, h.Lon
		}
		if h, ok := labels[out[i].nearestFull]; ok && d.Status == "waitlisted" {
			d.NearestFullHub = h.Name
		}
		for _, p := range positions {
			if p.ChildID == d.ChildID && p.Day.Equal(d.Day) {
				d.Position = p.Position
			}
		}
	}
	slices.SortStableFunc(out, func(a, b answeredDay) int {
		if c := a.Day.Compare(b.Day); c != 0 {
			return c
		}
		if c := b.birth.Compare(a.birth); c != 0 {
			return c
		}
		return cmp.Compare(a.ChildID, b.ChildID)
	})
	return out, nil
}

// waitPosition is a child-day's place on its day's waitlist.
type waitPosition struct {
	ChildID  int64     `db:"child_id"`
	Day      time.Time `db:"day"`
	Position int       `db:"position"`
}

// waitlistPositions reads the positions of the waitlisted child-days given, on their days'
// waitlists, counting pl's waitlisted outcomes as entries already written: the entries of
// waitlist_queue and those, ranked as waitlist_position ranks (tier, then time of the request,
// then child).
func (s *Store) waitlistPositions(ctx context.Context, pl *plan, children []int64, days []string) ([]waitPosition, error) {
	if len(children) == 0 {
		return nil, nil
	}
	row := make(map[cdKey]requestRow, len(pl.rows))
	for _, r := range pl.rows {
		row[cdKey{r.ChildID, r.Day.Format(time.DateOnly)}] = r
	}
	var pDay []string
	var pTier []int
	var pAt []time.Time
	var pChild []int64
	for _, o := range pl.outcomes {
		if o.Status == RequestWaitlisted {
			r := row[cdKey{o.ChildID, o.Day.Format(time.DateOnly)}]
			pDay, pTier, pAt, pChild = append(pDay, o.Day.Format(time.DateOnly)), append(pTier, r.Tier), append(pAt, r.RequestedAt), append(pChild, o.ChildID)
		}
	}
	var positions []waitPosition
	err := s.selectPrepared(ctx, &positions, `
		WITH entries AS (
			SELECT q.day, q.tier, q.requested_at, q.child_id FROM waitlist_queue q WHERE q.day = ANY($2)
			UNION ALL
			SELECT * FROM unnest($3::date[], $4::int[], $5::timestamptz[], $6::bigint[])
		), ranked AS (
			SELECT child_id, day, row_number() OVER (PARTITION BY day ORDER BY tier, requested_at, child_id) AS position FROM entries
		)
		SELECT r.child_id, r.day, r.position FROM ranked r
		JOIN unnest($1::bigint[], $2::date[]) AS f(child_id, day) ON r.child_id = f.child_id AND r.day = f.day`,
		pq.Array(children), pq.Array(days), pq.Array(pDay), pq.Array(pTier), pq.Array(pAt), pq.Array(pChild))
	return positions, err
}

// hubLabel is a hub as families see it.
type hubLabel struct {
	ID      int64
	Name    string
	Address string // street, commune
	Lat     float64
	Lon     float64
}

// allHubLabelsSQL reads every hub as families see it (see hubLabelRow).
const allHubLabelsSQL = `
	SELECT h.id, h.name, h.address || ', ' || c.name AS address, h.lat, h.lon
	FROM hub h JOIN commune c ON c.insee_code = h.commune_code`

// hubLabelsSQL reads the hubs of the IDs in the parameter ids (such as "$1") as families see
// them (see hubLabelRow).
func hubLabelsSQL(ids string) string {
	return allHubLabelsSQL + ` WHERE h.id = ANY(` + ids + `)`
}

// hubLabelRow is a row of hubLabelsSQL, null when outer-joined to nothing.
type hubLabelRow struct {
	ID      sql.NullInt64   `db:"id"`
	Name    sql.NullString  `db:"name"`
	Address sql.NullString  `db:"address"`
	Lat     sql.NullFloat64 `db:"lat"`
	Lon     sql.NullFloat64 `db:"lon"`
}

func (r hubLabelRow) label() hubLabel {
	return hubLabel{ID: r.ID.Int64, Name: r.Name.String, Address: r.Address.String, Lat: r.Lat.Float64, Lon: r.Lon.Float64}
}

// hubLabelCache keeps every hub as families see it for hubLabelTTL, so that a booking batch
// names the hubs of its answers without a round trip of its own: a hub renamed or moved shows
// its new name and address in the answers given at most that long after.
type hubLabelCache struct {
	mu     sync.Mutex
	readAt time.Time
	byID   map[int64]hubLabel
}

const hubLabelTTL = 2 * time.Second

// hubLabels returns every hub as families see it, by ID, as read at most hubLabelTTL ago. The
// map is shared: nobody may modify it.
func (s *Store) hubLabels(ctx context.Context) (map[int64]hubLabel, error) {
	c := s.labels
	c.mu.Lock()
	all, readAt := c.byID, c.readAt
	c.mu.Unlock()
	if time.Since(readAt) < hubLabelTTL {
		return all, nil
	}
	started := time.Now()
	var rows []hubLabelRow
	if err := s.selectPrepared(ctx, &rows, allHubLabelsSQL); err != nil {
		return nil, err
	}
	all = make(map[int64]hubLabel, len(rows))
	for _, r := range rows {
		all[r.ID.Int64] = r.label()
	}
	c.mu.Lock()
	if started.After(c.readAt) {
		c.byID, c.readAt = all, started
	}
	c.mu.Unlock()
	return all, nil
}

// hubInfo reads the hubs of ids, by ID.
func (s *Store) hubInfo(ctx context.Context, ids []int64) (map[int64]hubLabel, error) {
	out := map[int64]hubLabel{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []hubLabelRow
	if err := s.selectPrepared(ctx, &rows, hubLabelsSQL("$1"), pq.Array(ids)); err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.ID.Int64] = r.label()
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

// Cancellation is what a cancellation did: how many child-days it cancelled, and the days it
// left as they were because they can no longer be cancelled (see CancelBooking).
type Cancellation struct {
	Cancelled int
	Kept      []BookedDay
}

// CancelBooking cancels days of the account's children (one child-day, or every day from today
// on when day is zero), frees their seats, runs the waitlist of each freed day and e-mails the
// family. Today is the store's clock's, in p's time zone. A day that is over, or today once the
// child has a mark (present or absent), can no longer be cancelled: that day's sheet and the
// contact list the health authority relies on must keep the child. Asked for alone, such a day
// is ErrDayLocked and nothing changes; among every coming day, it is left as it was and listed
// in Kept. ErrNotFound for another household's child, or when nothing is booked.
func (s *Store) CancelBooking(ctx context.Context, p AllocationPolicy, accountID, childID int64, day time.Time) (Cancellation, error) {
	var out Cancellation
	err := s.Transact(ctx, sql.LevelReadCommitted, func(tx *Store) error {
		out = Cancellation{}
		today := p.Today(tx.now())
		type childDay struct {
			ChildID int64     `db:"child_id"`
			Day     time.Time `db:"day"`
			Name    string    `db:"first_name"`
			Email   string    `db:"email"`
		}
		var asked []childDay
		// The requests, then their seats, are locked before the marks are read: a mark being
		// recorded holds its seat (RecordMark), so it is either seen below or finds no seat.
		if err := tx.q.SelectContext(ctx, &asked, `
			SELECT br.child_id, br.day, c.first_name, a.email
			FROM booking_request br JOIN child c ON c.id = br.child_id
			JOIN household h ON h.id = c.household_id JOIN account a ON a.id = h.account_id
			WHERE h.account_id = $1 AND br.cancelled_at IS NULL
			  AND ($2 = 0 OR br.child_id = $2)
			  AND (($3::date IS NOT NULL AND br.day = $3::date) OR ($3::date IS NULL AND br.day >= $4))
			ORDER BY br.day, br.child_id
			FOR UPDATE OF br`, accountID, childID, nullDay(day), today.Format(time.DateOnly)); err != nil {
			return translate(err)
		}
		if len(asked) == 0 {
			return ErrNotFound
		}
		var ids []int64
		var ds []string
		for _, c := range asked {
			ids, ds = append(ids, c.ChildID), append(ds, c.Day.Format(time.DateOnly))
		}
		if _, err := tx.q.ExecContext(ctx, `
			SELECT 1 FROM placement x JOIN unnest($1::bigint[], $2::date[]) AS f(c, d) ON x.child_id = f.c AND x.day = f.d
			ORDER BY x.child_id, x.day FOR UPDATE OF x`, pq.Array(ids), pq.Array(ds)); err != nil {
			return translate(err)
		}
		var marked []cdKey
		var rows []struct { // days with a mark
			ChildID int64  `db:"child_id"`
			Day     string `db:"day"`
		}
		if err := tx.q.SelectContext(ctx, &rows, `
			SELECT a.child_id, a.day::text AS day FROM attendance a
			JOIN unnest($1::bigint[], $2::date[]) AS f(c, d) ON a.child_id = f.c AND a.day = f.d`, pq.Array(ids), pq.Array(ds)); err != nil {
			return translate(err)
		}
		for _, r := range rows {
			marked = append(marked, cdKey{r.ChildID, r.Day})
		}
		var cancelled []childDay
		for _, c := range asked {
			if c.Day.Before(today) || slices.Contains(marked, cdKey{c.ChildID, c.Day.Format(time.DateOnly)}) {
				out.Kept = append(out.Kept, BookedDay{ChildID: c.ChildID, ChildName: c.Name, Day: c.Day})
			} else {
				cancelled = append(cancelled, c)
			}
		}
		if !day.IsZero() && len(out.Kept) > 0 {
			return fmt.Errorf("%w: %s", ErrDayLocked, day.Format(time.DateOnly))
		}
		if len(cancelled) == 0 {
			return nil
		}
		out.Cancelled = len(cancelled)
		ids, ds = ids[:0], ds[:0]
		freed := map[string]time.Time{}
		var freedKeys []cdKey
		var lines []BookedDay
		for _, c := range cancelled {
			ids = append(ids, c.ChildID)
			ds = append(ds, c.Day.Format(time.DateOnly))
			freed[c.Day.Format(time.DateOnly)] = c.Day
			freedKeys = append(freedKeys, cdKey{c.ChildID, c.Day.Format(time.DateOnly)})
			lines = append(lines, BookedDay{ChildID: c.ChildID, ChildName: c.Name, Day: c.Day, Status: RequestCancelled})
		}
		if _, err := tx.q.ExecContext(ctx, `
			UPDATE booking_request x SET cancelled_at = $3 FROM unnest($1::bigint[], $2::date[]) AS f(c, d)
			WHERE x.child_id = f.c AND x.day = f.d`, pq.Array(ids), pq.Array(ds), tx.now()); err != nil {
			return translate(err)
		}
		if err := tx.free(ctx, freedKeys); err != nil {
			return err
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
		return tx.queueEmails(ctx, []email{bookingEmail(cancelled[0].Email, "Accueil prioritaire : annulation / cancellation", lines)})
	})
	return out, err
}

func nullDay(d time.Time) any {
	if d.IsZero() {
		return nil
	}
	return d.Format(time.DateOnly)
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
