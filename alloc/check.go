package alloc

import (
	"fmt"
	"slices"
)

// Rule names the rule a Violation breaks.
type Rule string

// The rules Check verifies.
const (
	RuleCoverage Rule = "coverage" // a requested child-day missing or listed twice, or one never requested
	RuleHub      Rule = "hub"      // unknown hub, or the hub does not host the level that day
	RuleDistance Rule = "distance" // farther than the maximum distance
	RuleCapacity Rule = "capacity" // more children than seats in a hub, day and level
	RuleFixed    Rule = "fixed"    // a fixed placement moved, dropped, or a new one marked fixed
	RuleSiblings Rule = "siblings" // siblings split (or partly waitlisted) without the household's consent
	RulePriority Rule = "priority" // a priority inversion
)

// Violation is one broken rule in a result.
type Violation struct {
	Rule    Rule   `json:"rule"`
	ChildID int64  `json:"child_id,omitempty"`
	Day     Day    `json:"day,omitempty"`
	HubID   int64  `json:"hub_id,omitempty"`
	Detail  string `json:"detail"`
}

// Check verifies a result against its problem and returns every violation found; a result of Solve
// has none. It returns the problem's validation error when the problem is invalid.
//
// Units are those of the package documentation: a child alone, a family group, or the children of
// an all-or-none household booked that day and not fixed. An all-or-none unit must be all in one
// hub (the hub of its fixed siblings, if any) or all waitlisted. A family group may end up split
// or partly waitlisted: it is kept together where a hub can take it, which is a goal, not a rule.
//
// Priority inversion is checked per claimant: a wholly waitlisted all-or-none unit, or a
// waitlisted child of any other unit on its own. A claimant has an inversion when some hub it
// could use — open, hosting each member's level, within reach of each member, and for an
// all-or-none unit the hub of its fixed siblings if any — has, for each level, as many seats as
// it needs among the seats that are free or held by children of strictly lower priority that were
// not fixed. A unit's priority is the best (tier, request time) among its members, and every
// member, placed or waiting, has its unit's priority.
func Check(p Problem, r Result) ([]Violation, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	m := compile(&p)
	return m.check(&r), nil
}

const (
	notCovered = -2
	badHub     = -3
)

