package alloc

import (
	"cmp"
	"math"
	"slices"
)

// familyClass says which levels can share a hub: maternelle and élémentaire (a groupe scolaire
// hosts both) form class 0, collège class 1. Brothers and sisters of one class form a family group.
func familyClass(level int8) int {
	if level == int8(College.index()) {
		return 1
	}
	return 0
}

// buildUnits groups each day's open child-days into units (dayUnits) and sorts them in priority
// order.
func (m *model) buildUnits() {
	m.units = make([][]unit, len(m.days))
	m.byHousehold = make([][]int32, len(m.households))
	for ci, c := range m.children {
		m.byHousehold[c.household] = append(m.byHousehold[c.household], int32(ci))
	}
	// Days are independent; the order is total, so it does not depend on the scheduling.
	_ = forEach(len(m.days), func(d int) error {
		us := m.dayUnits(int32(d))
		slices.SortFunc(us, func(a, b unit) int {
			switch {
			case a.key.before(b.key):
				return -1
			case b.key.before(a.key):
				return 1
			}
			return cmp.Or(cmp.Compare(a.draw, b.draw), cmp.Compare(a.firstID, b.firstID))
		})
		m.units[d] = us
		return nil
	})
}

// dayUnits is the one place where a day's child-days (those not fixed) become units; the placement,
// Check, the report and the lower bound all read them from m.units. For each household booked on
// day d:
//
//   - a household that allowed a split: each child is a unit alone;
//   - an all-or-none household: one strict unit of all its children, restricted to the hubs of
//     its fixed children that day if any (all in one hub, or all waitlisted);
//   - any other household: one family group per class (maternelle and élémentaire together, the
//     collégiens together), restricted at first to the hubs of the class's fixed children that day
//     if any. A group of one child without fixed siblings is a child alone.
//
// The order is by household then class, which buildUnits' sort makes irrelevant.
func (m *model) dayUnits(d int32) []unit {
	seed := m.params.Seed
	us := make([]unit, 0, len(m.cds)/max(1, len(m.days))) // about a day's child-days
	var open [2][]int32
	var fixedHubs [2][]int32
	for hh, kids := range m.byHousehold {
		for c := range open {
			open[c], fixedHubs[c] = open[c][:0], fixedHubs[c][:0]
		}
		for _, ci := range kids {
			cd := m.childDayOf(ci, d)
			if cd < 0 {
				continue
			}
			c := familyClass(m.children[ci].level)
			if h := m.cds[cd].fixedHub; h >= 0 {
				fixedHubs[c] = append(fixedHubs[c], h)
			} else {
				open[c] = append(open[c], cd)
			}
		}
		household := m.households[hh]
		switch {
		case household.allowSplit:
			for _, cds := range open {
				for _, cd := range cds {
					us = append(us, m.newUnit([]int32{cd}, nil, draw(seed, 1, m.children[m.cds[cd].child].id)))
				}
			}
		case household.allOrNone:
			members := slices.Concat(open[0], open[1])
			if len(members) == 0 {
				continue
			}
			u := m.newUnit(members, hubSet(slices.Concat(fixedHubs[0], fixedHubs[1])), draw(seed, 2, household.id))
			u.strict = true
			us = append(us, u)
		default:
			for c, cds := range open {
				switch {
				case len(cds) == 0:
				case len(cds) == 1 && len(fixedHubs[c]) == 0:
					us = append(us, m.newUnit([]int32{cds[0]}, nil, draw(seed, 1, m.children[m.cds[cds[0]].child].id)))
				default:
					us = append(us, m.newUnit(slices.Clone(cds), hubSet(fixedHubs[c]), draw(seed, 2, household.id)))
				}
			}
		}
	}
	return us
}

// hubSet returns the distinct hubs, sorted, or nil when there are none.
func hubSet(hubs []int32) []int32 {
	if len(hubs) == 0 {
		return nil
	}
	s := slices.Clone(hubs)
	slices.Sort(s)
	return slices.Compact(s)
}

// together reports whether the unit is first offered seats as a whole, in one hub.
func (u *unit) together() bool { return len(u.members) > 1 || u.allowed != nil }

// claimants lists what, of unit u waiting (wholly or partly) on a day, competes for seats in the
// no-inversion rule: the whole unit when it is strict and wholly waitlisted; otherwise each
// waitlisted member alone, with the unit's priority. hubOf gives each child-day's hub or -1.
func (m *model) claimants(u *unit, hubOf []int32) []unit {
	if u.strict {
		if slices.ContainsFunc(u.members, func(cd int32) bool { return hubOf[cd] >= 0 }) {
			return nil
		}
		return []unit{*u}
	}
	var out []unit
	for _, cd := range u.members {
		if hubOf[cd] < 0 {
			out = append(out, m.aloneIn(u, cd))
		}
	}
	return out
}

// aloneIn is member cd of unit u as a unit alone, keeping u's priority and draw.
func (m *model) aloneIn(u *unit, cd int32) unit {
	a := unit{members: []int32{cd}, key: u.key, draw: u.draw, firstID: m.children[m.cds[cd].child].id}
	a.need[m.children[m.cds[cd].child].level] = 1
	return a
}

