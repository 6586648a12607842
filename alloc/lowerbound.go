package alloc

import (
	"cmp"
	"context"
	"slices"
)

// boundGrouping says which brothers and sisters lowerBound keeps in hubs that could host them all.
type boundGrouping int8

const (
	byRules      boundGrouping = iota // all-or-none units
	ownReach                          // none
	keptTogether                      // all-or-none units and the family groups placed whole
)

// lowerBound returns, in metres, a lower bound on the total distance of any valid placement of the
// same non-fixed child-days as hubOf. It drops the same-hub rule, takes the children of family
// groups one by one (the rules let them be apart), and relaxes "all-or-none siblings in one hub"
// to "each sibling in a hub that could host them all" (open that day, hosting every sibling's
// level, within reach of every sibling, and the hub of their fixed siblings if any). What remains
// is, for each day and level, a minimum-cost assignment of those child-days to the seats left by
// fixed placements, solved exactly. Every valid placement is feasible for the relaxation, so none
// can be shorter. Costs are whole metres rounded down, so the bound also holds against exact
// distances.
//
// It returns the bound of each day. When out.prices is not nil (one per slot), it also receives the
// seat prices of the relaxation's optimal dual (see seatPrices), a starting point for
// siblingBound; when out.at is not nil (one per child-day), the hub each child-day takes in the
// relaxation's optimum. Days with out.skip[d] set are left out: their bound reads 0 and nothing
// of theirs is written.
//
// The grouping says which siblings are relaxed so: byRules (above), ownReach (nobody kept
// together: each child-day may take any hub within its own reach, so the value is the exact least
// distance without the siblings rule, up to the metre rounding), or keptTogether (the family
// groups hubOf placed whole in one hub too, as siblingBound keeps them, whose relaxation it is).
func (m *model) lowerBound(ctx context.Context, hubOf []int32, grouping boundGrouping, out boundOut) ([]int64, error) {
	// A member takes its own candidates, or when kept with its siblings only those among the
	// hubs common to them. Those are filtered when its network is built, so that only the
	// networks being solved hold the filtered lists, not the whole week's.
	type member struct {
		cd     int32
		kept   bool
		common []int32 // shared by the unit's members
	}
	byDayLevel := make([][numLevels][]member, len(m.days))
	// Days are independent, and each fills only its own lists.
	_ = forEach(len(m.days), func(d int) error {
		if out.skip != nil && out.skip[d] {
			return nil
		}
		us := m.units[d]
		for ui := range us {
			u := &us[ui]
			if grouping == ownReach || (!u.strict && !(grouping == keptTogether && m.keptTogether(u, hubOf))) {
				// Only all-or-none units must share a hub; other children may be placed apart.
				for _, cd := range u.members {
					if hubOf[cd] >= 0 {
						l := m.children[m.cds[cd].child].level
						byDayLevel[d][l] = append(byDayLevel[d][l], member{cd: cd})
					}
				}
				continue
			}
			if hubOf[u.members[0]] < 0 {
				continue
			}
			together := *u
			if !u.strict {
				together.allowed = nil // as in dayAssignment
			}
			common := m.commonHubs(int32(d), &together)
			for _, cd := range u.members {
				l := m.children[m.cds[cd].child].level
				byDayLevel[d][l] = append(byDayLevel[d][l], member{cd, true, common})
			}
		}
		return nil
	})
	// The day-level networks are independent; each sums its own cost. The largest go first, so
	// that the last one to end is short.
	costs := make([]int64, len(m.days)*numLevels)
	size := func(i int) int { return len(byDayLevel[i/numLevels][i%numLevels]) }
	order := make([]int, len(costs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(size(b), size(a)) })
	err := forEach(len(order), func(j int) error {
		i := order[j]
		d, l := i/numLevels, i%numLevels
		members := byDayLevel[d][l]
		if len(members) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		n := newNetwork(m.seatsLeft(int32(d), int8(l)), 0)
		n.reserve(len(members))
		var arena []cand
		for _, mb := range members {
			cands := m.reqs[m.cds[mb.cd].req].cands
			if mb.kept {
				cands = appendAmong(&arena, cands, mb.common)
			}
			if !n.insert(n.addKid(cands, -1)) {
				return errInternal("placed child-day %d does not fit the lower-bound network", mb.cd)
			}
		}
		costs[i] = n.totalCost()
		if out.prices != nil {
			for h, p := range n.seatPrices() {
				out.prices[m.slot(int32(d), int32(h), int8(l))] = p
			}
		}
		if out.potPrices != nil {
			for h, p := range n.potentialPrices() {
				out.potPrices[m.slot(int32(d), int32(h), int8(l))] = p
			}
		}
		if out.at != nil {
			for k, mb := range members { // kids are numbered in the order they were added
				out.at[mb.cd] = n.kids[k].hub
			}
		}
		return nil
	})
	perDay := make([]int64, len(m.days))
	for i, c := range costs {
		perDay[i/numLevels] += c
	}
	return perDay, err
}

