package alloc

import (
	"fmt"
	"time"

	"github.com/accueil-prioritaire/accueil/geo"
)

// independentCheck verifies a result against its problem from first principles, sharing no code
// with the package beyond geo.DistanceKm: it re-derives every rule from the Problem's fields with
// plain loops, so that a bug in the allocator's model cannot hide itself. It returns one line per
// violation.
func independentCheck(p Problem, r Result) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }

	maxKm := p.Params.MaxDistanceKm
	if maxKm == 0 {
		maxKm = 20
	}
	type childDay struct {
		child int64
		day   Day
	}
	type slot struct {
		hub   int64
		day   Day
		level Level
	}
	hubs := map[int64]Hub{}
	for _, h := range p.Hubs {
		hubs[h.ID] = h
	}
	seats := func(hub int64, day Day, level Level) int {
		for _, hd := range hubs[hub].Days {
			if hd.Day == day {
				return hd.Seats[level]
			}
		}
		return 0
	}
	requestOf := map[childDay]Request{}
	for _, q := range p.Requests {
		for _, d := range q.Days {
			requestOf[childDay{q.ChildID, d}] = q
		}
	}
	fixedAt := map[childDay]int64{}
	for _, f := range p.Fixed {
		fixedAt[childDay{f.ChildID, f.Day}] = f.HubID
	}

	placed := map[childDay]Placement{}
	waiting := map[childDay]bool{}
	for _, pl := range r.Placements {
		k := childDay{pl.ChildID, pl.Day}
		if _, ok := requestOf[k]; !ok {
			fail("placement of child %d on %s, not requested", pl.ChildID, pl.Day)
			continue
		}
		if _, dup := placed[k]; dup {
			fail("child %d placed twice on %s", pl.ChildID, pl.Day)
		}
		placed[k] = pl
	}
	for _, w := range r.Waitlist {
		k := childDay{w.ChildID, w.Day}
		if _, ok := requestOf[k]; !ok {
			fail("waitlist entry of child %d on %s, not requested", w.ChildID, w.Day)
		}
		if _, both := placed[k]; both || waiting[k] {
			fail("child %d on %s waitlisted and placed, or waitlisted twice", w.ChildID, w.Day)
		}
		waiting[k] = true
	}
	for k := range requestOf {
		if _, ok := placed[k]; !ok && !waiting[k] {
			fail("child %d on %s neither placed nor waitlisted", k.child, k.day)
		}
	}

	// Hard constraints.
	used := map[slot]int{}
	for k, pl := range placed {
		q := requestOf[k]
		used[slot{pl.HubID, k.day, q.Level}]++
		if _, ok := hubs[pl.HubID]; !ok {
			fail("child %d on %s in unknown hub %d", k.child, k.day, pl.HubID)
			continue
		}
		if seats(pl.HubID, k.day, q.Level) <= 0 {
			fail("child %d on %s in hub %d, which does not host %s that day", k.child, k.day, pl.HubID, q.Level)
		}
		f, isFixed := fixedAt[k]
		switch {
		case isFixed && (f != pl.HubID || !pl.Fixed):
			fail("fixed placement of child %d on %s moved from hub %d to %d", k.child, k.day, f, pl.HubID)
		case !isFixed && pl.Fixed:
			fail("child %d on %s marked fixed", k.child, k.day)
		case !isFixed && geo.DistanceKm(q.Location, hubs[pl.HubID].Location) > maxKm:
			fail("child %d on %s in hub %d beyond %v km", k.child, k.day, pl.HubID, maxKm)
		}
	}
	for k := range fixedAt {
		if _, ok := placed[k]; !ok {
			fail("fixed placement of child %d on %s dropped", k.child, k.day)
		}
	}
	for s, n := range used {
		if n > seats(s.hub, s.day, s.level) {
			fail("hub %d on %s has %d children of level %s for %d seats", s.hub, s.day, n, s.level, seats(s.hub, s.day, s.level))
		}
	}

	// Sibling groups: for a household that allowed a split, each child alone; for an all-or-none
	// household, the children booked on a day and not fixed; for any other household, those of
	// them who can share a hub (maternelle and élémentaire, or collège). A group competes with its
	// best member's priority.
	type key struct {
		tier int
		at   time.Time
	}
	lower := func(a, b key) bool { // a has strictly lower priority than b
		return a.tier > b.tier || (a.tier == b.tier && a.at.After(b.at))
	}
	split, allOrNone := map[int64]bool{}, map[int64]bool{}
	for _, q := range p.Requests {
		split[q.HouseholdID], allOrNone[q.HouseholdID] = q.AllowSplit, q.AllOrNone
	}
	shareHub := func(a, b Level) bool { return (a == College) == (b == College) }
	group := func(k childDay) (members []childDay, fixedHubs []int64, best key) {
		q := requestOf[k]
		if split[q.HouseholdID] {
			return []childDay{k}, nil, key{q.Tier, q.RequestedAt}
		}
		first := true
		for other, oq := range requestOf {
			if other.day != k.day || oq.HouseholdID != q.HouseholdID {
				continue
			}
			if !allOrNone[q.HouseholdID] && !shareHub(q.Level, oq.Level) {
				continue
			}
			if h, ok := fixedAt[other]; ok {
				fixedHubs = append(fixedHubs, h)
				continue
			}
			members = append(members, other)
			if kk := (key{oq.Tier, oq.RequestedAt}); first || lower(best, kk) {
				best, first = kk, false
			}
		}
		return members, fixedHubs, best
	}

	for k := range requestOf {
		if _, ok := fixedAt[k]; ok || !allOrNone[requestOf[k].HouseholdID] {
			continue
		}
		members, fixedHubs, _ := group(k)
		pk, isPlaced := placed[k]
		for _, o := range members {
			po, oPlaced := placed[o]
			switch {
			case isPlaced && oPlaced && po.HubID != pk.HubID:
				fail("siblings %d and %d in hubs %d and %d on %s", k.child, o.child, pk.HubID, po.HubID, k.day)
			case isPlaced != oPlaced:
				fail("sibling %d placed and %d waitlisted on %s", k.child, o.child, k.day)
			}
		}
		if isPlaced && len(fixedHubs) > 0 {
			joined := false
			for _, h := range fixedHubs {
				joined = joined || h == pk.HubID
			}
			if !joined {
				fail("child %d on %s not with its fixed siblings", k.child, k.day)
			}
		}
	}

	// Priority: a waitlisted all-or-none group, or any other waitlisted child alone (with its
	// group's priority), must not fit in any hub it could use by taking only seats that are free
	// or held, without a fixed placement, by children of strictly lower priority.
	for k := range waiting {
		if _, ok := fixedAt[k]; ok {
			continue
		}
		members, fixedHubs, best := group(k)
		if !allOrNone[requestOf[k].HouseholdID] {
			members, fixedHubs = []childDay{k}, nil
		}
		for _, h := range p.Hubs {
			if len(fixedHubs) > 0 {
				allowed := false
				for _, f := range fixedHubs {
					allowed = allowed || f == h.ID
				}
				if !allowed {
					continue
				}
			}
			need := map[Level]int{}
			usable := true
			for _, o := range members {
				q := requestOf[o]
				if seats(h.ID, k.day, q.Level) <= 0 || geo.DistanceKm(q.Location, h.Location) > maxKm {
					usable = false
				}
				need[q.Level]++
			}
			if !usable {
				continue
			}
			fits := true
			for level, n := range need {
				avail := seats(h.ID, k.day, level)
				for o, pl := range placed {
					if pl.HubID != h.ID || o.day != k.day || requestOf[o].Level != level {
						continue
					}
					if _, ok := fixedAt[o]; ok {
						avail--
						continue
					}
					if _, _, theirs := group(o); !lower(theirs, best) {
						avail--
					}
				}
				fits = fits && avail >= n
			}
			if fits {
				fail("priority inversion: child %d waitlisted on %s while hub %d had room among free or lower-priority seats", k.child, k.day, h.ID)
			}
		}
	}
	return bad
}
