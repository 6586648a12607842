package alloc

// evictRounds bounds the sweeps of evictWeeks over all pieces.
const evictRounds = 3

// evictWeeks brings units back to their usual hub K on the days K is full, by moving out of K, for
// the whole week, the piece of another unit there: every unit of that piece at K goes to one hub
// H with room on each of its days (the seat the returning unit leaves included, so the two may
// trade places). tryEvict moves the other unit for that day only, which charges it a hub change,
// so on a crowded week it rarely gains; relocate moves a piece only for its own gain. Here the
// gain is counted for both pieces together: a child who lives nearly as close to H as to K gives
// its seat to one who would otherwise spend a day away. On the small cut of the generated académie
// week (seed 1, 287 children, 35 hubs) the run spent 47 days away from usual hubs, most of them
// one day of a week spent in a hub full that day.
//
// Why the rules hold, as in relocate: units move whole (siblings kept together stay together);
// each goes only to a hub that hosts its members' levels that day, within reach of each, with a
// free seat for each beyond those already taken by the move; fixed seats, pinned units and
// waitlisted child-days stay as they are; and each unit leaves a hub only when mayLeave allows it,
// so no waitlisted unit's count of seats free or held by lower children rises. A move is made only
// when the two pieces' share of the weekly objective falls, so the objective falls.
func (m *model) evictWeeks(hubOf []int32) {
	im := m.newImprover(hubOf)
	rl := m.newWeekMover(hubOf, im)
	for range evictRounds {
		moved := false
		for i := range rl.pieces {
			if rl.tryEvictWeek(int32(i), hubOf) {
				moved = true
			}
		}
		if !moved {
			break
		}
	}
}

// tryEvictWeek tries, for each unit of piece i away from its usual hub, the best whole-week
// eviction that makes room for it there, and applies it when it gains.
func (rl *weekMover) tryEvictWeek(i int32, hubOf []int32) bool {
	m := rl.m
	p := &rl.pieces[i]
	if rl.changes(p, hubOf) == 0 {
		return false
	}
	moved := false
	for j := p.unitFrom; j < p.unitTo; j++ {
		u := &rl.units[j]
		if !u.movable {
			continue
		}
		cur := hubOf[u.members[0]]
		k := rl.usualHub(m.cds[u.members[0]].child, hubOf)
		if k == cur || k < 0 || !rl.mayLeave(u, cur) || rl.unitDist(u, k) < 0 {
			continue
		}
		gainJ := rl.unitCost(j, cur, hubOf) - rl.unitCost(j, k, hubOf)
		if gainJ <= 0 {
			continue
		}
		best := rl.bestEviction(j, cur, k, gainJ, hubOf)
		if best.piece < 0 {
			continue
		}
		rl.move(j, k, hubOf) // u first: it may free a seat the evicted piece takes
		pw := &rl.pieces[best.piece]
		for v := pw.unitFrom; v < pw.unitTo; v++ {
			if hubOf[rl.units[v].members[0]] == k && rl.units[v].day != u.day || v == best.unit {
				rl.move(v, best.hub, hubOf)
			}
		}
		moved = true
	}
	return moved
}

type eviction struct {
	piece, unit, hub int32
}

// bestEviction finds, for unit j at hub cur whose usual hub k is full on its day, the piece with a
// unit at k that day whose units at k all move to one hub with the largest joint gain above 0
// (gainJ being unit j's own gain at k). It returns piece -1 when none gains.
func (rl *weekMover) bestEviction(j, cur, k int32, gainJ int64, hubOf []int32) eviction {
	m := rl.m
	u := &rl.units[j]
	best := eviction{-1, -1, -1}
	var bestGain int64
	for _, v := range rl.at[rl.atIndex(u.day, k)] {
		w := &rl.units[v]
		pi := rl.pieceOf[v]
		if pi == rl.pieceOf[j] || !w.movable || !rl.frees(w, u, k) {
			continue
		}
		pw := &rl.pieces[pi]
		// The units of w's piece at k, all movable and free to leave k.
		ok := true
		for x := pw.unitFrom; x < pw.unitTo && ok; x++ {
			if x := &rl.units[x]; hubOf[x.members[0]] == k {
				ok = x.movable && rl.mayLeave(x, k)
			}
		}
		if !ok {
			continue
		}
		hubs := make([]int32, pw.unitTo-pw.unitFrom)
		for x := range hubs {
			hubs[x] = hubOf[rl.units[pw.unitFrom+int32(x)].members[0]]
		}
		before := rl.cost(pw, hubs, hubOf)
		for _, c := range m.reqs[m.cds[w.members[0]].req].cands {
			h := c.hub
			if h == k {
				continue
			}
			// The seats u leaves at cur on its day are free for w's piece.
			rl.taken = rl.taken[:0]
			if h == cur {
				for l, n := range u.need {
					if n > 0 {
						rl.taken = append(rl.taken, slotNeed{m.slot(u.day, cur, int8(l)), -n})
					}
				}
			}
			fits := true
			for x := range hubs {
				xu := &rl.units[pw.unitFrom+int32(x)]
				hubs[x] = hubOf[xu.members[0]]
				if hubs[x] != k {
					continue
				}
				if rl.unitDist(xu, h) < 0 || !rl.hasRoom(xu, h, rl.taken) {
					fits = false
					break
				}
				rl.take(xu, h)
				hubs[x] = h
			}
			if !fits {
				continue
			}
			gain := gainJ + before - rl.cost(pw, hubs, hubOf)
			if gain > bestGain {
				bestGain, best = gain, eviction{pi, v, h}
			}
		}
	}
	return best
}

// frees reports whether unit w leaving hub k makes room there for unit u: on u's day, k's seats
// left plus w's make each level u needs.
func (rl *weekMover) frees(w, u *relUnit, k int32) bool {
	m, im := rl.m, rl.im
	for l, n := range u.need {
		if n > 0 {
			s := m.slot(u.day, k, int8(l))
			if m.seats[s]-im.used[s]+w.need[l] < n {
				return false
			}
		}
	}
	return true
}

// take adds unit u's seats at hub h to rl.taken.
func (rl *weekMover) take(u *relUnit, h int32) {
	for l, n := range u.need {
		if n == 0 {
			continue
		}
		s := rl.m.slot(u.day, h, int8(l))
		found := false
		for i := range rl.taken {
			if rl.taken[i].slot == s {
				rl.taken[i].n += n
				found = true
			}
		}
		if !found {
			rl.taken = append(rl.taken, slotNeed{s, n})
		}
	}
}
