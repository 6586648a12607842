package alloc

import "slices"

// consolidate moves children who are alone on all their days (no sibling kept with them, no fixed
// seat) so that they have one hub for the week: when one of the hubs a child uses has a free seat
// on each of its other days, and the extra distance is at most HubChangeKm per day moved, the child
// moves there. Moving a child alone to a free seat keeps every rule: the same child-days are
// placed, sibling groups do not move, and the priority rule does not depend on which free seat a
// child alone holds (see placeAll). Children are taken in priority order of their first day.
func (m *model) consolidate(hubOf []int32) {
	used := make([]int32, len(m.seats))
	for cd, h := range hubOf {
		if h >= 0 {
			c := m.cds[cd]
			used[m.slot(c.day, h, m.children[c.child].level)]++
		}
	}
	alone := make([]bool, len(m.children))
	for i := range alone {
		alone[i] = true
	}
	for _, us := range m.units {
		for _, u := range us {
			if u.together() {
				for _, cd := range u.members {
					alone[m.cds[cd].child] = false
				}
			}
		}
	}
	seen := make([]bool, len(m.children))
	var hubs []int32
	for _, us := range m.units {
		for _, u := range us {
			ci := m.cds[u.members[0]].child
			if !alone[ci] || seen[ci] || m.hasFixed(ci) {
				continue
			}
			seen[ci] = true
			c := &m.children[ci]
			hubs = hubs[:0]
			for _, cd := range c.cds {
				if h := hubOf[cd]; h >= 0 && !slices.Contains(hubs, h) {
					hubs = append(hubs, h)
				}
			}
			if len(hubs) < 2 {
				continue
			}
			// The hub of most days first: it needs the fewest moves.
			days := func(h int32) int {
				n := 0
				for _, cd := range c.cds {
					if hubOf[cd] == h {
						n++
					}
				}
				return n
			}
			slices.SortStableFunc(hubs, func(a, b int32) int { return days(b) - days(a) })
		next:
			for _, g := range hubs {
				var extra int64
				moved := int64(0)
				for _, cd := range c.cds {
					h := hubOf[cd]
					if h < 0 || h == g {
						continue
					}
					s := m.slot(m.cds[cd].day, g, c.level)
					d := m.distM(cd, g)
					if d < 0 || used[s] >= m.seats[s] {
						continue next
					}
					extra += int64(d) - int64(m.distM(cd, h))
					moved++
				}
				if extra > m.penalty*moved {
					continue
				}
				for _, cd := range c.cds {
					if h := hubOf[cd]; h >= 0 && h != g {
						day := m.cds[cd].day
						used[m.slot(day, h, c.level)]--
						used[m.slot(day, g, c.level)]++
						hubOf[cd] = g
					}
				}
				break
			}
		}
	}
}
