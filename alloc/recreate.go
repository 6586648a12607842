package alloc

import "slices"

// Limits of recreate; like the other searches', they count work, never time, so the same problem
// always gets the same result.
//
// Measured on the generated académie weeks (seeds 1–3, 2026-12-06): taking out fewer pieces gains
// more (the recreate is greedy and a change is kept only if it gains, which a big neighbourhood
// rarely does): the nearest hub and 10 pieces lowered the objectives by 1.1–1.7 %, 5 hubs and 40
// pieces by 0.0–0.6 %; 8 orders gained nearly as much as 16 or 32 in half the time of 32. Rounds
// after the first taking a draw of the hub's children rather than the same ones: 1.2–2.0 %.
const (
	// recreateHubs is how many of the nearest hubs of a piece's first unit have their units taken
	// out with it.
	recreateHubs = 1
	// recreateMax bounds the pieces taken out at once.
	recreateMax = 10
	// recreateOrders is how many orders of putting the pieces back are tried.
	recreateOrders = 8
	// recreateRounds bounds the sweeps over the pieces spending days away.
	recreateRounds = 4
)

// recreate lowers the weekly objective by ruin and recreate (Schrimpf et al., 2000): for each piece
// with days away from its usual hub, it takes out up to recreateMax pieces with a unit in the hubs
// nearest to it on its days (recreateHubs; the first met in the first round, a draw of them in the
// others), and puts them back one after the other, each at its least cost given the seats the
// others left: for every hub K in its reach, its units at K on the days K has room and at their
// nearest hub with room on the others. Several orders are tried, and the best is kept when the
// pieces' share of the objective falls. The moves of improve, relocate, evictWeeks and chains
// change one piece, or a chain of them, at a time, and each only if it gains at once: on a crowded
// week (hubs of two to seven seats a level, all full) a child's week often needs several others to
// move first, each at a small loss. Taking a neighbourhood out and filling it again reaches those
// moves.
//
// Why the rules hold, as in relocate: units move whole (siblings kept together stay together, split
// ones stay apart), each to a hub that hosts all its members' levels that day, within reach of
// each, with a free seat for each once the others are back; fixed seats, pinned units and the
// child-days waitlisted stay as they are; a unit that may not leave its hub (mayLeave: a
// waitlisted unit could claim its seat) stays there; so the same child-days are placed, and no
// waitlisted unit's count of seats free or held by lower children rises. A change is made only
// when the pieces' share of the weekly objective falls, so the objective falls.
func (m *model) recreate(hubOf []int32) {
	im := m.newImprover(hubOf)
	rr := &recreator{weekMover: m.newWeekMover(hubOf, im)}
	rr.inRuin = make([]int32, len(rr.pieces))
	for round := range recreateRounds {
		moved := false
		for i := range rr.pieces {
			if rr.changes(&rr.pieces[i], hubOf) > 0 && rr.try(int32(i), round, hubOf) {
				moved = true
			}
		}
		if !moved {
			break
		}
	}
}

type recreator struct {
	*weekMover
	inRuin []int32 // the ruin each piece was last met by (stamp), or 0
	stamp  int32   // the ruin being tried, counted from 1
	near   []int32 // the pieces around the anchor
	ruin   []int32 // the pieces taken out
	free   [][]bool
	cur    [][]int32 // their units' hubs before, by ruined piece
	trial  [][]int32 // and as the order being tried puts them back
	best   [][]int32
	order  []int32
	opt    []int32
	// Each unit's nearest hub with room and its distance there, while a piece is put back.
	alt     []int32
	altDist []int64
}

