package alloc

import "slices"

// relocateRounds bounds the sweeps of relocate over all pieces.
const relocateRounds = 4

// relocate lowers the weekly objective of a finished pass (the distance plus HubChangeKm for each
// placed day a child spends away from its usual hub, see hubChangeDays) without touching the
// stronger rules. The daily flows decide day by day who leaves a full hub, given usual hubs chosen
// before, and place sibling groups greedily; a child may so end up away from its usual hub on the
// days it is full, where moving it, or its brothers and sisters with it, to another hub for the
// whole week would cost less. relocate tries exactly that: each piece (a child alone, or the
// brothers and sisters kept together on some day, linked over the week) moves the units it forms
// on each day to one hub K, on the days K has room, for every K in its reach, and takes the move
// that lowers its cost the most; a move that gains nothing is not made.
//
// Why the rules hold, as in improve: a unit of a day moves whole (siblings kept together stay
// together, split ones stay apart), only to a hub that hosts all its members' levels that day,
// within reach of each, with a free seat for each; fixed seats, units restricted to their fixed
// siblings' hubs and the child-days waitlisted stay as they are; and a unit leaves a seat that a
// waitlisted unit could claim only when its children there are of lower priority than every such
// unit (mayLeave), so no claimant ever gains a seat it could claim.
func (m *model) relocate(hubOf []int32) {
	im := m.newImprover(hubOf) // for seats used and the contested slots
	rl := m.newWeekMover(hubOf, im)
	// A piece that stayed is tried again only when a seat it counted on has changed since, or one
	// of its units was moved: its search reads nothing else that changes (see readsChanged).
	rl.changedAt = make([]int32, len(m.days)*len(m.hubIDs))
	rl.triedAt = make([]int32, len(rl.pieces))
	for i := range rl.triedAt {
		rl.triedAt[i] = -1
	}
	for range relocateRounds {
		moved := false
		for i := range rl.pieces {
			if t := rl.triedAt[i]; t >= 0 && !m.retryAll && !rl.readsChanged(int32(i), t) {
				continue
			}
			rl.step++
			rl.triedAt[i] = rl.step
			if rl.tryPiece(int32(i), hubOf) {
				moved = true
			}
		}
		for i := range rl.pieces {
			if rl.tryEvict(int32(i), hubOf) {
				moved = true
			}
		}
		if !moved {
			break
		}
	}
}

type weekMover struct {
	m       *model
	im      *improver
	pieces  []relPiece
	units   []relUnit
	kids    []int32   // children of the pieces
	unitOf  []int32   // each placed, non-fixed child-day's unit
	pieceOf []int32   // each unit's piece
	at      [][]int32 // units at each day and hub, by day × hubs + hub
	// Scratch: the seats taken by the relocation being tried, and a child's hubs.
	taken   []slotNeed
	hubs    []int32
	scratch []int32
	// For relocate's rounds (nil otherwise): changedAt is the step at which a move last changed
	// the seats used at each day × hubs + hub, triedAt the step at which each piece was last
	// tried, −1 when one of its units has moved since.
	changedAt, triedAt []int32
	step               int32
}

type relPiece struct {
	index            int32
	kidFrom, kidTo   int32
	unitFrom, unitTo int32
}

// relUnit is what moves as a whole on one day: its placed child-days.
type relUnit struct {
	members []int32
	day     int32
	need    [numLevels]int32
	movable bool
}

func (m *model) newWeekMover(hubOf []int32, im *improver) *weekMover {
	rl := &weekMover{m: m, im: im, unitOf: make([]int32, len(m.cds))}
	units, pieces := m.weekPieces(hubOf)
	rl.pieces = make([]relPiece, 0, len(pieces))
	rl.units = make([]relUnit, 0, len(units))
	rl.pieceOf = make([]int32, 0, len(units))
	rl.kids = make([]int32, 0, len(m.children))
	for _, idx := range pieces {
		p := relPiece{index: int32(len(rl.pieces)), kidFrom: int32(len(rl.kids)), unitFrom: int32(len(rl.units))}
		for _, i := range idx {
			du := &units[i]
			rl.units = append(rl.units, relUnit{members: du.members, day: du.day, need: du.u.need, movable: !du.pinned})
			for _, cd := range units[i].members {
				rl.unitOf[cd] = int32(len(rl.units) - 1)
				if c := m.cds[cd].child; !slices.Contains(rl.kids[p.kidFrom:], c) {
					rl.kids = append(rl.kids, c)
				}
			}
		}
		p.kidTo, p.unitTo = int32(len(rl.kids)), int32(len(rl.units))
		for range p.unitTo - p.unitFrom {
			rl.pieceOf = append(rl.pieceOf, p.index)
		}
		rl.pieces = append(rl.pieces, p)
	}
	rl.at = make([][]int32, len(m.days)*len(m.hubIDs))
	for j := range rl.units {
		u := &rl.units[j]
		k := rl.atIndex(u.day, hubOf[u.members[0]])
		rl.at[k] = append(rl.at[k], int32(j))
	}
	return rl
}

