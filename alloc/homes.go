package alloc

import (
	"cmp"
	"slices"
)

// hubChoice sums up what a hub offers one child over the days of the run.
type hubChoice struct {
	hub    int32
	fixed  int32 // days the child has a fixed seat there
	usable int32 // days the hub hosts the child's level, within reach
	placed int32 // days the previous pass put the child there
	distM  int64 // total distance over the usable days
}

// compareChoices orders the best usual hub first: where the child already has fixed seats (it
// cannot leave them), then a hub usable on all its days, then where it was placed most, then the
// nearest.
func compareChoices(all int32) func(a, b hubChoice) int {
	full := func(c hubChoice) int {
		if c.usable == all {
			return 1
		}
		return 0
	}
	return func(a, b hubChoice) int {
		return cmp.Or(cmp.Compare(b.fixed, a.fixed), cmp.Compare(full(b), full(a)),
			cmp.Compare(b.placed, a.placed), cmp.Compare(a.distM, b.distM), cmp.Compare(a.hub, b.hub))
	}
}

// homes picks each child's usual hub (or -1 when none is in reach), from hubOf, the previous pass's
// hubs, or from distances alone when hubOf is nil. Siblings who must stay together get a common
// usual hub when one is usable on all their days.
func (m *model) homes(hubOf []int32) []int32 {
	homes := make([]int32, len(m.children))
	// Households are independent, and each writes only its children's usual hubs: they are
	// taken in parallel, in blocks.
	const block = 4096
	_ = forEach((len(m.byHousehold)+block-1)/block, func(b int) error {
		m.householdHomes(hubOf, homes, b*block, min(len(m.byHousehold), (b+1)*block))
		return nil
	})
	return homes
}

// householdHomes sets the usual hubs of the children of households [from, to) (see homes).
func (m *model) householdHomes(hubOf, homes []int32, from, to int) {
	slotOf := make([]int32, len(m.hubIDs))
	var buf, common, kept []hubChoice // reused from household to household
	var spans [][2]int                // each child's choices in buf
	for hh := from; hh < to; hh++ {
		kids := m.byHousehold[hh]
		buf, spans = buf[:0], spans[:0]
		for _, ci := range kids {
			start := len(buf)
			buf = m.appendHubChoices(buf, ci, hubOf, slotOf)
			spans = append(spans, [2]int{start, len(buf)})
			homes[ci] = -1
			if cs := buf[start:]; len(cs) > 0 {
				homes[ci] = slices.MinFunc(cs, compareChoices(int32(len(m.children[ci].cds)))).hub
			}
		}
		if len(kids) < 2 || m.households[hh].allowSplit {
			continue
		}
		// Sum the siblings' choices over the hubs every sibling can use on all its days.
		common = common[:0]
		for _, c := range buf[spans[0][0]:spans[0][1]] {
			if int(c.usable) == len(m.children[kids[0]].cds) {
				common = append(common, c)
			}
		}
		for j, k := range kids[1:] {
			for i := range common {
				slotOf[common[i].hub] = int32(i)
			}
			kept = kept[:0]
			for _, o := range buf[spans[j+1][0]:spans[j+1][1]] {
				i := slotOf[o.hub]
				if int(i) >= len(common) || common[i].hub != o.hub || int(o.usable) != len(m.children[k].cds) {
					continue
				}
				c := common[i]
				c.fixed += o.fixed
				c.usable += o.usable
				c.placed += o.placed
				c.distM += o.distM
				kept = append(kept, c)
			}
			common, kept = kept, common
		}
		if len(common) == 0 {
			continue
		}
		all := int32(0)
		for _, k := range kids {
			all += int32(len(m.children[k].cds))
		}
		h := slices.MinFunc(common, compareChoices(all)).hub
		for _, k := range kids {
			homes[k] = h
		}
	}
}

// appendHubChoices appends to cs the hubs child ci can use on at least one of its days, or where it
// is placed. slotOf is scratch space indexed by hub.
func (m *model) appendHubChoices(cs []hubChoice, ci int32, hubOf []int32, slotOf []int32) []hubChoice {
	start := len(cs)
	at := func(h int32) *hubChoice {
		if i := int(slotOf[h]); i >= start && i < len(cs) && cs[i].hub == h {
			return &cs[i]
		}
		slotOf[h] = int32(len(cs))
		cs = append(cs, hubChoice{hub: h})
		return &cs[len(cs)-1]
	}
	c := &m.children[ci]
	if c.req >= 0 {
		// One request for all days: count the days each candidate is open.
		for _, k := range m.reqs[c.req].cands {
			if n := m.openOn(k.hub, c.level, &c.days); n > 0 {
				ch := at(k.hub)
				ch.usable += int32(n)
				ch.distM += int64(n) * int64(k.distM)
			}
		}
	}
	for _, cd := range c.cds {
		if c.req < 0 {
			day := m.cds[cd].day
			for _, k := range m.reqs[m.cds[cd].req].cands {
				if m.seats[m.slot(day, k.hub, c.level)] > 0 {
					ch := at(k.hub)
					ch.usable++
					ch.distM += int64(k.distM)
				}
			}
		}
		if f := m.cds[cd].fixedHub; f >= 0 {
			at(f).fixed++
		}
		if hubOf != nil && hubOf[cd] >= 0 {
			at(hubOf[cd]).placed++
		}
	}
	return cs
}
