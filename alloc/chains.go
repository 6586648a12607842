package alloc

import (
	"cmp"
	"slices"
)

// chainDepth bounds the movers of one ejection chain. improve already makes every single move to
// free seats and every swap of two movers that gains: chains of three and four reach the moves
// through full hubs that neither finds.
const chainDepth = 4

// chainRounds bounds the sweeps of chains over all movers.
const chainRounds = 3

// chainWork is the search's budget for one mover in one sweep, counted in hubs priced. It makes
// the pass's work proportional to the number of movers, whatever the crowding, and never depends
// on the clock, so the same problem always gets the same result.
const chainWork = 48

// polishRounds bounds the rounds of polish: on the generated académie week of seed 1 they lower
// the objective by 3.9 %, 1.2 % and 0.5 %.
const polishRounds = 3

// polish works on problems of polishMinChildDays to polishMaxChildDays child-days. It re-solves
// every day's flows three times per round, which an académie week (15,000 child-days) affords in a few
// hundred milliseconds, and a national week (400,000) cannot within its time budget; a booking
// batch (a few families) has next to nothing to gain and must answer at once. The limits depend
// on the problem's size only, so the same problem always gets the same result.
const (
	polishMinChildDays = 1_000
	polishMaxChildDays = 60_000
)

// polish runs, on a finished pass, rounds of the local searches that never raise the weekly
// objective (reflow with group moves, moveWeeks, reflow, improve, relocate, chains), each from
// where the others left the placement, until a round gains nothing. Each keeps every rule (see
// each), so polish does. The moves through full hubs are what the earlier phases lack: the daily
// flows never move a sibling group once placed, improve and relocate move a child or a group only
// to free seats or by swapping with one other, and a day's flow alone never moves a child's whole
// week.
func (m *model) polish(hubOf []int32) {
	if len(m.cds) < polishMinChildDays || len(m.cds) > polishMaxChildDays {
		return
	}
	now := m.objectiveMetres(hubOf)
	for range polishRounds {
		m.reflow(hubOf, true)
		m.moveWeeks(hubOf)
		m.reflow(hubOf, false) // the seats the groups left used, each day at least cost again
		m.improve(hubOf)
		m.relocate(hubOf)
		m.improve(hubOf)
		m.chains(hubOf)
		next := m.objectiveMetres(hubOf)
		if next >= now {
			break
		}
		now = next
	}
}

// objectiveMetres is the weekly objective of a pass (Report.ObjectiveKm), in whole metres: the
// distance of the non-fixed placed child-days plus HubChangeKm for every placed day away from the
// child's usual hub.
func (m *model) objectiveMetres(hubOf []int32) int64 {
	var total int64
	for cd, h := range hubOf {
		if h >= 0 && m.cds[cd].fixedHub < 0 {
			total += int64(m.distM(int32(cd), h))
		}
	}
	return total + m.penalty*int64(m.hubChangeDays(hubOf))
}

// chains lowers the total distance of a finished pass by ejection chains of whole movers (see
// improve): a mover moves to a nearer hub that is full, a mover there moves on to another hub, and
// so on, until a hub with room ends the chain or the last mover takes the first one's place (a
// cycle). Each chain is searched depth first from every mover in turn, keeping the search where
// the movers so far gain together (the gain criterion of Lin and Kernighan), and the chain that
// gains most from that mover is applied.
//
// Why the rules hold, as in improve: movers move whole, with every day of their week, to a hub
// that hosts each of their children on each of their days within reach; the hubs of a chain are
// distinct, so each hub of the chain sees one mover leave and at most one enter, and the entering
// one fits beside the others once the leaving one is gone (improver.fits); the placed child-days
// stay the same and no child gains a second hub; every mover that leaves a hub may leave it
// (improver.mayLeave), so no waitlisted unit's claim rises. The distance falls at each chain
// applied, and hub changes do not change, so the weekly objective falls too.
func (m *model) chains(hubOf []int32) {
	im := m.newImprover(hubOf)
	if len(im.movers) == 0 {
		return
	}
	cs := &chainSearch{im: im, onChain: make([]bool, len(m.hubIDs))}
	im.sweep(chainRounds, cs.try, hubOf)
}

// sweep offers every mover in turn to try, which moves it or not, for up to rounds sweeps or
// until one moves none, then writes the movers' hubs into hubOf.
func (im *improver) sweep(rounds int, try func(int32) bool, hubOf []int32) {
	for range rounds {
		moved := false
		for i := range im.movers {
			if try(int32(i)) {
				moved = true
			}
		}
		if !moved {
			break
		}
	}
	for i := range im.movers {
		mv := &im.movers[i]
		for _, ci := range mv.children {
			for _, cd := range im.m.children[ci].cds {
				hubOf[cd] = mv.hub
			}
		}
	}
}