// try ruins the neighbourhood of piece a in sweep round and recreates it, and reports whether it
// changed hubOf.
func (rr *recreator) try(a int32, round int, hubOf []int32) bool {
	m := rr.m
	p := &rr.pieces[a]
	first := int32(-1)
	for j := p.unitFrom; j < p.unitTo; j++ {
		if u := &rr.units[j]; u.movable && rr.mayLeave(u, hubOf[u.members[0]]) {
			first = j
			break
		}
	}
	if first < 0 {
		return false
	}
	cands := m.reqs[m.cds[rr.units[first].members[0]].req].cands
	cands = cands[:min(len(cands), recreateHubs)]
	// The pieces at those hubs on the anchor's days, each once, in the order met: the first round
	// takes out the first of them with the anchor, the later ones a draw of them.
	rr.stamp++
	rr.inRuin[a] = rr.stamp
	rr.near = rr.near[:0]
	for j := p.unitFrom; j < p.unitTo; j++ {
		day := rr.units[j].day
		for _, c := range cands {
			for _, x := range rr.at[rr.atIndex(day, c.hub)] {
				if q := rr.pieceOf[x]; rr.inRuin[q] != rr.stamp {
					rr.inRuin[q] = rr.stamp
					rr.near = append(rr.near, q)
				}
			}
		}
	}
	// The draw: a partial shuffle seeded by the anchor and the round.
	if round > 0 {
		x := draw(rr.m.params.Seed, 10, int64(a)*recreateRounds+int64(round))
		for i := 0; i < min(len(rr.near), recreateMax-1); i++ {
			x = splitmix64(x)
			k := i + int(x%uint64(len(rr.near)-i))
			rr.near[i], rr.near[k] = rr.near[k], rr.near[i]
		}
	}
	rr.ruin = append(append(rr.ruin[:0], a), rr.near[:min(len(rr.near), recreateMax-1)]...)

	// Take them out: the seats of every unit that may move are freed.
	n := len(rr.ruin)
	rr.cur, rr.free = grow(rr.cur, n), grow(rr.free, n)
	rr.trial, rr.best = grow(rr.trial, n), grow(rr.best, n)
	var before int64
	for i, q := range rr.ruin {
		qp := &rr.pieces[q]
		rr.cur[i], rr.free[i] = rr.cur[i][:0], rr.free[i][:0]
		for j := qp.unitFrom; j < qp.unitTo; j++ {
			u := &rr.units[j]
			h := hubOf[u.members[0]]
			free := u.movable && rr.mayLeave(u, h)
			rr.cur[i] = append(rr.cur[i], h)
			rr.free[i] = append(rr.free[i], free)
			if free {
				rr.seats(u, h, -1)
			}
		}
		before += rr.cost(qp, rr.cur[i], hubOf)
	}

	bestCost := before
	for t := range recreateOrders {
		rr.shuffle(a, t)
		total := int64(0)
		ok := true
		put := 0
		for _, i := range rr.order {
			c, fits := rr.putBack(int(i), hubOf)
			if !fits {
				ok = false
				break
			}
			put++
			total += c
		}
		// Take the order's seats back out before the next one.
		for _, i := range rr.order[:put] {
			rr.release(int(i))
		}
		if ok && total < bestCost {
			bestCost = total
			for i := range n {
				rr.best[i] = append(rr.best[i][:0], rr.trial[i]...)
			}
		}
	}
	for i, q := range rr.ruin {
		qp := &rr.pieces[q]
		for k := range rr.cur[i] {
			if rr.free[i][k] {
				rr.seats(&rr.units[qp.unitFrom+int32(k)], rr.cur[i][k], 1)
			}
		}
	}
	if bestCost >= before {
		return false
	}
	for i, q := range rr.ruin {
		qp := &rr.pieces[q]
		for k, h := range rr.best[i] {
			if h != rr.cur[i][k] {
				rr.move(qp.unitFrom+int32(k), h, hubOf)
			}
		}
	}
	return true
}

// shuffle sets rr.order: the ruin's pieces as collected for the first order (the anchor first),
// in an order drawn from the anchor and t for the others.
func (rr *recreator) shuffle(a int32, t int) {
	rr.order = rr.order[:0]
	for i := range rr.ruin {
		rr.order = append(rr.order, int32(i))
	}
	if t == 0 {
		return
	}
	x := draw(rr.m.params.Seed, 9, int64(a)*recreateOrders+int64(t))
	for i := len(rr.order) - 1; i > 0; i-- {
		x = splitmix64(x)
		k := int(x % uint64(i+1))
		rr.order[i], rr.order[k] = rr.order[k], rr.order[i]
	}
}

