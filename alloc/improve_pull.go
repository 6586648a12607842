package alloc

// pullMaxEvicted bounds the pieces one pull moves out of the hub it enters, and pullHubs the hubs
// a piece tries, nearest first.
const (
	pullMaxEvicted = 3
	pullHubs       = 8
)

// pullPieces moves a piece (a child alone, or brothers and sisters kept together, with all their
// week) into a nearer hub that is full, by moving out of it, for the week, up to pullMaxEvicted
// other pieces, each to the hub with room that costs it least (the seats the entering piece
// leaves included). improve swaps one mover for one other, chains move one mover into each hub of
// a chain, and reflow frees seats for a family group by moving children alone: none lets a family
// of four in where two families of two must leave, which an exact solver does on a cut of the
// académie week (seed 1, 115 children, 17 hubs: four collégiens 14 km a day nearer).
//
// Why the rules hold, as in relocate and evictWeeks: units move whole, only to a hub that hosts
// their members' levels that day, within reach of each, with a free seat for each beyond those
// the move takes; fixed seats, pinned units and waitlisted child-days stay; each unit leaves its
// hub only when mayLeave allows it; and a pull is made only when the pieces' share of the weekly
// objective falls.
func (ev *evicter) pullPieces(hubOf []int32) bool {
	moved := false
	for i := range ev.pieces {
		if ev.tryPull(int32(i), hubOf) {
			moved = true
		}
	}
	return moved
}

func (ev *evicter) tryPull(i int32, hubOf []int32) bool {
	m := ev.m
	p := &ev.pieces[i]
	for x := p.unitFrom; x < p.unitTo; x++ {
		if u := &ev.units[x]; !u.movable || !ev.mayLeave(u, hubOf[u.members[0]]) {
			return false
		}
	}
	before := ev.pieceCost(p, &ev.hubsW, hubOf)
	var bestGain int64
	var best []pullStep
	bestK := int32(-1)
	first := m.cds[ev.units[p.unitFrom].members[0]].req
	for n, c := range m.reqs[first].cands {
		if n == pullHubs {
			break
		}
		k := c.hub
		// The piece at k: its distance alone must gain.
		ev.hubsW = ev.hubsW[:0]
		ok := true
		for x := p.unitFrom; x < p.unitTo && ok; x++ {
			ok = ev.unitDist(&ev.units[x], k) >= 0
			ev.hubsW = append(ev.hubsW, k)
		}
		if !ok {
			continue
		}
		gain := before - ev.cost(p, ev.hubsW, hubOf)
		if gain <= bestGain {
			continue
		}
		// Seats: those the piece leaves, those it takes at k (room or not, for now).
		ev.taken = ev.taken[:0]
		for x := p.unitFrom; x < p.unitTo; x++ {
			u := &ev.units[x]
			from := hubOf[u.members[0]]
			if from == k {
				continue
			}
			for l, n := range u.need {
				if n > 0 {
					addNeed(&ev.taken, m.slot(u.day, from, int8(l)), -n)
					addNeed(&ev.taken, m.slot(u.day, k, int8(l)), n)
				}
			}
		}
		ev.steps = ev.steps[:0]
		for len(ev.steps) < pullMaxEvicted {
			s := ev.overfull(p, k, hubOf)
			if s < 0 {
				break
			}
			step, ok := ev.cheapestEviction(i, k, s, hubOf)
			if !ok {
				break
			}
			gain -= step.cost
			ev.steps = append(ev.steps, step)
		}
		if ev.overfull(p, k, hubOf) >= 0 || gain <= bestGain {
			continue
		}
		bestGain, bestK = gain, k
		best = append(best[:0], ev.steps...)
	}
	if bestK < 0 {
		return false
	}
	for _, st := range best { // the evicted first: their seats at k are the piece's
		q := &ev.pieces[st.piece]
		for x := q.unitFrom; x < q.unitTo; x++ {
			if hubOf[ev.units[x].members[0]] == bestK {
				ev.move(x, st.to, hubOf)
			}
		}
	}
	for x := p.unitFrom; x < p.unitTo; x++ {
		if hubOf[ev.units[x].members[0]] != bestK {
			ev.move(x, bestK, hubOf)
		}
	}
	return true
}

// pullStep is one evicted piece of a pull: its units at the hub pulled into go to hub to, which
// raises its cost by cost.
type pullStep struct {
	piece, to int32
	cost      int64
}

// overfull returns a slot of hub k on one of piece p's days with more seats taken than it has, as
// ev.taken stands, or -1.
func (ev *evicter) overfull(p *relPiece, k int32, hubOf []int32) int {
	m := ev.m
	for x := p.unitFrom; x < p.unitTo; x++ {
		u := &ev.units[x]
		for l, n := range u.need {
			if n == 0 {
				continue
			}
			s := m.slot(u.day, k, int8(l))
			if m.seats[s]-ev.im.used[s]-sumNeed(ev.taken, s) < 0 {
				return s
			}
		}
	}
	return -1
}

// cheapestEviction finds the piece holding a seat of slot s (of hub k) whose units at k all move,
// with the least cost, to one hub with room; it adds the seats that move frees and takes to
// ev.taken. Piece i (the one pulled in) and pieces already evicted are not candidates.
func (ev *evicter) cheapestEviction(i, k int32, s int, hubOf []int32) (pullStep, bool) {
	m := ev.m
	d := int32(s / numLevels / len(m.hubIDs))
	best := pullStep{piece: -1}
	nTaken := len(ev.taken)
	for _, v := range ev.at[ev.atIndex(d, k)] {
		w := &ev.units[v]
		qi := ev.pieceOf[v]
		if qi == i || w.need[s%numLevels] == 0 || ev.evicted(qi) {
			continue
		}
		q := &ev.pieces[qi]
		ev.taken = ev.taken[:nTaken]
		if !ev.leave(qi, k, hubOf) {
			continue
		}
		nLeft := len(ev.taken)
		qBefore := ev.pieceCost(q, &ev.hubsX, hubOf)
		for _, c := range m.reqs[m.cds[w.members[0]].req].cands {
			h := c.hub
			if h == k {
				continue
			}
			ev.taken = ev.taken[:nLeft]
			if ev.placeAt(q, k, h, &ev.hubsX, hubOf) >= 0 {
				continue
			}
			if cost := ev.cost(q, ev.hubsX, hubOf) - qBefore; best.piece < 0 || cost < best.cost {
				best = pullStep{qi, h, cost}
			}
		}
	}
	ev.taken = ev.taken[:nTaken]
	if best.piece < 0 {
		return best, false
	}
	// Take the chosen move's seats again, for good.
	ev.leave(best.piece, k, hubOf)
	ev.placeAt(&ev.pieces[best.piece], k, best.to, &ev.hubsX, hubOf)
	return best, true
}

// evicted reports whether piece q is already moved out by the pull being tried.
func (ev *evicter) evicted(q int32) bool {
	for _, st := range ev.steps {
		if st.piece == q {
			return true
		}
	}
	return false
}