// chainStep moves mover to hub to, where its cost is cost.
type chainStep struct {
	mover, to int32
	cost      int64
}

type chainSearch struct {
	im       *improver
	first    int32 // the chain's first mover, which left start
	start    int32
	onChain  []bool // hubs a mover of the current chain left
	path     []chainStep
	best     []chainStep
	bestGain int64
	work     int
}

// try applies the chain starting with mover i that gains most, if any gains.
func (cs *chainSearch) try(i int32) bool {
	im := cs.im
	mv := &im.movers[i]
	if !im.mayLeave(mv) {
		return false
	}
	cs.first, cs.start = i, mv.hub
	cs.path, cs.best, cs.bestGain, cs.work = cs.path[:0], cs.best[:0], 0, chainWork
	cs.onChain[cs.start] = true
	cs.extend(i, 0)
	cs.onChain[cs.start] = false
	if len(cs.best) == 0 {
		return false
	}
	for _, st := range cs.best {
		im.place(st.mover, st.to, st.cost)
	}
	return true
}

// extend moves mover i, the last of the chain so far, which gains gain before it (in metres), out
// of its hub: to a hub with room, or back to the start, or in the place of another mover, which
// the chain then moves on.
func (cs *chainSearch) extend(i int32, gain int64) {
	im := cs.im
	m := im.m
	mv := &im.movers[i]
	// As in improve: hubs come nearest first for the first child's first request, whose days cost
	// at least their count times that distance; once that reaches what the chain may still lose,
	// no further hub keeps the gain positive.
	req, days := im.firstRequest(mv)
	budget := mv.cost + gain // a hub costing the mover this much or more gains nothing
	for _, k := range m.reqs[req].cands {
		if cs.work <= 0 || int64(k.distM)*days >= budget {
			return
		}
		b := k.hub
		if b == mv.hub || (cs.onChain[b] && b != cs.start) {
			continue
		}
		cs.work--
		cb := im.cost(mv, b)
		if cb < 0 || cb >= budget {
			continue
		}
		g := budget - cb
		step := chainStep{i, b, cb}
		if b == cs.start {
			if i != cs.first && g > cs.bestGain && im.fits(mv, b, &im.movers[cs.first]) {
				cs.record(step, g)
			}
			continue
		}
		if im.fits(mv, b, nil) {
			if g > cs.bestGain {
				cs.record(step, g)
			}
			continue
		}
		if len(cs.path)+2 > chainDepth {
			continue
		}
		cs.path = append(cs.path, step)
		cs.onChain[b] = true
		for _, j := range im.at[b] {
			o := &im.movers[j]
			if im.fits(mv, b, o) && im.mayLeave(o) {
				cs.extend(j, g)
			}
			if cs.work <= 0 {
				break
			}
		}
		cs.onChain[b] = false
		cs.path = cs.path[:len(cs.path)-1]
	}
}

// firstRequest is the first request of mover mv's first child, by which improve and chains order
// the hubs they try, and the number of days it covers.
func (im *improver) firstRequest(mv *mover) (req int32, days int64) {
	m := im.m
	first := &m.children[mv.children[0]]
	req = m.cds[first.cds[0]].req
	for _, cd := range first.cds {
		if m.cds[cd].req == req {
			days++
		}
	}
	return req, days
}

// record keeps the chain so far, ended by step, as the best one.
func (cs *chainSearch) record(step chainStep, gain int64) {
	cs.best = append(append(cs.best[:0], cs.path...), step)
	cs.bestGain = gain
}

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

