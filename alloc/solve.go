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

	m.improve(best)
	r := m.result(best)
	figures, err := m.distanceFigures(ctx, best)
	if err != nil {
		return Result{}, err
	}
	violations := m.check(&r)
	m.report(&r, figures, violations)
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

// result turns a pass's hubs into placements and a ranked, explained waitlist.
func (m *model) result(hubOf []int32) Result {
	r := Result{Format: ResultFormat, Placements: []Placement{}, Waitlist: []WaitlistEntry{}}
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
	type messages struct{ fr, en string }
	texts := map[Reason]messages{} // one copy of each text, however long the waitlist
	for d, us := range m.units {
		rank := 0
		for ui := range us {
			u := &us[ui]
			if hubOf[u.members[0]] >= 0 {
				continue
			}
			rank++
			members := slices.Clone(u.members)
			slices.SortFunc(members, func(a, b int32) int {
				return cmp.Compare(m.children[m.cds[a].child].id, m.children[m.cds[b].child].id)
			})
			for _, cd := range members {
				reason := m.reason(int32(d), u, cd)
				text, ok := texts[reason]
				if !ok {
					text.fr, text.en = reason.Messages(m.params.MaxDistanceKm)
					texts[reason] = text
				}
				r.Waitlist = append(r.Waitlist, WaitlistEntry{
					ChildID: m.children[m.cds[cd].child].id, Day: m.days[d], Rank: rank,
					Reason: reason, MessageFR: text.fr, MessageEN: text.en,
				})
			}
		}
	}
	return r
}

// reason explains why the unit u, to which child-day cd belongs, got no seat on day d. It looks at
// the problem only (seats, fixed placements, distances), so the explanation holds whatever the
// algorithm did.
func (m *model) reason(d int32, u *unit, cd int32) Reason {
	req := &m.reqs[m.cds[cd].req]
	hosts := func(h int32, l int8) bool { return m.seats[m.slot(d, h, l)] > 0 }
	var own []int32
	for _, c := range req.cands {
		if hosts(c.hub, req.level) {
			own = append(own, c.hub)
		}
	}
	if len(own) == 0 {
		return ReasonNoHubInReach
	}
	// Hubs within reach of every member that host all their levels that day.
	common := own
	if u.allowed != nil {
		common = slices.DeleteFunc(slices.Clone(common), func(h int32) bool { return !slices.Contains(u.allowed, h) })
	}
	for _, other := range u.members {
		if other == cd {
			continue
		}
		oreq := &m.reqs[m.cds[other].req]
		common = slices.DeleteFunc(slices.Clone(common), func(h int32) bool {
			return !hosts(h, oreq.level) || m.distM(other, h) < 0
		})
	}
	if len(common) == 0 {
		if u.allowed != nil {
			return ReasonSiblingHubFull
		}
		return ReasonNoCommonHub
	}
	// Could the unit have fitted in some common hub, had the run started with it? Only seats
	// taken by fixed placements, or by children of higher or equal priority, kept it out.
	roomy, free := false, false
	for _, h := range common {
		big, open := true, true
		for l, need := range u.need {
			s := m.slot(d, h, int8(l))
			big = big && m.seats[s] >= need
			open = open && m.seats[s]-m.fixedN[s] >= need
		}
		roomy, free = roomy || big, free || open
	}
	switch {
	case u.allowed != nil:
		return ReasonSiblingHubFull
	case len(u.members) > 1 && (!roomy || free):
		return ReasonNoRoomForSiblings
	case !free:
		return ReasonHubsFull
	}
	return ReasonHigherPriority
}

func roundMetre(km float64) float64 { return math.Round(km*1000) / 1000 }

// errInternal reports a broken invariant of the allocator itself.
func errInternal(format string, args ...any) error {
	return fmt.Errorf("alloc: internal error: "+format, args...)
}
