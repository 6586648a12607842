package store

import (
	"cmp"
	"context"
	"database/sql"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/lib/pq"
)

// A booking's answers as the family sees them: computed from the plan before anything is
// written (seats, hubs named, waitlist positions), so that the booking batch writes last.

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
