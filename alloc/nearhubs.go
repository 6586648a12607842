package alloc

import (
	"slices"

	"github.com/accueil-prioritaire/accueil/geo"
)

// nearHubs finds the hubs within reach of many locations. Problem files often hold one request per
// child and day, all from a few hundred places (a commune's centre, a hospital), so each distinct
// location is searched once and its list shared.
type nearHubs struct {
	grid  *hubGrid
	maxKm float64
}

type hubList struct {
	cands []cand // nearest first
	byHub []cand
}

// lists returns the hubs within reach of each location, one list per distinct location, found in
// parallel.
func (n *nearHubs) lists(locs []geo.Point) []*hubList {
	index := make(map[geo.Point]int32, len(locs))
	var distinct []geo.Point
	which := make([]int32, len(locs))
	for i, p := range locs {
		j, ok := index[p]
		if !ok {
			j = int32(len(distinct))
			index[p] = j
			distinct = append(distinct, p)
		}
		which[i] = j
	}
	found := make([]hubList, len(distinct))
	const chunk = 256
	_ = forEach((len(distinct)+chunk-1)/chunk, func(c int) error {
		var keys []uint64
		for j := c * chunk; j < min(len(distinct), (c+1)*chunk); j++ {
			l := &found[j]
			n.grid.within(distinct[j], n.maxKm, func(h int32, km float64) {
				l.cands = append(l.cands, cand{hub: h, distM: int32(km * 1000)})
			})
			l.cands = slices.Clip(l.cands)
			keys = sortCands(l.cands, keys)
			l.byHub, keys = sortedByHub(l.cands, keys)
		}
		return nil
	})
	out := make([]*hubList, len(locs))
	for i, j := range which {
		out[i] = &found[j]
	}
	return out
}

// keep returns the hubs of the list for which keep is true, nearest first and by hub. When keep
// holds for every hub the slices are the list's own, shared with other requests: nobody may
// modify them.
func (l *hubList) keep(keep func(hub int32) bool) (cands, byHub []cand) {
	kept := 0
	for _, c := range l.cands {
		if keep(c.hub) {
			kept++
		}
	}
	if kept == len(l.cands) {
		return l.cands, l.byHub
	}
	cands, byHub = make([]cand, 0, kept), make([]cand, 0, kept)
	for _, c := range l.cands {
		if keep(c.hub) {
			cands = append(cands, c)
		}
	}
	for _, c := range l.byHub {
		if keep(c.hub) {
			byHub = append(byHub, c)
		}
	}
	return cands, byHub
}
