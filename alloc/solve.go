package alloc

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// Solve places the requested child-days in hubs. It returns the *FieldError values of Validate
// when the problem is invalid, and ctx.Err() when ctx ends first. The same problem (whatever the
// order of its lists) and seed always give the same result, apart from Report.DurationMS.
//
// The rules, strongest first: hard constraints (seats per hub, day and level; the hub hosts the
// level that day; distance at most MaxDistanceKm; fixed placements kept; siblings of a household
// that did not allow a split in one hub, or all waitlisted); then no priority inversion (see
// Check); then fewest children with more than one hub in the week; then least total distance.
func Solve(ctx context.Context, p Problem) (Result, error) {
	start := time.Now()
	if err := p.Validate(); err != nil {
		return Result{}, err
	}
	m := compile(&p)

	// Each pass gives every child a usual hub and charges HubChangeKm for any other hub, which
	// pulls children towards one hub all week. The first pass takes usual hubs from a placement of
	// whole weeks (weeklyHomes), later ones from where the previous pass put children. Every pass
	// obeys the hard and priority rules by construction; the best one is kept.
	homes, err := m.weeklyHomes(ctx)
	if err != nil {
		return Result{}, err
	}
	var best []int32
	var bestScore score
	passes := 0
	for passes < m.params.Passes {
		hubOf, err := m.placeAll(ctx, homes, m.penalty)
		if err != nil {
			return Result{}, err
		}
		passes++
		m.consolidate(hubOf)
		if s := m.score(hubOf); best == nil || s.better(bestScore) {
			best, bestScore = hubOf, s
		}
		next := m.homes(hubOf)
		if slices.Equal(next, homes) {
			break
		}
		homes = next
	}

	// The figures' pass without usual hubs needs only the problem: it runs beside the serial
	// phases below, once the passes' networks are garbage.
	perDay := m.startPerDayPass(ctx)
	if m.polishes() {
		priced, err := m.pricedPass(ctx, best)
		if err != nil {
			return Result{}, err
		}
		if m.placesMore(priced, best) {
			best = priced
		}
	}
	m.improve(best)
	m.relocate(best)
	m.improve(best) // on what relocate made movable: children with one hub again
	m.polish(best)
	// The bounds' networks are the report's heaviest part and need only the placement: they run
	// beside the result, its check and the family figures.
	var figures distanceFigures
	figuresDone := make(chan error, 1)
	go func() {
		var err error
		figures, err = m.distanceFigures(ctx, best, perDay)
		figuresDone <- err
	}()
	r := m.result(best)
	// The check reads only the result's lists, the report writes only r.Report: the check runs
	// beside the report, and its count goes in last.
	var violations []Violation
	checked := make(chan struct{})
	go func() {
		defer close(checked)
		violations = m.check(&r)
	}()
	m.familyReport(&r.Report, best)
	err = <-figuresDone
	if err == nil {
		m.report(&r, figures)
	}
	<-checked
	if err != nil {
		return Result{}, err
	}
	countViolations(&r.Report, violations)
	r.Report.Passes = passes
	r.Report.DurationMS = float64(time.Since(start).Microseconds()) / 1000
	return r, nil
}

// score ranks passes: more child-days placed in tier 1, then tier 2…, then fewer children with more
// than one hub, then less distance.
type score struct {
	placedByTier []int // indexed by tier
	multiHub     int
	distM        int64
}

func (m *model) score(hubOf []int32) score {
	var s score
	for cd, h := range hubOf {
		if h < 0 {
			continue
		}
		t := m.reqs[m.cds[cd].req].key.tier
		for len(s.placedByTier) <= t {
			s.placedByTier = append(s.placedByTier, 0)
		}
		s.placedByTier[t]++
		if m.cds[cd].fixedHub < 0 {
			s.distM += int64(m.distM(int32(cd), h))
		}
	}
	s.multiHub = m.multiHub(hubOf)
	return s
}

func (s score) better(o score) bool {
	if c := slices.Compare(s.placedByTier, o.placedByTier); c != 0 {
		return c > 0
	}
	if s.multiHub != o.multiHub {
		return s.multiHub < o.multiHub
	}
	return s.distM < o.distM
}

// multiHub counts children placed in more than one hub.
func (m *model) multiHub(hubOf []int32) int {
	n := 0
	for _, c := range m.children {
		first := int32(-1)
		for _, cd := range c.cds {
			if h := hubOf[cd]; h >= 0 {
				if first >= 0 && h != first {
					n++
					break
				}
				first = h
			}
		}
	}
	return n
}

