package alloc

// evictRounds bounds the sweeps of evictWeeks over all pieces.
const evictRounds = 3

// evictWeeks brings units back to their usual hub K on the days K is full, by moving out of K, for
// the whole week, the piece of another unit there: every unit of that piece at K goes to one hub
// H with room on each of its days (the seats the returning units leave included, so they may
// trade places), and the seats it leaves at K, on each of its days, go back to the units away
// from K that gain most by coming back. tryEvict moves the other unit for that day only, which
// charges it a hub change, so on a crowded week it rarely gains; relocate and moveWeeks move a
// piece only for its own gain. Here the gain is counted for every piece the move touches: a child
// who lives nearly as close to H as to K gives its seats to children who would otherwise spend
// days away. On a 287-child cut of the generated académie week (seed 1) most of the run's 47
// days away were one day of a week spent in a hub full that day. Each sweep then tries
// pullPieces. Where waitlisted children could claim nearly every seat (a scarce week), mayLeave
// holds most units in place and neither move finds much: on a 134-child cut where a quarter of
// the child-days wait, 229 of 259 units may not leave, and the run spends 44 days away where an
// exact solver's placement of the same child-days, breaking no rule, spends 10.
//
// Why the rules hold, as in relocate: units move whole (siblings kept together stay together);
// each goes only to a hub that hosts its members' levels that day, within reach of each, with a
// free seat for each beyond those already taken by the move; fixed seats, pinned units and
// waitlisted child-days stay as they are; and each unit leaves a hub only when mayLeave allows it,
// so no waitlisted unit's count of seats free or held by lower children rises. A move is made only
// when the pieces' share of the weekly objective falls, so the objective falls.
func (m *model) evictWeeks(hubOf []int32) {
	im := m.newImprover(hubOf)
	ev := &evicter{weekMover: m.newWeekMover(hubOf, im), awayTo: make([][]int32, len(m.hubIDs))}
	for range evictRounds {
		ev.collect(hubOf)
		moved := false
		for i := range ev.pieces {
			if ev.tryPiece(int32(i), hubOf) {
				moved = true
			}
		}
		if ev.pullPieces(hubOf) {
			moved = true
		}
		if !moved {
			break
		}
	}
}

type evicter struct {
	*weekMover
	// awayTo[k] lists the movable units away from their usual hub k, as the sweep began.
	awayTo [][]int32
	// The move being tried: the seats left at k per slot, the units coming back to k, and the best
	// move found so far.
	room     []slotNeed
	back     []int32
	best     []int32
	bestW    int32
	bestH    int32
	bestGain int64
	hubs     []int32
	hubsW    []int32
	hubsX    []int32
	steps    []pullStep // the pieces the pull being tried moves out
}

func (ev *evicter) collect(hubOf []int32) {
	for k := range ev.awayTo {
		ev.awayTo[k] = ev.awayTo[k][:0]
	}
	for i := range ev.pieces {
		p := &ev.pieces[i]
		if ev.changes(p, hubOf) == 0 {
			continue
		}
		for j := p.unitFrom; j < p.unitTo; j++ {
			u := &ev.units[j]
			if !u.movable {
				continue
			}
			k := ev.usualHub(ev.m.cds[u.members[0]].child, hubOf)
			if k >= 0 && k != hubOf[u.members[0]] {
				ev.awayTo[k] = append(ev.awayTo[k], j)
			}
		}
	}
}

// tryPiece applies, for each unit of piece i away from its usual hub, the best eviction that makes
// room for it there, when one gains.
func (ev *evicter) tryPiece(i int32, hubOf []int32) bool {
	m := ev.m
	p := &ev.pieces[i]
	moved := false
	for j := p.unitFrom; j < p.unitTo; j++ {
		u := &ev.units[j]
		if !u.movable {
			continue
		}
		cur := hubOf[u.members[0]]
		k := ev.usualHub(m.cds[u.members[0]].child, hubOf)
		if k == cur || k < 0 {
			continue
		}
		ev.bestGain, ev.bestW = 0, -1
		for _, v := range ev.at[ev.atIndex(u.day, k)] {
			ev.tryEviction(j, v, k, hubOf)
		}
		if ev.bestW < 0 {
			continue
		}
		for _, b := range ev.best {
			ev.move(b, k, hubOf) // first: they may free seats the evicted piece takes
		}
		pw := &ev.pieces[ev.pieceOf[ev.bestW]]
		for x := pw.unitFrom; x < pw.unitTo; x++ {
			if hubOf[ev.units[x].members[0]] == k {
				ev.move(x, ev.bestH, hubOf)
			}
		}
		moved = true
	}
	return moved
}

