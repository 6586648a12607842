package alloc

import (
	"cmp"
	"context"
	"math"
	"slices"
)

// maxGroupTrials bounds how many hubs needing moves are priced for one sibling group before the
// cheapest so far is taken. It only affects distance, never who gets a seat.
const maxGroupTrials = 4

// placeAll runs one placement pass over all days and returns, for each child-day, its hub or -1.
// homes gives each child's usual hub (or -1); penalty is added to every other hub.
//
// On each day, units are taken in priority order. A child alone is inserted in its level's network
// (it may move children placed before it, never unplace them). A sibling group is given seats in
// one hub for all its levels; seats may be freed by moving children placed before, and the group is
// never moved afterwards. A family group that no hub can take together is then inserted child by
// child, as children alone; an all-or-none unit waits. Because a unit is refused only when no rearrangement of the units placed
// before it makes room, and later units only take seats (see network), no unit is ever waitlisted
// while a seat it could use went to a unit after it.
func (m *model) placeAll(ctx context.Context, homes []int32, penalty int64) ([]int32, error) {
	hubOf := make([]int32, len(m.cds))
	for i, cd := range m.cds {
		hubOf[i] = cd.fixedHub
	}
	// Days are independent, and each writes only its own child-days. So are, within a day, the
	// two classes of levels (see familyClass) when no all-or-none unit spans both: a unit of one
	// class touches only its levels' networks, so each class placed on its own, in the same
	// order, gives the same placement. Two cores then have work even on the one-day problem of
	// weeklyHomes. The largest jobs go first, so that the last one to end is short.
	jobs := m.placeJobs()
	err := forEach(len(jobs), func(j int) error {
		dp := &dayPlacer{m: m, homes: homes, penalty: penalty, class: jobs[j].class}
		return dp.placeDay(ctx, jobs[j].day, hubOf)
	})
	if err != nil {
		return nil, err
	}
	return hubOf, nil
}

// placeJob is a day, or one class of levels of a day (class -1: all levels), placed on its own.
type placeJob struct {
	day   int32
	class int
	size  int // child-days to place, to schedule the largest first
}

// placeJobs splits the days of a pass into independent jobs, largest first.
func (m *model) placeJobs() []placeJob {
	var jobs []placeJob
	for d, us := range m.units {
		var size [2]int
		split := true
		for i := range us {
			c := unitClass(&us[i])
			if c < 0 {
				split = false
				break
			}
			size[c] += len(us[i].members)
		}
		if !split {
			jobs = append(jobs, placeJob{day: int32(d), class: -1, size: size[0] + size[1]})
			continue
		}
		for c, n := range size {
			if n > 0 {
				jobs = append(jobs, placeJob{day: int32(d), class: c, size: n})
			}
		}
	}
	slices.SortStableFunc(jobs, func(a, b placeJob) int { return cmp.Compare(b.size, a.size) })
	return jobs
}

// unitClass is the class of levels (familyClass) of a unit's members, or -1 when they span both.
func unitClass(u *unit) int {
	college := u.need[College.index()] > 0
	switch {
	case !college:
		return 0
	case u.need[Maternelle.index()]+u.need[Elementaire.index()] == 0:
		return 1
	}
	return -1
}

type dayPlacer struct {
	m       *model
	homes   []int32
	penalty int64
	// class, when not -1, limits the placer to the units and networks of that class of levels
	// (see placeJobs).
	class int
	nets  [numLevels]*network

	// Scratch for a group's candidate hubs, indexed by hub.
	mark   []uint32
	count  []int32
	cost   []int64
	noRoom [numLevels][]uint32 // = stamp when the hub cannot get the group's seats of that level
	stamp  uint32
	hubs   []int32
}

func (dp *dayPlacer) placeDay(ctx context.Context, d int32, hubOf []int32) error {
	m := dp.m
	nHub := len(m.hubIDs)
	for l := range dp.nets {
		if dp.class >= 0 && familyClass(int8(l)) != dp.class {
			continue
		}
		dp.nets[l] = newNetwork(m.seatsLeft(d, int8(l)), dp.penalty)
	}
	// Every child of the day may become a kid: the networks are sized once for them.
	var most [numLevels]int
	for i := range m.units[d] {
		u := &m.units[d][i]
		if dp.class < 0 || unitClass(u) == dp.class {
			for l, n := range u.need {
				most[l] += int(n)
			}
		}
	}
	for l, n := range dp.nets {
		if n != nil {
			n.reserve(most[l])
		}
	}
	if len(dp.mark) != nHub {
		dp.mark = make([]uint32, nHub)
		dp.count = make([]int32, nHub)
		dp.cost = make([]int64, nHub)
		for l := range dp.noRoom {
			dp.noRoom[l] = make([]uint32, nHub)
		}
	}

	type placedKid struct {
		cd  int32
		kid int32
	}
	var kids [numLevels][]placedKid
	alone := func(cd int32) {
		req := &m.reqs[m.cds[cd].req]
		n := dp.nets[req.level]
		k := n.addKid(req.cands, dp.homes[m.cds[cd].child])
		if m.arcLimit > 0 && len(req.cands) > m.arcLimit {
			n.kids[k].cands = req.cands[:m.arcLimit]
			if n.insert(k) {
				kids[req.level] = append(kids[req.level], placedKid{cd, k})
				return
			}
			n.kids[k].cands = req.cands
		}
		if n.insert(k) {
			kids[req.level] = append(kids[req.level], placedKid{cd, k})
		}
	}
	for i := range m.units[d] {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		u := &m.units[d][i]
		if dp.class >= 0 && unitClass(u) != dp.class {
			continue
		}
		if !u.together() {
			alone(u.members[0])
			continue
		}
		if h := dp.placeGroup(u); h >= 0 {
			for _, cd := range u.members {
				hubOf[cd] = h
			}
			continue
		}
		if !u.strict {
			// No hub can take the family group together: each child is placed on their own
			// rather than kept waiting for a brother or sister.
			for _, cd := range u.members {
				alone(cd)
			}
		}
	}
	for l, ks := range kids {
		for _, pk := range ks {
			hubOf[pk.cd] = dp.nets[l].kids[pk.kid].hub
		}
	}
	return nil
}

