package alloc

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// weeklyArcs is how many of its nearest hubs a child's usual hub is first sought among: usual hubs
// are a guide, not a rule, and a short list keeps crowded cities fast.
const weeklyArcs = 16

// weeklyHomes chooses a usual hub for every child by placing whole weeks. It builds a one-day
// problem in which each child needs one seat in a hub it can use on all its days, each hub offering
// its fewest free seats over its open days, and places it with the same priority-order algorithm
// as a real day; usual hubs found this way fit every day at once, so the daily passes can keep
// most children in one hub all week. Then, counting each day's real bookings, each unit moves (in
// priority order) to a nearer hub that still has room on all its days, and children left out get
// the nearest such hub. Those still without one fall back to homes(nil), as do children with fixed
// seats (who keep the hub of those seats) and their siblings who must stay with them.
func (m *model) weeklyHomes(ctx context.Context) ([]int32, error) {
	// The fallback hubs depend on distances alone: they are chosen while the week is placed, on
	// the core the smaller class of levels leaves idle.
	fallback := make(chan []int32, 1)
	go func() { fallback <- m.homes(nil) }()
	w := &model{params: m.params, hubIDs: m.hubIDs, hubLoc: m.hubLoc, households: m.households, arcLimit: weeklyArcs}
	w.days = []Day{"week"}
	w.seats = make([]int32, len(m.hubIDs)*numLevels)
	w.fixedN = make([]int32, len(w.seats))
	for h := range m.hubIDs {
		for l := range numLevels {
			least := int32(math.MaxInt32)
			for d := range m.days {
				s := m.slot(int32(d), int32(h), int8(l))
				if m.seats[s] > 0 {
					least = min(least, m.seats[s]-m.fixedN[s])
				}
			}
			if least != math.MaxInt32 {
				w.seats[w.slot(0, int32(h), int8(l))] = least
			}
		}
	}

	anchored := make([]bool, len(m.households)) // households with a fixed seat
	for _, cd := range m.cds {
		if cd.fixedHub >= 0 {
			anchored[m.children[cd.child].household] = true
		}
	}
	n := len(m.children)
	w.childIdx = make(map[int64]int32, n)
	w.reqs, w.cds, w.children = make([]request, 0, n), make([]childDay, 0, n), make([]child, 0, n)
	// Each child's week candidates are its own work: found in parallel, in blocks.
	weekCands := make([][]cand, len(m.children))
	const block = 4096
	_ = forEach((len(m.children)+block-1)/block, func(b int) error {
		for ci := b * block; ci < min(len(m.children), (b+1)*block); ci++ {
			c := &m.children[ci]
			if !anchored[c.household] || (m.households[c.household].allowSplit && !m.hasFixed(int32(ci))) {
				weekCands[ci] = m.weekCands(int32(ci))
			}
		}
		return nil
	})
	index := make([]int32, len(m.children)) // child in m → child in w, or -1
	for ci, c := range m.children {
		index[ci] = -1
		if anchored[c.household] && (!m.households[c.household].allowSplit || m.hasFixed(int32(ci))) {
			continue
		}
		cands := weekCands[ci]
		if len(cands) == 0 {
			continue
		}
		first := m.reqs[m.cds[c.cds[0]].req]
		key := first.key
		for _, cd := range c.cds {
			if k := m.reqs[m.cds[cd].req].key; k.before(key) {
				key = k
			}
		}
		index[ci] = int32(len(w.children))
		w.childIdx[c.id] = index[ci]
		w.reqs = append(w.reqs, request{loc: first.loc, level: c.level, key: key, cands: cands})
		w.cds = append(w.cds, childDay{child: index[ci], req: int32(len(w.reqs) - 1), fixedHub: -1})
		w.children = append(w.children, child{id: c.id, household: c.household, level: c.level, cds: []int32{int32(len(w.cds) - 1)}, days: [maxDayWords]uint64{1}})
	}
	w.buildUnits()
	none := make([]int32, len(w.children))
	for i := range none {
		none[i] = -1
	}
	hubOf, err := w.placeAll(ctx, none, 0)
	homes := <-fallback
	if err != nil {
		return nil, err
	}
	placed := make([]bool, len(m.children))
	for ci := range m.children {
		if wi := index[ci]; wi >= 0 && hubOf[w.children[wi].cds[0]] >= 0 {
			homes[ci] = hubOf[w.children[wi].cds[0]]
			placed[ci] = true
		}
	}

	// The weekly problem counts a seat on every day for every child, which is safe but pushes
	// children who come on different days further than needed. Counting real days, move each unit
	// (in priority order) to the nearest usual hub that still has room on all its days.
	inM := make([]int32, len(w.children)) // child in w → child in m
	for ci, wi := range index {
		if wi >= 0 {
			inM[wi] = int32(ci)
		}
	}
	rl := m.newRelocator(homes)
	var members []int32
	// A unit that stayed is tried again only when a hub in its list has lost a child since: seats
	// are freed only so, and nothing else it reads changes but by its own moves.
	rl.freedAt = make([]int32, len(m.hubIDs))
	triedAt := make([]int32, len(w.units[0]))
	for i := range triedAt {
		triedAt[i] = -1
	}
	for range 4 {
		moved := false
		for ui := range w.units[0] {
			u := &w.units[0][ui]
			if t := triedAt[ui]; t >= 0 && !m.retryAll && !slices.ContainsFunc(w.reqs[w.cds[u.members[0]].req].cands, func(c cand) bool { return rl.freedAt[c.hub] > t }) {
				continue
			}
			rl.step++
			triedAt[ui] = rl.step
			members = members[:0]
			for _, cd := range u.members {
				members = append(members, inM[w.cds[cd].child])
			}
			current := int64(math.MaxInt64)
			if placed[members[0]] {
				current = 0
				for _, ci := range members {
					current += m.weekDistM(ci, homes[ci])
				}
			}
			if rl.relocate(w, index, members, current) {
				triedAt[ui] = -1 // its own move changed what it reads
				moved = true
				for _, ci := range members {
					placed[ci] = true
				}
			}
		}
		if !moved {
			break
		}
	}
	return homes, nil
}

