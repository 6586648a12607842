package alloc

import "slices"

// dayUnit is what the week's bound and relocate take as one on a day: a unit hubOf kept together
// (all its members placed in one hub; a family group's fixed siblings' hubs dropped, as in
// dayAssignment), or a placed member of another unit, alone. pinned marks a unit whose unit of the
// day was restricted to its fixed siblings' hubs.
type dayUnit struct {
	day     int32
	u       unit
	members []int32 // placed child-days
	pinned  bool
}

// weekPieces returns the units of hubOf's placed, non-fixed child-days, and the pieces of the week:
// the indices of the units of the children that kept-together units link over the days, each
// piece in order, pieces by their first child.
func (m *model) weekPieces(hubOf []int32) ([]dayUnit, [][]int) {
	parent := make([]int32, len(m.children))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	units := make([]dayUnit, 0, placedCount(hubOf)) // at most one per placed child-day
	for d, us := range m.units {
		for ui := range us {
			u := &us[ui]
			if u.strict || m.keptTogether(u, hubOf) {
				if hubOf[u.members[0]] < 0 {
					continue
				}
				together := *u
				if !u.strict {
					together.allowed = nil // as in dayAssignment
				}
				units = append(units, dayUnit{int32(d), together, u.members, u.allowed != nil})
				r0 := find(m.cds[u.members[0]].child)
				for _, cd := range u.members[1:] {
					if r := find(m.cds[cd].child); r != r0 {
						parent[r] = r0
					}
				}
				continue
			}
			for _, cd := range u.members {
				if hubOf[cd] >= 0 {
					alone := m.aloneIn(u, cd)
					units = append(units, dayUnit{int32(d), alone, alone.members, u.allowed != nil})
				}
			}
		}
	}
	// The units of each root, in order, laid out one root after the other in one array.
	root := make([]int32, len(units))
	start := make([]int, len(m.children)+1)
	for i, du := range units {
		root[i] = find(m.cds[du.members[0]].child)
		start[root[i]+1]++
	}
	for r := range m.children {
		start[r+1] += start[r]
	}
	all := make([]int, len(units))
	next := slices.Clone(start[:len(m.children)])
	for i, r := range root {
		all[next[r]] = i
		next[r]++
	}
	var pieces [][]int
	for r := range m.children {
		if start[r] < start[r+1] {
			pieces = append(pieces, all[start[r]:start[r+1]:start[r+1]])
		}
	}
	return units, pieces
}

// mostFrequent is how often the most frequent value of hubs occurs (it sorts hubs).
func mostFrequent(hubs []int32) int {
	slices.Sort(hubs)
	most, run := 0, 0
	for i := range hubs {
		if i > 0 && hubs[i] == hubs[i-1] {
			run++
		} else {
			run = 1
		}
		most = max(most, run)
	}
	return most
}

// hubChangeDays counts, over all children, the placed days (fixed ones included) a child spends
// away from the hub of most of its placed days: the run's hub changes, which rule 3 weighs at
// HubChangeKm each.
func (m *model) hubChangeDays(hubOf []int32) int {
	n := 0
	var hubs []int32
	for ci := range m.children {
		hubs = hubs[:0]
		for _, cd := range m.children[ci].cds {
			if h := hubOf[cd]; h >= 0 {
				hubs = append(hubs, h)
			}
		}
		n += len(hubs) - mostFrequent(hubs)
	}
	return n
}