// placeGroup gives the group seats in the hub of least cost (its members' distances and penalties
// plus the cost of moving children to make room), and returns the hub or -1 if no hub can take it.
func (dp *dayPlacer) placeGroup(u *unit) int32 {
	m := dp.m
	dp.stamp++
	dp.hubs = dp.hubs[:0]
	for i, cd := range u.members {
		req := &m.reqs[m.cds[cd].req]
		home := dp.homes[m.cds[cd].child]
		n := dp.nets[req.level]
		for _, c := range req.cands {
			h := c.hub
			if n.cap[h] <= 0 {
				continue
			}
			w := int64(c.distM)
			if home >= 0 && h != home {
				w += dp.penalty
			}
			switch {
			case i == 0:
				if u.allowed != nil && !slices.Contains(u.allowed, h) {
					continue
				}
				dp.mark[h], dp.count[h], dp.cost[h] = dp.stamp, 1, w
			case dp.mark[h] == dp.stamp && dp.count[h] == int32(i):
				dp.count[h]++
				dp.cost[h] += w
			}
		}
	}
	all := int32(len(u.members))
	for _, c := range m.reqs[m.cds[u.members[0]].req].cands {
		if dp.mark[c.hub] == dp.stamp && dp.count[c.hub] == all {
			dp.hubs = append(dp.hubs, c.hub)
		}
	}
	slices.SortFunc(dp.hubs, func(a, b int32) int {
		return cmp.Or(cmp.Compare(dp.cost[a], dp.cost[b]), cmp.Compare(a, b))
	})

	best, bestCost, trials := int32(-1), int64(math.MaxInt64), 0
	for _, h := range dp.hubs {
		if dp.cost[h] >= bestCost {
			break
		}
		if !dp.mayFit(u, h) {
			continue
		}
		moves, ok := dp.reserve(u, h)
		if !ok {
			continue
		}
		if moves == 0 {
			// Hubs further in the list cost at least as much: keep this one.
			dp.end(u, true)
			return h
		}
		dp.end(u, false)
		if total := dp.cost[h] + moves; total < bestCost {
			best, bestCost = h, total
		}
		if trials++; trials == maxGroupTrials {
			break
		}
	}
	if best < 0 {
		return -1
	}
	if _, ok := dp.reserve(u, best); !ok {
		// The state is the one in which best was priced, so this cannot happen.
		panic("alloc: sibling group reservation is not reproducible")
	}
	dp.end(u, true)
	return best
}

// mayFit rules out, cheaply, hubs that cannot get the group's seats: too few seats, or too few
// free seats within reach of the moves that could free them. The second test marks whole regions
// at once, so a group facing a full city does not search it once per hub.
func (dp *dayPlacer) mayFit(u *unit, h int32) bool {
	for l, need := range u.need {
		n := dp.nets[l]
		switch {
		case need == 0 || n.used[h]+need <= n.cap[h]:
			continue
		case n.cap[h] < need || n.dead[h] || dp.noRoom[l][h] == dp.stamp:
			return false
		}
		mark := func(g int32) { dp.noRoom[l][g] = dp.stamp }
		if n.freeSeatsReachable(h, need, mark) < need {
			return false
		}
	}
	return true
}

// reserve takes the group's seats in hub h, freeing seats by moving children when needed. On
// success the changes are pending until end; on failure they are already undone.
func (dp *dayPlacer) reserve(u *unit, h int32) (moves int64, ok bool) {
	for l, need := range u.need {
		if need > 0 {
			dp.nets[l].begin()
		}
	}
	for l, need := range u.need {
		n := dp.nets[l]
		for range need {
			if n.used[h] >= n.cap[h] {
				if n.dead[h] {
					dp.end(u, false)
					return 0, false
				}
				delta, freed := n.freeSeat(h)
				if !freed {
					dp.end(u, false)
					return 0, false
				}
				moves += delta
			}
			n.decCap(h)
		}
	}
	return moves, true
}

// end commits or undoes a reservation.
func (dp *dayPlacer) end(u *unit, keep bool) {
	for l, need := range u.need {
		if need == 0 {
			continue
		}
		if keep {
			dp.nets[l].commit()
		} else {
			dp.nets[l].rollback()
		}
	}
}