// weekDistM is child ci's distance to hub h summed over its days, or -1 when h is out of reach or
// closed on one of them.
func (m *model) weekDistM(ci, h int32) int64 {
	c := &m.children[ci]
	if c.req >= 0 {
		// One request for all days: one distance, and h must be open on each of them.
		d := m.reqs[c.req].distM(h)
		if d < 0 || m.openOn(h, c.level, &c.days) != len(c.cds) {
			return -1
		}
		return int64(d) * int64(len(c.cds))
	}
	var total int64
	for _, cd := range c.cds {
		d := m.distM(cd, h)
		if d < 0 || m.seats[m.slot(m.cds[cd].day, h, c.level)] == 0 {
			return -1
		}
		total += int64(d)
	}
	return total
}

func (m *model) hasFixed(ci int32) bool {
	return slices.ContainsFunc(m.children[ci].cds, func(cd int32) bool { return m.cds[cd].fixedHub >= 0 })
}

// weekCands lists the hubs child ci can use on every day it needs a seat (fixed days aside),
// nearest first by total distance over those days.
func (m *model) weekCands(ci int32) []cand {
	c := &m.children[ci]
	if c.req >= 0 {
		// One request for all days: the hubs open on all of them, in the request's order.
		all := int32(len(c.cds))
		out := make([]cand, 0, len(m.reqs[c.req].cands))
		for _, k := range m.reqs[c.req].cands {
			if m.openOn(k.hub, c.level, &c.days) == int(all) {
				out = append(out, cand{hub: k.hub, distM: int32(min(int64(k.distM)*int64(all), math.MaxInt32))})
			}
		}
		return out
	}
	type total struct {
		hub   int32
		distM int64
	}
	var ts []total
	for i, cd := range c.cds {
		day := m.cds[cd].day
		req := &m.reqs[m.cds[cd].req]
		if i == 0 {
			ts = make([]total, 0, len(req.cands))
			for _, k := range req.cands {
				if m.seats[m.slot(day, k.hub, c.level)] > 0 {
					ts = append(ts, total{k.hub, int64(k.distM)})
				}
			}
			continue
		}
		kept := ts[:0]
		for _, t := range ts {
			if dm := req.distM(t.hub); dm >= 0 && m.seats[m.slot(day, t.hub, c.level)] > 0 {
				kept = append(kept, total{t.hub, t.distM + int64(dm)})
			}
		}
		ts = kept
	}
	slices.SortFunc(ts, func(a, b total) int { return cmp.Or(cmp.Compare(a.distM, b.distM), cmp.Compare(a.hub, b.hub)) })
	// The cost of a usual hub is the distance over all the child's days.
	out := make([]cand, len(ts))
	for i, t := range ts {
		out[i] = cand{hub: t.hub, distM: int32(min(t.distM, math.MaxInt32))}
	}
	return out
}