// moveWeeks moves whole weeks through full hubs: a child alone, all its placed days at once, or
// brothers and sisters kept together with all their days (a mover, see improve), go to the hub
// that lowers the weekly objective most, the seats there made free on each day along shortest
// augmenting paths of the day's networks (which may end in the seats the movers leave). Day by
// day, a child's move away from the hub of its other days costs HubChangeKm, so reflow never moves
// a whole week; here the change is priced exactly: the objective's share of every child the move
// touches, before and after. A move is made only when it lowers the objective.
//
// Why the rules hold: the children moved to make room are kids of the day's networks, so they
// may leave their hubs (see reflow) and go only where the networks allow (level, day, reach,
// seats); a moving child alone is such a kid on each of its days; moving brothers and sisters
// move together to a hub that hosts each of them on each of their days within reach, with seats
// for all, and leave a hub they may leave (improver.mayLeave); the same child-days stay placed.
func (m *model) moveWeeks(hubOf []int32) {
	im := m.newImprover(hubOf)
	kidOf := make([]int32, len(m.cds))
	for i := range kidOf {
		kidOf[i] = -1
	}
	// The networks re-solve each day as reflow does, one day after the other, each priced with
	// the hubs of the days before as re-solved: so building them never raises the objective.
	days := make([]*dayNets, len(m.days))
	for d := range days {
		homes := make([]int32, len(m.children))
		m.dayHomes(int32(d), hubOf, homes)
		days[d] = m.newDayNets(int32(d), hubOf, im, homes, kidOf)
		days[d].readBack(hubOf)
	}
	wm := &weekMove{m: m, days: days, kidOf: kidOf, live: slices.Clone(hubOf),
		mark: make([]bool, len(m.children)), moving: make([]bool, len(m.cds))}
	for ci := range m.children {
		wm.try([]int32{int32(ci)}, false)
	}
	for i := range im.movers {
		if mv := &im.movers[i]; len(mv.children) > 1 && im.mayLeave(mv) {
			wm.try(mv.children, true)
		}
	}
	copy(hubOf, wm.live) // the groups' moves
	for _, dn := range days {
		dn.readBack(hubOf)
	}
}

type weekMove struct {
	m     *model
	days  []*dayNets
	kidOf []int32
	// live is every child-day's hub as committed: hubOf's, kept up to date with the networks.
	live []int32
	// The move being tried: its children, their placed child-days that are kids and those held
	// outside the networks (moving, with seats to take at to), the networks it opened, the seats
	// it gave back outside the logs, and the children it touched.
	children []int32
	kids     []int32
	held     []int32
	moving   []bool
	to       int32
	open     []*network
	reopened []reopenedSeat
	touched  []int32
	// Scratch.
	mark    []bool
	hubs    []int32
	options []cand
}

type reopenedSeat struct {
	n   *network
	hub int32
}

// hubNow is child-day cd's hub in the present, tentative state.
func (wm *weekMove) hubNow(cd int32) int32 {
	if wm.moving[cd] {
		return wm.to
	}
	if k := wm.kidOf[cd]; k >= 0 {
		c := wm.m.cds[cd]
		return wm.days[c.day].dp.nets[wm.m.children[c.child].level].kids[k].hub
	}
	return wm.live[cd]
}

func (wm *weekMove) liveHub(cd int32) int32 { return wm.live[cd] }

// share is child ci's part of the objective, in metres, with each child-day at hub(cd).
func (wm *weekMove) share(ci int32, hub func(int32) int32) int64 {
	m := wm.m
	var total int64
	wm.hubs = wm.hubs[:0]
	for _, cd := range m.children[ci].cds {
		h := hub(cd)
		if h < 0 {
			continue
		}
		if m.cds[cd].fixedHub < 0 {
			total += int64(m.distM(cd, h))
		}
		wm.hubs = append(wm.hubs, h)
	}
	return total + m.penalty*int64(len(wm.hubs)-mostFrequent(wm.hubs))
}

// try moves the week of children (a child alone when !group, else a mover) to the hub that lowers
// the objective most, if any does.
func (wm *weekMove) try(children []int32, group bool) {
	m := wm.m
	wm.children, wm.kids, wm.held = children, wm.kids[:0], wm.held[:0]
	for _, ci := range children {
		for _, cd := range m.children[ci].cds {
			switch {
			case wm.kidOf[cd] >= 0:
				wm.kids = append(wm.kids, cd)
			case wm.live[cd] < 0:
			case !group || m.cds[cd].fixedHub >= 0:
				return // a child alone kept with brothers and sisters on a day, or a fixed seat
			default:
				wm.held = append(wm.held, cd)
			}
		}
	}
	if len(wm.kids)+len(wm.held) < 2 || (group && len(wm.held) == 0) {
		return // one day: reflow's work; a group alone on all its days: children alone's
	}
	var now int64
	for _, ci := range children {
		now += wm.share(ci, wm.liveHub)
	}
	// Hubs that could host the children on all their placed days and cost them less than now,
	// cheapest first.
	first := wm.kids
	if len(wm.held) > 0 {
		first = wm.held
	}
	wm.options = wm.options[:0]
	for _, k := range m.reqs[m.cds[first[0]].req].cands {
		var own int64
		for _, cds := range [2][]int32{wm.kids, wm.held} {
			for _, cd := range cds {
				d := m.distM(cd, k.hub)
				if own < 0 || d < 0 || m.seats[m.slot(m.cds[cd].day, k.hub, m.children[m.cds[cd].child].level)] == 0 {
					own = -1
					break
				}
				own += int64(d)
			}
		}
		if own >= 0 && own < now {
			wm.options = append(wm.options, cand{hub: k.hub, distM: int32(own)})
		}
	}
	sortCands(wm.options, nil)
	best, bestChange := int32(-1), int64(0)
	for i, o := range wm.options {
		if i == maxGroupTrials {
			break
		}
		if change, ok := wm.apply(o.hub); ok && change < bestChange {
			best, bestChange = o.hub, change
		}
		wm.end(false)
	}
	if best >= 0 {
		if _, ok := wm.apply(best); !ok {
			panic("alloc: week move is not reproducible")
		}
		wm.end(true)
	}
}

