package alloc

import "github.com/accueil-prioritaire/accueil/geo"

// nearHubs remembers the hubs within reach of each location already asked about. Problem files
// often hold one request per child and day, all from a few hundred places (a commune's centre, a
// hospital), so most requests reuse a list instead of searching the grid again.
type nearHubs struct {
	grid  *hubGrid
	maxKm float64
	at    map[geo.Point]*hubList
}

type hubList struct {
	cands []cand // nearest first
	byHub []cand
}

// candidates returns the hubs within reach of p for which keep is true, nearest first and by hub.
// When keep holds for every hub the slices are shared with other requests: nobody may modify them.
func (n *nearHubs) candidates(p geo.Point, keep func(hub int32) bool) (cands, byHub []cand) {
	if n.at == nil {
		n.at = map[geo.Point]*hubList{}
	}
	all, ok := n.at[p]
	if !ok {
		all = &hubList{}
		n.grid.within(p, n.maxKm, func(h int32, km float64) {
			all.cands = append(all.cands, cand{hub: h, distM: int32(km * 1000)})
		})
		sortCands(all.cands)
		all.byHub = sortedByHub(all.cands)
		n.at[p] = all
	}
	kept := 0
	for _, c := range all.cands {
		if keep(c.hub) {
			kept++
		}
	}
	if kept == len(all.cands) {
		return all.cands, all.byHub
	}
	cands, byHub = make([]cand, 0, kept), make([]cand, 0, kept)
	for _, c := range all.cands {
		if keep(c.hub) {
			cands = append(cands, c)
		}
	}
	for _, c := range all.byHub {
		if keep(c.hub) {
			byHub = append(byHub, c)
		}
	}
	return cands, byHub
}