func (m *model) check(r *Result) []Violation {
	var vs []Violation
	add := func(rule Rule, child int64, day Day, hub int64, format string, args ...any) {
		vs = append(vs, Violation{Rule: rule, ChildID: child, Day: day, HubID: hub, Detail: fmt.Sprintf(format, args...)})
	}
	hubOf := make([]int32, len(m.cds))
	for i := range hubOf {
		hubOf[i] = notCovered
	}
	// Results list placements day by day: the last day's index is kept rather than hashed again.
	lastDay, lastD, lastOK := Day(""), int32(0), false
	lookup := func(child int64, day Day) int32 {
		if day != lastDay || lastDay == "" {
			lastDay = day
			lastD, lastOK = m.dayIdx[day]
		}
		ci, ok := m.childIdx[child]
		if !ok || !lastOK {
			return -1
		}
		return m.childDayOf(ci, lastD)
	}

	count := make([]int32, len(m.seats))
	for _, pl := range r.Placements {
		cd := lookup(pl.ChildID, pl.Day)
		if cd < 0 {
			add(RuleCoverage, pl.ChildID, pl.Day, pl.HubID, "placement for a day the child did not request")
			continue
		}
		if hubOf[cd] != notCovered {
			add(RuleCoverage, pl.ChildID, pl.Day, pl.HubID, "child-day listed more than once")
			continue
		}
		h, ok := m.hubIdx[pl.HubID]
		if !ok {
			hubOf[cd] = badHub
			add(RuleHub, pl.ChildID, pl.Day, pl.HubID, "unknown hub")
			continue
		}
		hubOf[cd] = h
		c := m.cds[cd]
		level := m.children[c.child].level
		switch {
		case c.fixedHub >= 0 && c.fixedHub != h:
			add(RuleFixed, pl.ChildID, pl.Day, pl.HubID, "fixed placement moved from hub %d", m.hubIDs[c.fixedHub])
		case c.fixedHub < 0 && pl.Fixed:
			add(RuleFixed, pl.ChildID, pl.Day, pl.HubID, "placement marked fixed but not fixed in the problem")
		}
		s := m.slot(c.day, h, level)
		count[s]++
		if m.seats[s] == 0 {
			add(RuleHub, pl.ChildID, pl.Day, pl.HubID, "hub does not host level %s that day", levelAt(int(level)))
		}
		if km := m.distanceKm(cd, h); c.fixedHub < 0 && km > m.params.MaxDistanceKm {
			add(RuleDistance, pl.ChildID, pl.Day, pl.HubID, "%.3f km > %v km", km, m.params.MaxDistanceKm)
		}
	}
	for _, w := range r.Waitlist {
		cd := lookup(w.ChildID, w.Day)
		switch {
		case cd < 0:
			add(RuleCoverage, w.ChildID, w.Day, 0, "waitlist entry for a day the child did not request")
		case hubOf[cd] != notCovered:
			add(RuleCoverage, w.ChildID, w.Day, 0, "child-day both placed and waitlisted, or waitlisted twice")
		case m.cds[cd].fixedHub >= 0:
			hubOf[cd] = -1
			add(RuleFixed, w.ChildID, w.Day, m.hubIDs[m.cds[cd].fixedHub], "fixed placement dropped")
		default:
			hubOf[cd] = -1
		}
	}
	for cd, h := range hubOf {
		if h == notCovered {
			c := m.cds[cd]
			add(RuleCoverage, m.children[c.child].id, m.days[c.day], 0, "requested child-day neither placed nor waitlisted")
		}
	}
	for s, n := range count {
		if n > m.seats[s] {
			d, h, l := s/numLevels/len(m.hubIDs), s/numLevels%len(m.hubIDs), s%numLevels
			add(RuleCapacity, 0, m.days[d], m.hubIDs[h], "%d children for %d seats of level %s", n, m.seats[s], levelAt(l))
		}
	}

	notLower := m.heldKeys(hubOf)
	for d, us := range m.units {
		day := m.days[d]
		for ui := range us {
			u := &us[ui]
			first := m.children[m.cds[u.members[0]].child].id
			if u.strict {
				var hubs []int32
				waiting := 0
				for _, cd := range u.members {
					switch h := hubOf[cd]; {
					case h == -1:
						waiting++
					case h >= 0 && !slices.Contains(hubs, h):
						hubs = append(hubs, h)
					}
				}
				switch {
				case len(hubs) > 1:
					add(RuleSiblings, first, day, m.hubIDs[hubs[0]], "siblings of an all-or-none household placed in %d hubs", len(hubs))
				case len(hubs) == 1 && u.allowed != nil && !slices.Contains(u.allowed, hubs[0]):
					add(RuleSiblings, first, day, m.hubIDs[hubs[0]], "child of an all-or-none household not placed with its fixed siblings")
				case len(hubs) == 1 && waiting > 0:
					add(RuleSiblings, first, day, m.hubIDs[hubs[0]], "siblings of an all-or-none household partly placed, partly waitlisted")
				}
			}
			for _, c := range m.claimants(u, hubOf) {
				if h := m.invertedHub(int32(d), &c, notLower); h >= 0 {
					child := m.children[m.cds[c.members[0]].child].id
					add(RulePriority, child, day, m.hubIDs[h],
						"waitlisted while hub %d has room among seats that are free or held by lower-priority children", m.hubIDs[h])
				}
			}
		}
	}
	return vs
}

// invertedHub returns a hub the waitlisted unit u could have taken on day d by displacing only
// children of strictly lower priority that were not fixed, or -1.
func (m *model) invertedHub(d int32, u *unit, notLower func(s int, k priorityKey) int32) int32 {
	req := &m.reqs[m.cds[u.members[0]].req]
next:
	for _, c := range req.cands {
		h := c.hub
		if u.allowed != nil && !slices.Contains(u.allowed, h) {
			continue
		}
		for _, cd := range u.members {
			l := m.children[m.cds[cd].child].level
			if m.seats[m.slot(d, h, l)] == 0 || m.distM(cd, h) < 0 {
				continue next
			}
		}
		for l, need := range u.need {
			if need == 0 {
				continue
			}
			s := m.slot(d, h, int8(l))
			if m.seats[s]-m.fixedN[s]-notLower(s, u.key) < need {
				continue next
			}
		}
		return h
	}
	return -1
}
