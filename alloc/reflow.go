package alloc

import (
	"cmp"
	"slices"
)

// reflow lowers the weekly objective of a finished pass day by day, with the children's usual hubs
// (the hub of most of their placed days) as they are. Each day, the children alone who may leave
// their hub (improver.mayLeave) are assigned again, at least cost, by the same minimum-cost flow as
// the placement (a kid's cost is its distance plus HubChangeKm away from its usual hub); then, when
// moveGroups, each family group kept together (or all-or-none unit) that may leave its hub tries,
// like the placement's groups, the hubs it could use, with the seats freed by moving children
// alone along shortest augmenting paths (chains of moves through full hubs), and moves when that
// costs less than where it is. The seats a moved group leaves stay empty until the next reflow.
//
// Why the rules hold: the same child-days stay placed (the current placement is a feasible flow,
// so the flow places every kid); levels, days, reach and seats are the network's; siblings kept
// together move together; children who may not leave their hub are not in the network and hold
// their seats, and every child of a slot some waitlisted unit could claim who is in the network is
// of lower priority than every such unit, so no claimant's count of seats free or held by lower
// children rises. The objective never rises: with usual hubs fixed, the day's cost is at least the
// objective and equal to it at the start, and each step lowers or keeps the day's cost.
func (m *model) reflow(hubOf []int32, moveGroups bool) {
	im := m.newImprover(hubOf)
	homes := make([]int32, len(m.children))
	for d := range m.units {
		m.dayHomes(int32(d), hubOf, homes)
		m.reflowDay(int32(d), hubOf, im, homes, moveGroups)
	}
}

// dayHomes sets, for each child booked on day d, the hub that spares it HubChangeKm on day d
// given its hubs on its other days: the hub of most of those days (its present hub when that is
// one of them, else the first by index), or -1 when it has no other placed day and no hub costs
// it a change. With the other days as they are, the child's share of the objective is then its
// distance plus HubChangeKm away from that hub, up to a constant, and exactly so for its present
// hub, so that a day's cost falling makes the objective fall.
func (m *model) dayHomes(d int32, hubOf []int32, homes []int32) {
	for _, us := range m.units[d : d+1] {
		for ui := range us {
			for _, cd := range us[ui].members {
				ci := m.cds[cd].child
				cur := hubOf[cd]
				best, bestN := int32(-1), 0
				for _, o := range m.children[ci].cds {
					h := hubOf[o]
					if o == cd || h < 0 {
						continue
					}
					n := 0
					for _, o2 := range m.children[ci].cds {
						if o2 != cd && hubOf[o2] == h {
							n++
						}
					}
					if n > bestN || (n == bestN && (h == cur || (best != cur && h < best))) {
						best, bestN = h, n
					}
				}
				homes[ci] = best
			}
		}
	}
}

func (m *model) reflowDay(d int32, hubOf []int32, im *improver, homes []int32, moveGroups bool) {
	dn := m.newDayNets(d, hubOf, im, homes, nil)
	if moveGroups {
		us := m.units[d]
		for ui := range us {
			u := &us[ui]
			a := hubOf[u.members[0]]
			if !u.together() || u.allowed != nil || a < 0 || !m.keptTogetherAt(u, a, hubOf) ||
				slices.ContainsFunc(u.members, func(cd int32) bool { return !dn.mayLeave(cd, a) }) {
				continue
			}
			if b := dn.dp.moveGroup(u, a); b >= 0 {
				for _, cd := range u.members {
					hubOf[cd] = b
				}
			}
		}
	}
	dn.readBack(hubOf)
}

// dayNets holds one day's networks: one per level, with the children alone of that day who may
// leave their hub as kids, every other placed child holding its seat outside.
type dayNets struct {
	m  *model
	im *improver
	d  int32
	dp *dayPlacer
	// cds[l][k] is the child-day of kid k of level l's network.
	cds [numLevels][]int32
}

// newDayNets builds day d's networks from placement hubOf, each kid at least cost given homes
// (which it keeps). When kidOf is not nil, it records each kid's index by child-day.
func (m *model) newDayNets(d int32, hubOf []int32, im *improver, homes []int32, kidOf []int32) *dayNets {
	dn := &dayNets{m: m, im: im, d: d}
	var movable [numLevels][]int32
	for ui := range m.units[d] {
		u := &m.units[d][ui]
		if cd := u.members[0]; !u.together() && hubOf[cd] >= 0 && dn.mayLeave(cd, hubOf[cd]) {
			l := m.children[m.cds[cd].child].level
			movable[l] = append(movable[l], cd)
		}
	}
	nHub := len(m.hubIDs)
	dp := &dayPlacer{m: m, homes: homes, penalty: m.penalty,
		mark: make([]uint32, nHub), count: make([]int32, nHub), cost: make([]int64, nHub)}
	dn.dp = dp
	for l := range numLevels {
		dp.noRoom[l] = make([]uint32, nHub)
		seats := make([]int32, nHub)
		for h := range seats {
			s := m.slot(d, int32(h), int8(l))
			seats[h] = m.seats[s] - im.used[s]
		}
		for _, cd := range movable[l] {
			seats[hubOf[cd]]++
		}
		n := newNetwork(seats, m.penalty)
		dp.nets[l] = n
		for _, cd := range movable[l] {
			k := n.addKid(m.reqs[m.cds[cd].req].cands, homes[m.cds[cd].child])
			if !n.insert(k) {
				panic("alloc: reflow could not place a child the pass placed")
			}
			if kidOf != nil {
				kidOf[cd] = k
			}
		}
		dn.cds[l] = movable[l]
	}
	return dn
}