// placedCount counts the child-days hubOf places.
func placedCount(hubOf []int32) int {
	n := 0
	for _, h := range hubOf {
		if h >= 0 {
			n++
		}
	}
	return n
}

// result turns a pass's hubs into placements and a ranked, explained waitlist.
func (m *model) result(hubOf []int32) Result {
	placed := placedCount(hubOf)
	r := Result{Format: ResultFormat, Placements: make([]Placement, 0, placed), Waitlist: make([]WaitlistEntry, 0, len(hubOf)-placed)}
	for i, cd := range m.cds {
		h := hubOf[i]
		if h < 0 {
			continue
		}
		r.Placements = append(r.Placements, Placement{
			ChildID:    m.children[cd.child].id,
			Day:        m.days[cd.day],
			HubID:      m.hubIDs[h],
			DistanceKm: roundMetre(m.distanceKm(int32(i), h)),
			Fixed:      cd.fixedHub >= 0,
		})
	}
	slices.SortFunc(r.Placements, func(a, b Placement) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.HubID, b.HubID), cmp.Compare(a.ChildID, b.ChildID))
	})
	type textKey struct {
		reason Reason
		hub    int32
	}
	type messages struct{ fr, en string }
	texts := map[textKey]messages{} // one copy of each text, however long the waitlist
	used := m.seatsUsed(hubOf)
	notLower := m.heldKeys(hubOf)
	for d, us := range m.units {
		rank := 0
		for ui := range us {
			u := &us[ui]
			if !slices.ContainsFunc(u.members, func(cd int32) bool { return hubOf[cd] < 0 }) {
				continue
			}
			rank++
			members := slices.Clone(u.members)
			slices.SortFunc(members, func(a, b int32) int {
				return cmp.Compare(m.children[m.cds[a].child].id, m.children[m.cds[b].child].id)
			})
			for _, cd := range members {
				if hubOf[cd] >= 0 {
					continue
				}
				reason, hub := m.reason(int32(d), u, cd, used, notLower)
				k := textKey{reason, hub}
				text, ok := texts[k]
				if !ok {
					name := ""
					if hub >= 0 {
						name = m.hubName(hub)
					}
					text.fr, text.en = reason.Explain(m.params.MaxDistanceKm, name)
					texts[k] = text
				}
				e := WaitlistEntry{
					ChildID: m.children[m.cds[cd].child].id, Day: m.days[d], Rank: rank,
					Reason: reason, MessageFR: text.fr, MessageEN: text.en,
				}
				if hub >= 0 {
					e.NearestFullHubID = m.hubIDs[hub]
				}
				r.Waitlist = append(r.Waitlist, e)
			}
		}
	}
	return r
}

// reason explains why child-day cd, a member of unit u, waits on day d in the final placement
// (used: children per slot; notLower: see heldKeys), and names the nearest full hub when the
// reason is that hubs are full (else -1).
//
// A child who is not of an all-or-none household waits only when every hub in its reach that
// hosts its level that day is full (see the package documentation), so the nearest of them is
// full. A child of an all-or-none household who could have had a seat on its own waits because
// of the family's choice.
func (m *model) reason(d int32, u *unit, cd int32, used []int32, notLower func(int, priorityKey) int32) (Reason, int32) {
	req := &m.reqs[m.cds[cd].req]
	var own []int32
	beforeRun := true // every hub in reach was full of fixed placements before the run
	for _, c := range req.cands {
		if s := m.slot(d, c.hub, req.level); m.seats[s] > 0 {
			own = append(own, c.hub)
			beforeRun = beforeRun && m.seats[s] <= m.fixedN[s]
		}
	}
	if len(own) == 0 {
		return ReasonNoHubInReach, -1
	}
	if u.strict {
		for _, h := range own {
			if s := m.slot(d, h, req.level); m.seats[s]-m.fixedN[s]-notLower(s, u.key) >= 1 {
				return ReasonKeptWithSiblings, -1
			}
		}
	}
	full := m.nearestFull(cd, used)
	if beforeRun {
		return ReasonHubsFull, full
	}
	return ReasonHigherPriority, full
}

// hubName is the hub's name, or "" when the problem gave none (the messages then name no hub;
// NearestFullHubID still gives it, for the caller to name).
func (m *model) hubName(h int32) string { return m.hubNames[h] }

func roundMetre(km float64) float64 { return math.Round(km*1000) / 1000 }

// errInternal reports a broken invariant of the allocator itself.
func errInternal(format string, args ...any) error {
	return fmt.Errorf("alloc: internal error: "+format, args...)
}
