package alloc

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
	if !m.polishes() {
		return
	}
	now := m.objectiveMetres(hubOf)
	for range polishRounds {
		m.reflow(hubOf, true)
		m.moveWeeks(hubOf)
		m.reflow(hubOf, false) // the seats the groups left used, each day at least cost again
		m.improve(hubOf)
		m.relocate(hubOf)
		m.evictWeeks(hubOf)
		m.improve(hubOf)
		m.chains(hubOf)
		m.recreate(hubOf)
		next := m.objectiveMetres(hubOf)
		if next >= now {
			break
		}
		now = next
	}
}

// polishes reports whether the problem's size is in polish's range (and pricedPass's).
func (m *model) polishes() bool {
	return len(m.cds) >= polishMinChildDays && len(m.cds) <= polishMaxChildDays
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