// net opens the network of child-day cd's day and level for the move, once.
func (wm *weekMove) net(cd int32) *network {
	m := wm.m
	n := wm.days[m.cds[cd].day].dp.nets[m.children[m.cds[cd].child].level]
	if !n.logging {
		n.begin()
		wm.open = append(wm.open, n)
	}
	return n
}

// apply moves the children's week to hub b, making room there on each day, with every change in
// the networks logged; it returns the change in the objective, and false when a day has no room.
func (wm *weekMove) apply(b int32) (int64, bool) {
	m := wm.m
	wm.to = b
	// First the seats left: kids out of their hubs, held seats given back.
	for _, cd := range wm.held {
		n := wm.days[m.cds[cd].day].dp.nets[m.children[m.cds[cd].child].level]
		if n.logging {
			panic("alloc: a held seat given back inside a logged change")
		}
		n.reopen(wm.live[cd])
		wm.reopened = append(wm.reopened, reopenedSeat{n, wm.live[cd]})
	}
	for _, cd := range wm.held {
		wm.net(cd)
	}
	for _, cd := range wm.kids {
		if n := wm.net(cd); n.kids[wm.kidOf[cd]].hub != b {
			n.move(wm.kidOf[cd], -1, 0)
		}
	}
	// Then the seats taken, freed when needed.
	take := func(n *network) bool {
		if n.used[b] < n.cap[b] {
			return true
		}
		if n.dead[b] {
			return false
		}
		_, ok := n.freeSeat(b)
		return ok
	}
	for _, cd := range wm.held {
		n := wm.net(cd)
		if !take(n) {
			return 0, false
		}
		n.decCap(b)
		wm.moving[cd] = true
	}
	for _, cd := range wm.kids {
		n, k := wm.net(cd), wm.kidOf[cd]
		if n.kids[k].hub == b {
			continue
		}
		if !take(n) {
			return 0, false
		}
		n.move(k, b, n.cost(&n.kids[k], cand{hub: b, distM: m.distM(cd, b)}))
	}
	// Every child the move touched: its own, and the kids the logs moved.
	wm.touched = wm.touched[:0]
	touch := func(o int32) {
		if !wm.mark[o] {
			wm.mark[o] = true
			wm.touched = append(wm.touched, o)
		}
	}
	for _, ci := range wm.children {
		touch(ci)
	}
	for _, n := range wm.open {
		for _, e := range n.undo {
			if e.op == opMove {
				touch(m.cds[wm.dayNetsOf(n).cds[wm.levelOf(n)][e.a]].child)
			}
		}
	}
	var change int64
	for _, o := range wm.touched {
		wm.mark[o] = false
		change += wm.share(o, wm.hubNow) - wm.share(o, wm.liveHub)
	}
	return change, true
}

// dayNetsOf and levelOf find where network n belongs.
func (wm *weekMove) dayNetsOf(n *network) *dayNets {
	for _, dn := range wm.days {
		for _, x := range dn.dp.nets {
			if x == n {
				return dn
			}
		}
	}
	panic("alloc: network of no day")
}

func (wm *weekMove) levelOf(n *network) int {
	for l, x := range wm.dayNetsOf(n).dp.nets {
		if x == n {
			return l
		}
	}
	panic("alloc: network of no level")
}

// end commits or undoes the move being tried.
func (wm *weekMove) end(keep bool) {
	for _, n := range wm.open {
		if keep {
			n.commit()
		} else {
			n.rollback()
		}
	}
	if keep {
		for _, o := range wm.touched {
			for _, cd := range wm.m.children[o].cds {
				wm.live[cd] = wm.hubNow(cd)
			}
		}
	} else {
		for _, r := range wm.reopened {
			r.n.decCap(r.hub)
		}
	}
	for _, cd := range wm.held {
		wm.moving[cd] = false
	}
	wm.open, wm.reopened = wm.open[:0], wm.reopened[:0]
}