// tryEviction prices moving out of hub k the piece of unit v, with unit j and the units away from
// k that gain most coming back in its seats, and records it when it beats the best so far.
func (ev *evicter) tryEviction(j, v, k int32, hubOf []int32) {
	m := ev.m
	w := &ev.units[v]
	pi := ev.pieceOf[v]
	if pi == ev.pieceOf[j] || !w.movable {
		return
	}
	pw := &ev.pieces[pi]
	// The seats at k on each day of w's piece there: the free ones and those it leaves.
	ev.room = ev.room[:0]
	for x := pw.unitFrom; x < pw.unitTo; x++ {
		xu := &ev.units[x]
		if hubOf[xu.members[0]] != k {
			continue
		}
		if !xu.movable || !ev.mayLeave(xu, k) {
			return
		}
		for l, n := range xu.need {
			if n > 0 {
				s := m.slot(xu.day, k, int8(l))
				addNeed(&ev.room, s, n)
			}
		}
	}
	// Unit j first, then the others away from k, each when its piece gains.
	ev.back = ev.back[:0]
	var gain int64
	for n, b := range append([]int32{j}, ev.awayTo[k]...) {
		if n > 0 && b == j {
			continue
		}
		g, ok := ev.comeBack(b, k, pi, hubOf)
		if !ok || g <= 0 {
			if n == 0 {
				return
			}
			continue
		}
		bu := &ev.units[b]
		for l, c := range bu.need {
			if c > 0 {
				addNeed(&ev.room, m.slot(bu.day, k, int8(l)), -c)
			}
		}
		ev.back = append(ev.back, b)
		gain += g
	}
	// The seats the returning units leave are free for w's piece.
	ev.taken = ev.taken[:0]
	for _, b := range ev.back {
		bu := &ev.units[b]
		for l, c := range bu.need {
			if c > 0 {
				addNeed(&ev.taken, m.slot(bu.day, hubOf[bu.members[0]], int8(l)), -c)
			}
		}
	}
	nTaken := len(ev.taken)
	hubs := ev.hubs[:0]
	for x := pw.unitFrom; x < pw.unitTo; x++ {
		hubs = append(hubs, hubOf[ev.units[x].members[0]])
	}
	ev.hubs = hubs
	before := ev.cost(pw, hubs, hubOf)
	for _, c := range m.reqs[m.cds[w.members[0]].req].cands {
		h := c.hub
		if h == k {
			continue
		}
		ev.taken = ev.taken[:nTaken]
		fits := true
		for x := range hubs {
			xu := &ev.units[pw.unitFrom+int32(x)]
			hubs[x] = hubOf[xu.members[0]]
			if hubs[x] != k {
				continue
			}
			if ev.unitDist(xu, h) < 0 || !ev.fitsAt(xu, h) {
				fits = false
				break
			}
			for l, n := range xu.need {
				if n > 0 {
					addNeed(&ev.taken, m.slot(xu.day, h, int8(l)), n)
				}
			}
			hubs[x] = h
		}
		if !fits {
			continue
		}
		if g := gain + before - ev.cost(pw, hubs, hubOf); g > ev.bestGain {
			ev.bestGain, ev.bestW, ev.bestH = g, v, h
			ev.best = append(ev.best[:0], ev.back...)
		}
	}
}

// pieceCost is piece p's cost as in hubOf; hubs receives its units' hubs.
func (ev *evicter) pieceCost(p *relPiece, hubs *[]int32, hubOf []int32) int64 {
	*hubs = (*hubs)[:0]
	for x := p.unitFrom; x < p.unitTo; x++ {
		*hubs = append(*hubs, hubOf[ev.units[x].members[0]])
	}
	return ev.cost(p, *hubs, hubOf)
}