// cost is the piece's part of the weekly objective, in metres, with its units at hubs (one per
// unit, in order) and everything else as in hubOf.
func (rl *weekMover) cost(p *relPiece, hubs []int32, hubOf []int32) int64 {
	total := rl.changeCost(p, hubs, hubOf)
	for i := range hubs {
		total += rl.unitDist(&rl.units[p.unitFrom+int32(i)], hubs[i])
	}
	return total
}

// unitDist is the distance of unit u's members at hub h, in metres, or -1 when h is out of reach
// of one of them.
func (rl *weekMover) unitDist(u *relUnit, h int32) int64 {
	var total int64
	for _, cd := range u.members {
		d := rl.m.distM(cd, h)
		if d < 0 {
			return -1
		}
		total += int64(d)
	}
	return total
}

// changeCost is HubChangeKm, in metres, for each placed day of the piece's children away from
// their usual hub, with its units at hubs.
func (rl *weekMover) changeCost(p *relPiece, hubs []int32, hubOf []int32) int64 {
	m := rl.m
	var total int64
	for _, ci := range rl.kids[p.kidFrom:p.kidTo] {
		rl.hubs = rl.hubs[:0]
		for _, cd := range m.children[ci].cds {
			h := hubOf[cd]
			if h < 0 {
				continue
			}
			if m.cds[cd].fixedHub < 0 {
				h = hubs[rl.unitOf[cd]-p.unitFrom]
			}
			rl.hubs = append(rl.hubs, h)
		}
		total += m.penalty * int64(len(rl.hubs)-mostFrequent(rl.hubs))
	}
	return total
}

// changes counts the piece's placed days away from its children's usual hubs in hubOf.
func (rl *weekMover) changes(p *relPiece, hubOf []int32) int {
	n := 0
	for _, ci := range rl.kids[p.kidFrom:p.kidTo] {
		rl.hubs = rl.hubs[:0]
		for _, cd := range rl.m.children[ci].cds {
			if h := hubOf[cd]; h >= 0 {
				rl.hubs = append(rl.hubs, h)
			}
		}
		n += len(rl.hubs) - mostFrequent(rl.hubs)
	}
	return n
}

// canMove reports whether unit u may leave hub from for hub to: to hosts its members' levels that
// day within their reach and has room beyond the seats taken, and leaving from raises no
// waitlisted unit's claim.
func (rl *weekMover) canMove(u *relUnit, from, to int32, taken []slotNeed) bool {
	return rl.roomFor(u, from, to, taken) && rl.unitDist(u, to) >= 0
}

// roomFor is canMove without the reach: to hosts the unit's levels that day with room beyond the
// seats taken, and leaving from raises no waitlisted unit's claim.
func (rl *weekMover) roomFor(u *relUnit, from, to int32, taken []slotNeed) bool {
	return rl.hasRoom(u, to, taken) && rl.mayLeave(u, from)
}

// hasRoom reports whether hub to hosts unit u's levels on its day with room beyond the seats taken.
func (rl *weekMover) hasRoom(u *relUnit, to int32, taken []slotNeed) bool {
	m, im := rl.m, rl.im
	for l, n := range u.need {
		if n > 0 {
			s := m.slot(u.day, to, int8(l))
			if m.seats[s] == 0 || m.seats[s]-im.used[s]-neededAt(taken, s) < n {
				return false
			}
		}
	}
	return true
}

// take adds unit u's seats at hub h to rl.taken, one entry per slot.
func (rl *weekMover) take(u *relUnit, h int32) {
	for l, n := range u.need {
		if n == 0 {
			continue
		}
		s := rl.m.slot(u.day, h, int8(l))
		if i := slices.IndexFunc(rl.taken, func(t slotNeed) bool { return t.slot == s }); i >= 0 {
			rl.taken[i].n += n
		} else {
			rl.taken = append(rl.taken, slotNeed{s, n})
		}
	}
}

func neededAt(taken []slotNeed, s int) int32 {
	for _, t := range taken {
		if t.slot == s {
			return t.n
		}
	}
	return 0
}