// heldKeys returns, for a placement hubOf, a function counting the non-fixed children in slot s
// whose unit does not come strictly after priority k: the seats a unit of priority k may not
// claim. Each child-day counts with its unit's priority.
func (m *model) heldKeys(hubOf []int32) func(s int, k priorityKey) int32 {
	keyOf := make([]priorityKey, len(m.cds))
	for _, us := range m.units {
		for _, u := range us {
			for _, cd := range u.members {
				keyOf[cd] = u.key
			}
		}
	}
	held := map[int][]priorityKey{}
	for cd, h := range hubOf {
		if h >= 0 && m.cds[cd].fixedHub < 0 {
			c := m.cds[cd]
			s := m.slot(c.day, h, m.children[c.child].level)
			held[s] = append(held[s], keyOf[cd])
		}
	}
	for _, ks := range held {
		slices.SortFunc(ks, func(a, b priorityKey) int {
			switch {
			case a.before(b):
				return -1
			case b.before(a):
				return 1
			}
			return 0
		})
	}
	return func(s int, k priorityKey) int32 {
		ks := held[s]
		i, _ := slices.BinarySearchFunc(ks, k, func(e, k priorityKey) int {
			if k.before(e) {
				return 1
			}
			return -1
		})
		return int32(i)
	}
}

// seatsUsed counts the children in each slot of placement hubOf.
func (m *model) seatsUsed(hubOf []int32) []int32 {
	used := make([]int32, len(m.seats))
	for cd, h := range hubOf {
		if h >= 0 {
			c := m.cds[cd]
			used[m.slot(c.day, h, m.children[c.child].level)]++
		}
	}
	return used
}

// freeSeatInReach reports whether some hub in reach of child-day cd, hosting its level that day,
// still has a free seat in placement used.
func (m *model) freeSeatInReach(cd int32, used []int32) bool {
	c := m.cds[cd]
	level := m.children[c.child].level
	for _, k := range m.reqs[c.req].cands {
		if s := m.slot(c.day, k.hub, level); used[s] < m.seats[s] {
			return true
		}
	}
	return false
}

// maxPlaceable returns the most child-days any placement obeying the rules could place: the fixed
// ones plus, for each day and level, a maximum matching of the other child-days to the seats left
// by fixed placements. Children of households that allowed a split and of family groups may be
// placed each on their own, so for them the figure is exact; an all-or-none unit is relaxed to
// "each member in a hub that could host the whole unit", so with such households it is an upper
// bound. The matching starts from placement hubOf, which is one, and only its waiting child-days
// look for augmenting paths.
func (m *model) maxPlaceable(hubOf []int32) int {
	type member struct {
		cands []cand
		hub   int32
	}
	members := make([][numLevels][]member, len(m.days))
	total := 0
	for _, cd := range m.cds {
		if cd.fixedHub >= 0 {
			total++
		}
	}
	for d, us := range m.units {
		for ui := range us {
			u := &us[ui]
			var common []int32
			if u.strict {
				common = m.commonHubs(int32(d), u)
			}
			for _, cd := range u.members {
				cands := m.reqs[m.cds[cd].req].cands
				if u.strict {
					cands = slices.DeleteFunc(slices.Clone(cands), func(c cand) bool {
						_, found := slices.BinarySearch(common, c.hub)
						return !found
					})
				}
				l := m.children[m.cds[cd].child].level
				members[d][l] = append(members[d][l], member{cands, hubOf[cd]})
			}
		}
	}
	placed := make([]int, len(m.days)*numLevels)
	_ = forEach(len(placed), func(i int) error {
		d, l := i/numLevels, i%numLevels
		if len(members[d][l]) == 0 {
			return nil
		}
		mt := newMatching(m.seatsLeft(int32(d), int8(l)))
		var waiting []int32
		for _, mb := range members[d][l] {
			h := mb.hub
			if h >= 0 && (mt.free[h] <= 0 || !slices.ContainsFunc(mb.cands, func(c cand) bool { return c.hub == h })) {
				h = -1 // not a valid start: look for a seat like a waiting child-day
			}
			if k := mt.addKid(mb.cands, h); h >= 0 {
				placed[i]++
			} else {
				waiting = append(waiting, k)
			}
		}
		for _, k := range waiting {
			if mt.augment(k) {
				placed[i]++
			}
		}
		return nil
	})
	for _, p := range placed {
		total += p
	}
	return total
}

// nearestFull returns the nearest hub in reach of child-day cd that hosts its level that day and
// has no free seat in placement used, or -1.
func (m *model) nearestFull(cd int32, used []int32) int32 {
	c := m.cds[cd]
	level := m.children[c.child].level
	for _, k := range m.reqs[c.req].cands {
		if s := m.slot(c.day, k.hub, level); m.seats[s] > 0 && used[s] >= m.seats[s] {
			return k.hub
		}
	}
	return -1
}

// familyReport fills the report's figures on placing as many as the rules allow.
func (m *model) familyReport(rep *Report, hubOf []int32) {
	rep.ChildDaysPlaceableMax = m.maxPlaceable(hubOf)
	if rep.ChildDaysPlaceableMax > 0 {
		// The report's ChildDaysPlaced may not be counted yet.
		rep.PlacedOfMaxPercent = math.Round(float64(placedCount(hubOf))/float64(rep.ChildDaysPlaceableMax)*1e6) / 1e4
	}
	used := m.seatsUsed(hubOf)
	for cd, h := range hubOf {
		if h >= 0 || !m.freeSeatInReach(int32(cd), used) {
			continue
		}
		rep.WaitingWithFreeSeat++
		if m.households[m.children[m.cds[cd].child].household].allOrNone {
			rep.WaitingWithFreeSeatAllOrNone++
		}
	}
}