// keptBound returns lowerBound's keptTogether bound of each day, with its seat prices in prices and
// potPrices (out.prices and out.potPrices; potPrices may be nil). prices, potPrices, at and relaxed
// hold lowerBound's byRules relaxation of the same placement hubOf (out.prices, out.potPrices,
// out.at and its bound). keptTogether only takes arcs away from that relaxation: the members of the
// family groups hubOf placed whole lose the hubs outside their group's common hubs. On a day where
// the byRules optimum already puts every such member in one of those hubs, that optimum is feasible
// for keptTogether, so it is its optimum too, with the same value: the day is not solved again,
// and its seat prices are the byRules network's (siblingBound and weekBound accept any prices ≥ 0
// as a start). On the generated académie and national weeks that is every day: the kept-together
// networks are not solved at all (on the national week they took 2.8 s of processor).
func (m *model) keptBound(ctx context.Context, hubOf []int32, prices, potPrices []float64, at []int32, relaxed []int64) ([]int64, error) {
	same := make([]bool, len(m.days))
	err := forEach(len(m.days), func(d int) error {
		same[d] = m.keptWithinCommon(d, hubOf, at)
		return ctx.Err()
	})
	if err != nil {
		return nil, err
	}
	kept, err := m.lowerBound(ctx, hubOf, keptTogether, boundOut{prices: prices, potPrices: potPrices, skip: same})
	if err != nil {
		return nil, err
	}
	for d := range m.days {
		if same[d] {
			kept[d] = relaxed[d]
		}
	}
	return kept, nil
}

// keptWithinCommon reports whether at (a hub per child-day, lowerBound's out.at) puts every member
// of each family group of day d that hubOf placed whole, other than all-or-none units, in one of the
// hubs that could host the whole group (commonHubs, as lowerBound's keptTogether takes them).
func (m *model) keptWithinCommon(d int, hubOf, at []int32) bool {
	for ui := range m.units[d] {
		u := &m.units[d][ui]
		if u.strict || !m.keptTogether(u, hubOf) {
			continue // all-or-none units are restricted in byRules already
		}
		together := *u
		together.allowed = nil // as in lowerBound
		common := m.commonHubs(int32(d), &together)
		for _, cd := range u.members {
			if _, found := slices.BinarySearch(common, at[cd]); !found {
				return false
			}
		}
	}
	return true
}

// boundOut says what lowerBound gives beside its bound, and which days it leaves out.
type boundOut struct {
	prices    []float64 // per slot, or nil: seatPrices
	potPrices []float64 // per slot, or nil: potentialPrices
	at        []int32   // per child-day, or nil
	skip      []bool    // per day, or nil
}

// commonHubs lists, by hub index, the hubs that could host all of unit u on day d: open that day
// for every member's level, within reach of every member, and among u.allowed when set.
func (m *model) commonHubs(d int32, u *unit) []int32 {
	// A merge of the members' candidate lists by hub, which come out by hub as well.
	var hubs []int32
	var cursorBuf [8]int
	cursor := cursorBuf[:0]
	for range u.members {
		cursor = append(cursor, 0)
	}
next:
	for _, c := range m.reqs[m.cds[u.members[0]].req].byHub {
		if u.allowed != nil && !slices.Contains(u.allowed, c.hub) {
			continue
		}
		for i, cd := range u.members {
			if m.seats[m.slot(d, c.hub, m.children[m.cds[cd].child].level)] == 0 {
				continue next
			}
			if i == 0 {
				continue
			}
			byHub := m.reqs[m.cds[cd].req].byHub
			j := cursor[i]
			for j < len(byHub) && byHub[j].hub < c.hub {
				j++
			}
			cursor[i] = j
			if j == len(byHub) || byHub[j].hub != c.hub {
				continue next
			}
		}
		hubs = append(hubs, c.hub)
	}
	return hubs
}

// appendAmong appends to the arena the candidates whose hub is among hubs (sorted), in their
// order, and returns them. The arena grows by new chunks, never by copying, so that the lists it
// returned stay where they are.
func appendAmong(arena *[]cand, cands []cand, hubs []int32) []cand {
	if cap(*arena)-len(*arena) < len(hubs) {
		*arena = make([]cand, 0, max(1<<14, len(hubs)))
	}
	a := *arena
	from := len(a)
	for _, c := range cands {
		if _, found := slices.BinarySearch(hubs, c.hub); found {
			a = append(a, c)
		}
	}
	*arena = a
	return a[from:len(a):len(a)]
}