// tryPiece applies the best relocation of piece i, if one lowers its cost. Only pieces with hub
// changes are tried: moving a piece that has one hub all week is improve's work.
func (rl *weekMover) tryPiece(i int32, hubOf []int32) bool {
	m := rl.m
	p := &rl.pieces[i]
	if rl.changes(p, hubOf) == 0 {
		return false
	}
	units := rl.units[p.unitFrom:p.unitTo]
	current := make([]int32, len(units))
	for j := range units {
		current[j] = hubOf[units[j].members[0]]
	}
	best := slices.Clone(current)
	trial := make([]int32, len(units))
	curDist, kDist := make([]int64, len(units)), make([]int64, len(units))
	var dist int64
	for j := range units {
		curDist[j] = rl.unitDist(&units[j], current[j])
		dist += curDist[j]
	}
	now := dist + rl.changeCost(p, current, hubOf)
	bestCost := now
	// Every hub in reach of the piece's first unit. A child alone on the request of that unit is
	// at the candidate's own distance there, which spares a search of its candidates.
	first := m.cds[units[0].members[0]].req
	for _, kc := range m.reqs[first].cands {
		k := kc.hub
		copy(trial, current)
		rl.taken = rl.taken[:0]
		moved := dist
		for j := range units {
			u := &units[j]
			if !u.movable || trial[j] == k || !rl.roomFor(u, trial[j], k, rl.taken) {
				continue
			}
			d := int64(kc.distM)
			if len(u.members) != 1 || m.cds[u.members[0]].req != first {
				if d = rl.unitDist(u, k); d < 0 {
					continue
				}
			}
			trial[j], kDist[j] = k, d
			moved += kDist[j] - curDist[j]
			rl.take(u, k)
		}
		if slices.Equal(trial, current) {
			continue
		}
		c := moved + rl.changeCost(p, trial, hubOf)
		// A day moved may cost more than it saves: put such days back, one at a time.
		for j := range units {
			if trial[j] == current[j] {
				continue
			}
			trial[j] = current[j]
			if back := moved - kDist[j] + curDist[j] + rl.changeCost(p, trial, hubOf); back < c {
				c, moved = back, moved-kDist[j]+curDist[j]
			} else {
				trial[j] = k
			}
		}
		if c < bestCost {
			bestCost = c
			copy(best, trial)
		}
	}
	if bestCost >= now {
		return false
	}
	for j := range units {
		if current[j] != best[j] {
			rl.move(p.unitFrom+int32(j), best[j], hubOf)
		}
	}
	return true
}

// readsChanged reports whether a move since step t changed the seats tryPiece's search of piece i
// reads: at the hubs in reach of its first unit, on the days of its units that may move. (It also
// reads its own units' hubs, which only moves of its units change, and those reset triedAt.)
func (rl *weekMover) readsChanged(i int32, t int32) bool {
	m := rl.m
	p := &rl.pieces[i]
	units := rl.units[p.unitFrom:p.unitTo]
	cands := m.reqs[m.cds[units[0].members[0]].req].cands
	for j := range units {
		if !units[j].movable {
			continue
		}
		row := rl.changedAt[rl.atIndex(units[j].day, 0):]
		for _, c := range cands {
			if row[c.hub] > t {
				return true
			}
		}
	}
	return false
}

// move puts unit j at hub to.
func (rl *weekMover) move(j, to int32, hubOf []int32) {
	m := rl.m
	u := &rl.units[j]
	from := hubOf[u.members[0]]
	if rl.triedAt != nil {
		rl.step++ // after every try so far, whoever moves (tryEvict moves too)
		rl.triedAt[rl.pieceOf[j]] = -1
		rl.changedAt[rl.atIndex(u.day, from)] = rl.step
		rl.changedAt[rl.atIndex(u.day, to)] = rl.step
	}
	for _, cd := range u.members {
		l := m.children[m.cds[cd].child].level
		rl.im.used[m.slot(u.day, from, l)]--
		rl.im.used[m.slot(u.day, to, l)]++
		hubOf[cd] = to
	}
	k := rl.atIndex(u.day, from)
	rl.at[k] = slices.DeleteFunc(rl.at[k], func(v int32) bool { return v == j })
	k = rl.atIndex(u.day, to)
	rl.at[k] = append(rl.at[k], j)
}

func (rl *weekMover) atIndex(day, hub int32) int { return int(day)*len(rl.m.hubIDs) + int(hub) }

