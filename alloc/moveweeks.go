package alloc

import "slices"

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