// putBack places the i-th ruined piece at its least cost given the seats used now, takes those
// seats, and returns its cost; fits is false when one of its units finds no seat.
func (rr *recreator) putBack(i int, hubOf []int32) (cost int64, fits bool) {
	m := rr.m
	q := &rr.pieces[rr.ruin[i]]
	units := rr.units[q.unitFrom:q.unitTo]
	rr.trial[i] = append(rr.trial[i][:0], rr.cur[i]...)
	if !slices.Contains(rr.free[i], true) {
		return rr.cost(q, rr.trial[i], hubOf), true
	}
	rr.opt = append(rr.opt[:0], rr.cur[i]...)
	// Each free unit's nearest hub with room, for the days a hub k cannot take it: the same for
	// every k but when the piece's own units compete for it (fill checks).
	rr.taken = rr.taken[:0]
	rr.alt, rr.altDist = rr.alt[:0], rr.altDist[:0]
	var stay int64 // the distance of the units that stay
	for j := range units {
		h, d := int32(-1), int64(0)
		if rr.free[i][j] {
			if h = rr.nearestRoom(&units[j]); h < 0 {
				return 0, false
			}
			d = rr.unitDist(&units[j], h)
		} else {
			stay += rr.unitDist(&units[j], rr.cur[i][j])
		}
		rr.alt, rr.altDist = append(rr.alt, h), append(rr.altDist, d)
	}
	bestCost := int64(-1)
	k0 := slices.Index(rr.free[i], true)
	req0 := m.cds[units[k0].members[0]].req
	for _, kc := range m.reqs[req0].cands {
		dist, ok := rr.fill(i, kc, req0)
		if !ok || (bestCost >= 0 && stay+dist >= bestCost) {
			continue
		}
		if c := stay + dist + rr.changeCost(q, rr.opt, hubOf); bestCost < 0 || c < bestCost {
			bestCost = c
			copy(rr.trial[i], rr.opt)
		}
	}
	if bestCost < 0 {
		return 0, false
	}
	for k, u := range units {
		if rr.free[i][k] {
			rr.seats(&u, rr.trial[i][k], 1)
		}
	}
	return bestCost, true
}

// fill sets rr.opt to the i-th ruined piece's units at hub k on the days k has room for them, at
// their nearest hub with room on the others, and returns their distance, or ok false when one
// finds no seat. A child alone on request req0 is at k's own distance.
func (rr *recreator) fill(i int, k cand, req0 int32) (dist int64, ok bool) {
	m := rr.m
	q := &rr.pieces[rr.ruin[i]]
	rr.taken = rr.taken[:0]
	for j := range rr.cur[i] {
		if !rr.free[i][j] {
			continue
		}
		u := &rr.units[q.unitFrom+int32(j)]
		h, d := k.hub, int64(k.distM)
		room := rr.hasRoom(u, h, rr.taken)
		if room && (len(u.members) != 1 || m.cds[u.members[0]].req != req0) {
			d = rr.unitDist(u, h)
		}
		if !room || d < 0 {
			if h, d = rr.alt[j], rr.altDist[j]; !rr.hasRoom(u, h, rr.taken) {
				if h = rr.nearestRoom(u); h < 0 {
					return 0, false
				}
				d = rr.unitDist(u, h)
			}
		}
		rr.opt[j] = h
		dist += d
		rr.take(u, h)
	}
	return dist, true
}

// nearestRoom is the hub nearest to unit u's first member with room for the unit beyond rr.taken,
// within reach of each member, or −1.
func (rr *recreator) nearestRoom(u *relUnit) int32 {
	m := rr.m
	for _, c := range m.reqs[m.cds[u.members[0]].req].cands {
		if rr.hasRoom(u, c.hub, rr.taken) && (len(u.members) == 1 || rr.unitDist(u, c.hub) >= 0) {
			return c.hub
		}
	}
	return -1
}

// release frees the seats the i-th ruined piece's free units took as the order put them back.
func (rr *recreator) release(i int) {
	q := &rr.pieces[rr.ruin[i]]
	for k, h := range rr.trial[i] {
		if rr.free[i][k] {
			rr.seats(&rr.units[q.unitFrom+int32(k)], h, -1)
		}
	}
}

// seats adds sign times unit u's seats at hub h to the seats used.
func (rr *recreator) seats(u *relUnit, h int32, sign int32) {
	for l, n := range u.need {
		if n > 0 {
			rr.im.used[rr.m.slot(u.day, h, int8(l))] += sign * n
		}
	}
}

// grow extends s with empty rows until it has n.
func grow[T any](s [][]T, n int) [][]T {
	for len(s) < n {
		s = append(s, nil)
	}
	return s
}