// placeAt moves, in hubs, piece p's units at hub from to hub to, taking their seats in ev.taken.
// It returns -1 when they all fit, else the first unit that does not (hubs and ev.taken are then
// partly changed).
func (ev *evicter) placeAt(p *relPiece, from, to int32, hubs *[]int32, hubOf []int32) int32 {
	m := ev.m
	*hubs = (*hubs)[:0]
	for x := p.unitFrom; x < p.unitTo; x++ {
		*hubs = append(*hubs, hubOf[ev.units[x].members[0]])
	}
	for i, h := range *hubs {
		if h != from {
			continue
		}
		xu := &ev.units[p.unitFrom+int32(i)]
		if ev.unitDist(xu, to) < 0 || !ev.fitsAt(xu, to) {
			return p.unitFrom + int32(i)
		}
		for l, n := range xu.need {
			if n > 0 {
				addNeed(&ev.taken, m.slot(xu.day, to, int8(l)), n)
			}
		}
		(*hubs)[i] = to
	}
	return -1
}

// leave gives back, in ev.taken, the seats of piece p's units at hub h, when each may leave it.
func (ev *evicter) leave(p int32, h int32, hubOf []int32) bool {
	m := ev.m
	q := &ev.pieces[p]
	for x := q.unitFrom; x < q.unitTo; x++ {
		xu := &ev.units[x]
		if hubOf[xu.members[0]] != h {
			continue
		}
		if !xu.movable || !ev.mayLeave(xu, h) {
			return false
		}
		for l, n := range xu.need {
			if n > 0 {
				addNeed(&ev.taken, m.slot(xu.day, h, int8(l)), -n)
			}
		}
	}
	return true
}

// comeBack prices unit b returning to hub k in the seats ev.room holds, with the units of its
// piece already in ev.back there too: it returns its piece's gain, and false when b may not come
// back (no longer away, not movable, out of reach, no room, or of the evicted piece pw).
func (ev *evicter) comeBack(b, k, pw int32, hubOf []int32) (int64, bool) {
	m := ev.m
	bu := &ev.units[b]
	cur := hubOf[bu.members[0]]
	if cur == k || !bu.movable || ev.pieceOf[b] == pw || ev.unitDist(bu, k) < 0 || !ev.mayLeave(bu, cur) {
		return 0, false
	}
	for l, n := range bu.need {
		if n > 0 && sumNeed(ev.room, m.slot(bu.day, k, int8(l)))+ev.freeAt(bu.day, k, int8(l)) < n {
			return 0, false
		}
	}
	q := &ev.pieces[ev.pieceOf[b]]
	hubs := ev.scratch[:0]
	for x := q.unitFrom; x < q.unitTo; x++ {
		h := hubOf[ev.units[x].members[0]]
		for _, o := range ev.back {
			if o == x {
				h = k
			}
		}
		hubs = append(hubs, h)
	}
	ev.scratch = hubs
	before := ev.cost(q, hubs, hubOf)
	hubs[b-q.unitFrom] = k
	return before - ev.cost(q, hubs, hubOf), true
}

// freeAt is the seats of level l left at hub k on day d, before the move being tried.
func (ev *evicter) freeAt(d, k int32, l int8) int32 {
	s := ev.m.slot(d, k, l)
	return ev.m.seats[s] - ev.im.used[s]
}

// addNeed adds n seats of slot s to needs. It only appends, so that cutting needs back to an
// earlier length undoes what was added since.
func addNeed(needs *[]slotNeed, s int, n int32) { *needs = append(*needs, slotNeed{s, n}) }

// sumNeed is the seats of slot s in needs.
func sumNeed(needs []slotNeed, s int) int32 {
	var n int32
	for _, t := range needs {
		if t.slot == s {
			n += t.n
		}
	}
	return n
}

// fitsAt reports whether hub to hosts unit u's levels on its day with room beyond ev.taken.
func (ev *evicter) fitsAt(u *relUnit, to int32) bool {
	m := ev.m
	for l, n := range u.need {
		if n > 0 {
			s := m.slot(u.day, to, int8(l))
			if m.seats[s] == 0 || m.seats[s]-ev.im.used[s]-sumNeed(ev.taken, s) < n {
				return false
			}
		}
	}
	return true
}