// relocator moves usual hubs while counting, for each day, hub and level, the children whose usual
// hub it is.
type relocator struct {
	m     *model
	homes []int32
	free  []int32 // seats − fixed − children with that usual hub, by slot
	need  []slotNeed
	// freedAt is, for each hub, the step at which a child last left it (when set).
	freedAt []int32
	step    int32
}

type slotNeed struct {
	slot int
	n    int32
}

func (m *model) newRelocator(homes []int32) *relocator {
	rl := &relocator{m: m, homes: homes, free: make([]int32, len(m.seats))}
	for s := range m.seats {
		rl.free[s] = m.seats[s] - m.fixedN[s]
	}
	for ci, h := range homes {
		if h >= 0 {
			rl.add(int32(ci), h, -1)
		}
	}
	return rl
}

// add counts (sign −1) or uncounts (+1) child ci's open days at hub h where h hosts its level.
func (rl *relocator) add(ci, h int32, sign int32) {
	m := rl.m
	c := m.children[ci]
	for _, cd := range c.cds {
		if m.cds[cd].fixedHub >= 0 {
			continue
		}
		if s := m.slot(m.cds[cd].day, h, c.level); m.seats[s] > 0 {
			rl.free[s] += sign
		}
	}
}

// relocate moves the members (children of m, sharing one usual hub) to the cheapest hub, by their
// weekly distance in w, that costs less than current and has room on all their days.
func (rl *relocator) relocate(w *model, index []int32, members []int32, current int64) bool {
	m := rl.m
	first := w.reqs[w.cds[w.children[index[members[0]]].cds[0]].req].cands
next:
	for _, c := range first {
		cost := int64(c.distM)
		for _, ci := range members[1:] {
			d := m.weekDistM(ci, c.hub)
			if d < 0 {
				continue next
			}
			cost += d
		}
		if cost >= current {
			return false
		}
		rl.need = rl.need[:0]
		for _, ci := range members {
			for _, cd := range m.children[ci].cds {
				if m.cds[cd].fixedHub >= 0 {
					continue
				}
				s := m.slot(m.cds[cd].day, c.hub, m.children[ci].level)
				if i := slices.IndexFunc(rl.need, func(n slotNeed) bool { return n.slot == s }); i >= 0 {
					rl.need[i].n++
				} else {
					rl.need = append(rl.need, slotNeed{s, 1})
				}
			}
		}
		for _, n := range rl.need {
			if rl.free[n.slot] < n.n {
				continue next
			}
		}
		for _, ci := range members {
			if old := rl.homes[ci]; old >= 0 {
				rl.add(ci, old, +1)
				if rl.freedAt != nil {
					rl.freedAt[old] = rl.step
				}
			}
			rl.homes[ci] = c.hub
			rl.add(ci, c.hub, -1)
		}
		return true
	}
	return false
}
