package alloc

import (
	"slices"

	"github.com/accueil-prioritaire/accueil/geo"
)

// nearHubs finds the hubs within reach of many places that host a level on some day of the run.
// Problem files often hold one request per child and day, all from a few hundred places (a
// commune's centre, a hospital), so each distinct place and level is searched once and its list
// shared.
type nearHubs struct {
	grid  *hubGrid
	maxKm float64
	// hosts reports whether hub h hosts level l on some day of the run.
	hosts func(h int32, l int8) bool
}

type hubList struct {
	cands []cand // nearest first
	byHub []cand
}

// placeLevel is a request's location and level, what its list of hubs depends on.
type placeLevel struct {
	loc   geo.Point
	level int8
}

// lists returns the hubs within reach of each place that host its level, one list per distinct
// place and level, found in parallel.
func (n *nearHubs) lists(places []placeLevel) []*hubList {
	index := make(map[placeLevel]int32, len(places))
	var distinct []placeLevel
	which := make([]int32, len(places))
	for i, p := range places {
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
		var buf []cand
		var keys []uint64
		for j := c * chunk; j < min(len(distinct), (c+1)*chunk); j++ {
			p := distinct[j]
			buf = buf[:0]
			n.grid.within(p.loc, n.maxKm, func(h int32, km float64) {
				if n.hosts(h, p.level) {
					buf = append(buf, cand{hub: h, distM: int32(km * 1000)})
				}
			})
			l := &found[j]
			l.cands = slices.Clone(buf)
			keys = sortCands(l.cands, keys)
			l.byHub, keys = sortedByHub(l.cands, keys)
		}
		return nil
	})
	out := make([]*hubList, len(places))
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