// mayLeave reports whether child-day cd, on the day's networks, may leave hub h without raising a
// waitlisted unit's claim (see improver.mayLeave).
func (dn *dayNets) mayLeave(cd, h int32) bool {
	m := dn.m
	s := m.slot(dn.d, h, m.children[m.cds[cd].child].level)
	return !dn.im.contested[s] || dn.im.worst[s].before(dn.im.keyOf[cd])
}

// readBack writes the kids' hubs into hubOf.
func (dn *dayNets) readBack(hubOf []int32) {
	for l, cds := range dn.cds {
		for k, cd := range cds {
			hubOf[cd] = dn.dp.nets[l].kids[k].hub
		}
	}
}

// keptTogetherAt reports whether every member of u is at hub a.
func (m *model) keptTogetherAt(u *unit, a int32, hubOf []int32) bool {
	return !slices.ContainsFunc(u.members, func(cd int32) bool { return hubOf[cd] != a })
}

// moveGroup moves group u, at hub a with its seats held outside the networks, when that lowers the
// day's cost: its seats at a are given back to the networks, and each hub the group could use is
// priced at the group's cost there plus the cost of the moves that make room (along shortest
// augmenting paths, which may end in the seats the group left). It returns the hub taken, or -1
// when u stays at a, where the networks are then as before.
//
// The seats given back may leave the networks' potentials short of a minimum-cost certificate:
// the paths found are then valid but not always the cheapest, and each costs exactly what it
// changes, so a move is only made when it gains. reflow without group moves, from fresh networks,
// makes the day's assignment of the children alone a least-cost one again.
func (dp *dayPlacer) moveGroup(u *unit, a int32) int32 {
	m := dp.m
	groupCost := func(h int32) int64 {
		var c int64
		for _, cd := range u.members {
			d := m.distM(cd, h)
			if d < 0 {
				return -1
			}
			c += int64(d)
			if home := dp.homes[m.cds[cd].child]; home >= 0 && h != home {
				c += dp.penalty
			}
		}
		return c
	}
	now := groupCost(a)
	dp.stamp++
	dp.hubs = dp.hubs[:0]
	for _, c := range m.reqs[m.cds[u.members[0]].req].cands {
		if h := c.hub; h != a {
			if gc := groupCost(h); gc >= 0 {
				dp.cost[h] = gc
				dp.hubs = append(dp.hubs, h)
			}
		}
	}
	if len(dp.hubs) == 0 {
		return -1
	}
	slices.SortFunc(dp.hubs, func(x, y int32) int { return cmp.Or(cmp.Compare(dp.cost[x], dp.cost[y]), cmp.Compare(x, y)) })
	for l, need := range u.need {
		for range need {
			dp.nets[l].reopen(a)
		}
	}
	best, bestChange, trials := int32(-1), int64(0), 0
	for _, h := range dp.hubs {
		if !dp.mayFit(u, h) {
			continue
		}
		moves, ok := dp.reserve(u, h)
		if !ok {
			continue
		}
		dp.end(u, false)
		if change := dp.cost[h] - now + moves; change < bestChange {
			best, bestChange = h, change
		}
		if trials++; trials == maxGroupTrials {
			break
		}
	}
	if best < 0 {
		for l, need := range u.need {
			for range need {
				dp.nets[l].decCap(a)
			}
		}
		return -1
	}
	if _, ok := dp.reserve(u, best); !ok {
		panic("alloc: sibling group reservation is not reproducible")
	}
	dp.end(u, true)
	return best
}

// reopen gives hub h one more seat. Hubs marked dead may reach it now: none is any longer.
func (n *network) reopen(h int32) {
	n.cap[h]++
	for g := range n.dead {
		if n.dead[g] {
			n.dead[g] = false
			n.node[g].blocked = n.cap[g] <= 0
		}
	}
	n.node[h].blocked = n.cap[h] <= 0
	n.node[h].free = n.used[h] < n.cap[h]
}