// unitCost is the cost of unit j's piece with unit j at hub h and the rest as in hubOf.
func (rl *weekMover) unitCost(j, h int32, hubOf []int32) int64 {
	p := &rl.pieces[rl.pieceOf[j]]
	hubs := rl.scratch[:0]
	for i := p.unitFrom; i < p.unitTo; i++ {
		hubs = append(hubs, hubOf[rl.units[i].members[0]])
	}
	hubs[j-p.unitFrom] = h
	rl.scratch = hubs
	return rl.cost(p, hubs, hubOf)
}

// tryEvict brings back, one day at a time, the units of piece i that are away from their usual hub
// K because K is full that day: a unit of another piece, of the same levels, leaves K for a hub
// with room that day (the first unit's hub included: the two swap), when both together gain.
func (rl *weekMover) tryEvict(i int32, hubOf []int32) bool {
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
		if k == cur || k < 0 {
			continue
		}
		before := rl.unitCost(j, cur, hubOf)
		gainJ := before - rl.unitCost(j, k, hubOf)
		if gainJ <= 0 {
			continue
		}
		// The seats u frees at cur, for the unit it displaces: the two may swap.
		var frees []slotNeed
		for l, n := range u.need {
			if n > 0 {
				frees = append(frees, slotNeed{m.slot(u.day, cur, int8(l)), -n})
			}
		}
		bestGain, bestV, bestH := int64(0), int32(-1), int32(-1)
		for _, v := range rl.at[rl.atIndex(u.day, k)] {
			w := &rl.units[v]
			if rl.pieceOf[v] == i || !w.movable || w.need != u.need {
				continue
			}
			// w must leave K (the seats go to u, so only the claimants' rule matters) for a hub
			// with room; u must then fit at K and may leave cur.
			if !rl.mayLeave(w, k) {
				continue
			}
			rl.taken = rl.taken[:0] // the seats w frees at K, for u
			for l, n := range w.need {
				if n > 0 {
					rl.taken = append(rl.taken, slotNeed{m.slot(u.day, k, int8(l)), -n})
				}
			}
			if !rl.canMove(u, cur, k, rl.taken) {
				continue
			}
			wBefore := rl.unitCost(v, k, hubOf)
			// w's piece with w at h costs the distance of its other units, the same for every h,
			// plus w's at h and the piece's hub changes: the first is summed once.
			pw := &rl.pieces[rl.pieceOf[v]]
			hubs := rl.scratch[:0]
			var others int64
			for i := pw.unitFrom; i < pw.unitTo; i++ {
				h := hubOf[rl.units[i].members[0]]
				hubs = append(hubs, h)
				if i != v {
					others += rl.unitDist(&rl.units[i], h)
				}
			}
			rl.scratch = hubs
			for _, c := range m.reqs[m.cds[w.members[0]].req].cands {
				h := c.hub
				// w may leave K (checked above): only room and reach at h are left to check.
				if h == k || !rl.hasRoom(w, h, frees) {
					continue
				}
				dist := rl.unitDist(w, h)
				if dist < 0 {
					continue
				}
				hubs[v-pw.unitFrom] = h
				gain := gainJ + wBefore - (rl.changeCost(pw, hubs, hubOf) + others + dist)
				if gain > bestGain {
					bestGain, bestV, bestH = gain, v, h
				}
			}
		}
		if bestV < 0 {
			continue
		}
		rl.move(j, k, hubOf) // u first: it may free the seat w takes
		rl.move(bestV, bestH, hubOf)
		moved = true
	}
	return moved
}

// mayLeave reports whether unit u may leave hub h without raising a waitlisted unit's claim.
func (rl *weekMover) mayLeave(u *relUnit, h int32) bool {
	m, im := rl.m, rl.im
	for _, cd := range u.members {
		s := m.slot(u.day, h, m.children[m.cds[cd].child].level)
		if im.contested[s] && !im.worst[s].before(im.keyOf[cd]) {
			return false
		}
	}
	return true
}

// usualHub is the hub of most of child ci's placed days (the first such hub by index), or -1.
func (rl *weekMover) usualHub(ci int32, hubOf []int32) int32 {
	best, bestN := int32(-1), 0
	for _, cd := range rl.m.children[ci].cds {
		h := hubOf[cd]
		if h < 0 {
			continue
		}
		n := 0
		for _, cd2 := range rl.m.children[ci].cds {
			if hubOf[cd2] == h {
				n++
			}
		}
		if n > bestN || (n == bestN && h < best) {
			best, bestN = h, n
		}
	}
	return best
}
