package alloc

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"sort"

	"github.com/accueil-prioritaire/accueil/geo"
)

// model is a validated Problem turned into dense indexes: hubs, days, children and households are
// numbered in ID (or date) order, so nothing downstream depends on the input's order or on map
// iteration.
type model struct {
	params  Params
	penalty int64 // Params.HubChangeKm in metres
	// arcLimit, when not 0, makes a child's insertion first try only its nearest arcLimit hubs.
	// It speeds up the search but makes reachability inexact, so only the usual-hub model uses it.
	arcLimit int
	// retryAll makes weeklyHomes and relocate try every unit or piece in every round, rather than
	// only those whose search may give another answer: the tests compare the two.
	retryAll bool

	hubIDs   []int64
	hubLoc   []geo.Point
	hubNames []string
	hubIdx   map[int64]int32
	days     []Day
	dayIdx   map[Day]int32
	seats    []int32 // indexed by slot(day, hub, level)
	fixedN   []int32 // seats taken by fixed placements, same index
	// openDays[hub*numLevels+level] has bit d set when the hub hosts the level on day d.
	openDays [][maxDayWords]uint64
	dayWords int // words of a day mask in use

	reqs       []request
	children   []child
	childIdx   map[int64]int32
	households []household
	// byHousehold lists each household's children, by ID.
	byHousehold [][]int32
	cds         []childDay
	units       [][]unit // per day, in priority order
}

// maxDayWords bounds the days of a run (64 per word); Validate enforces it.
const maxDayWords = 8

// request is a compiled Request: its candidate hubs are every hub within the maximum distance that
// hosts the level on at least one of the request's days, nearest first.
type request struct {
	loc   geo.Point
	level int8
	key   priorityKey
	cands []cand
	byHub []cand // cands sorted by hub, for lookups
}

// cand is an arc from a request to a hub. distM is the distance in whole metres, rounded down, so
// that sums of distM never exceed the true distance and the lower bound stays a bound.
type cand struct {
	hub   int32
	distM int32
}

type child struct {
	id        int64
	household int32
	level     int8
	cds       []int32 // the child's child-days, by day
	// req is the child's only request, or -1 when it has several; days has bit d set for each
	// requested day d.
	req  int32
	days [maxDayWords]uint64
}

type household struct {
	id         int64
	allowSplit bool
	allOrNone  bool
}

// childDay is one requested day of one child: the unit of placement.
type childDay struct {
	child    int32
	day      int32
	req      int32
	fixedHub int32 // -1 unless a fixed placement holds the seat
}

// unit is what the allocator places in one step on one day: a child alone, a family group
// (brothers and sisters who can share a hub, placed together when a hub can take them, each on
// their own otherwise), or the children of an all-or-none household (all in one hub, or none).
// See dayUnits.
type unit struct {
	members []int32 // child-days, not fixed
	need    [numLevels]int32
	// allowed, when not nil, restricts the hub to those of the siblings' fixed placements that day
	// (for a family group, the hubs it tries first).
	allowed []int32
	// strict marks an all-or-none unit: its members are placed together or all waitlisted.
	strict  bool
	key     priorityKey // the best key among the members: a household competes as one
	draw    uint64
	firstID int64 // smallest child ID, the last tie-break
}

func (m *model) slot(day, hub int32, level int8) int {
	return (int(day)*len(m.hubIDs)+int(hub))*numLevels + int(level)
}

// seatsLeft returns, for each hub, its seats of level l on day d that fixed placements left.
func (m *model) seatsLeft(d int32, l int8) []int32 {
	seats := make([]int32, len(m.hubIDs))
	for h := range seats {
		s := m.slot(d, int32(h), l)
		seats[h] = m.seats[s] - m.fixedN[s]
	}
	return seats
}

// compile builds the model of a problem that passed Validate.
func compile(p *Problem) *model {
	m := &model{params: p.Params.withDefaults()}
	m.penalty = int64(math.Round(m.params.HubChangeKm * 1000))

	hubs := slices.Clone(p.Hubs)
	slices.SortFunc(hubs, func(a, b Hub) int { return cmp.Compare(a.ID, b.ID) })
	m.hubIdx = make(map[int64]int32, len(hubs))
	for i, h := range hubs {
		m.hubIDs = append(m.hubIDs, h.ID)
		m.hubLoc = append(m.hubLoc, h.Location)
		m.hubNames = append(m.hubNames, h.Name)
		m.hubIdx[h.ID] = int32(i)
	}

	daySet := map[Day]bool{}
	for _, r := range p.Requests {
		for _, d := range r.Days {
			daySet[d] = true
		}
	}
	for d := range daySet {
		m.days = append(m.days, d)
	}
	slices.Sort(m.days)
	m.dayIdx = make(map[Day]int32, len(m.days))
	for i, d := range m.days {
		m.dayIdx[d] = int32(i)
	}

	m.seats = make([]int32, len(m.days)*len(hubs)*numLevels)
	m.fixedN = make([]int32, len(m.seats))
	for h, hub := range hubs {
		for _, hd := range hub.Days {
			d, ok := m.dayIdx[hd.Day]
			if !ok {
				continue // nobody asked for that day
			}
			for l, n := range hd.Seats {
				if n > 0 {
					m.seats[m.slot(d, int32(h), int8(l.index()))] = int32(n)
				}
			}
		}
	}

	m.dayWords = (len(m.days) + 63) / 64
	m.openDays = make([][maxDayWords]uint64, len(hubs)*numLevels)
	for d := range m.days {
		for h := range hubs {
			for l := range numLevels {
				if m.seats[m.slot(int32(d), int32(h), int8(l))] > 0 {
					m.openDays[h*numLevels+l][d/64] |= 1 << (d % 64)
				}
			}
		}
	}
	m.compileRequests(p)
	m.compileFixed(p)
	m.buildUnits()
	return m
}

func (m *model) compileRequests(p *Problem) {
	// Requests are numbered by (child, first day) so that candidate lists and everything built on
	// them come out in the same order whatever the input order.
	order := make([]int, len(p.Requests))
	for i := range order {
		order[i] = i
	}
	firstDay := func(r Request) Day { return slices.Min(r.Days) }
	sort.SliceStable(order, func(a, b int) bool {
		ra, rb := p.Requests[order[a]], p.Requests[order[b]]
		if ra.ChildID != rb.ChildID {
			return ra.ChildID < rb.ChildID
		}
		return firstDay(ra) < firstDay(rb)
	})

	maxLat, maxLon := 0.0, 0.0
	for _, h := range m.hubLoc {
		maxLat, maxLon = max(maxLat, math.Abs(h.Lat)), max(maxLon, math.Abs(h.Lon))
	}
	for _, r := range p.Requests {
		maxLat, maxLon = max(maxLat, math.Abs(r.Location.Lat)), max(maxLon, math.Abs(r.Location.Lon))
	}
	near := nearHubs{grid: newHubGrid(m.hubLoc, m.params.MaxDistanceKm, maxLat, maxLon), maxKm: m.params.MaxDistanceKm,
		hosts: func(h int32, l int8) bool { return m.openDays[int(h)*numLevels+int(l)] != [maxDayWords]uint64{} }}

	hhIdx := map[int64]int32{}
	var hhIDs []int64
	rules := map[int64]household{}
	for _, r := range p.Requests {
		if _, ok := hhIdx[r.HouseholdID]; !ok {
			hhIdx[r.HouseholdID] = 0
			hhIDs = append(hhIDs, r.HouseholdID)
		}
		rules[r.HouseholdID] = household{id: r.HouseholdID, allowSplit: r.AllowSplit, allOrNone: r.AllOrNone}
	}
	slices.Sort(hhIDs)
	for i, id := range hhIDs {
		hhIdx[id] = int32(i)
		m.households = append(m.households, rules[id])
	}

	// Candidate lists are the bulk of the work and independent of one another: they are found in
	// parallel, each request's in its own place, so the result does not depend on the scheduling.
	places := make([]placeLevel, len(order))
	for j, i := range order {
		places[j] = placeLevel{p.Requests[i].Location, int8(p.Requests[i].Level.index())}
	}
	lists := near.lists(places)
	m.reqs = make([]request, len(order))
	const chunk = 1024
	_ = forEach((len(order)+chunk-1)/chunk, func(c int) error {
		for j := c * chunk; j < min(len(order), (c+1)*chunk); j++ {
			r := &p.Requests[order[j]]
			req := &m.reqs[j]
			*req = request{loc: r.Location, level: int8(r.Level.index()), key: priorityKey{tier: r.Tier, at: r.RequestedAt}}
			var want [maxDayWords]uint64 // the request's days
			for _, d := range r.Days {
				d := m.dayIdx[d]
				want[d/64] |= 1 << (d % 64)
			}
			req.cands, req.byHub = lists[j].keep(func(h int32) bool {
				open := &m.openDays[int(h)*numLevels+int(req.level)]
				for w := range m.dayWords {
					if open[w]&want[w] != 0 {
						return true
					}
				}
				return false
			})
		}
		return nil
	})
	// Requests are sorted by child ID, so each child's are together and children are numbered in
	// ID order; each takes its household and level from its first request. Everything is sized
	// before it is filled: the national week has 100,000 children.
	nChildren, nDays := 0, 0
	for j, i := range order {
		if j == 0 || p.Requests[i].ChildID != p.Requests[order[j-1]].ChildID {
			nChildren++
		}
		nDays += len(p.Requests[i].Days)
	}
	m.childIdx = make(map[int64]int32, nChildren)
	m.children = make([]child, 0, nChildren)
	m.cds = make([]childDay, 0, nDays)
	cdsOf := make([]int32, nDays) // every child's cds, one after the other
	type dayReq struct {
		day int32
		req int32
	}
	var drs []dayReq
	for j := 0; j < len(order); {
		first := &p.Requests[order[j]]
		ci := int32(len(m.children))
		m.childIdx[first.ChildID] = ci
		drs = drs[:0]
		k := j
		for ; k < len(order) && p.Requests[order[k]].ChildID == first.ChildID; k++ {
			for _, d := range p.Requests[order[k]].Days {
				drs = append(drs, dayReq{m.dayIdx[d], int32(k)})
			}
		}
		slices.SortStableFunc(drs, func(a, b dayReq) int { return cmp.Compare(a.day, b.day) })
		c := child{id: first.ChildID, household: hhIdx[first.HouseholdID], level: m.reqs[j].level, req: drs[0].req}
		from := len(m.cds)
		for _, dr := range drs {
			c.days[dr.day/64] |= 1 << (dr.day % 64)
			if dr.req != c.req {
				c.req = -1
			}
			cdsOf[len(m.cds)] = int32(len(m.cds))
			m.cds = append(m.cds, childDay{child: ci, day: dr.day, req: dr.req, fixedHub: -1})
		}
		c.cds = cdsOf[from:len(m.cds):len(m.cds)]
		m.children = append(m.children, c)
		j = k
	}
}

func (m *model) compileFixed(p *Problem) {
	for _, f := range p.Fixed {
		cd := m.childDayOf(m.childIdx[f.ChildID], m.dayIdx[f.Day])
		h := m.hubIdx[f.HubID]
		m.cds[cd].fixedHub = h
		m.fixedN[m.slot(m.cds[cd].day, h, m.children[m.cds[cd].child].level)]++
	}
}

// childDayOf returns the child-day of child c on day d, or -1 when c did not ask for d. The
// child's cds are its requested days in order, so the one of day d is the count of its days
// before d: found from the child alone, without reading the child-days (the check and the report
// ask for each of 400,000 placements of a national week).
func (m *model) childDayOf(c, d int32) int32 {
	ch := &m.children[c]
	w, bit := d/64, uint64(1)<<(d%64)
	if ch.days[w]&bit == 0 {
		return -1
	}
	n := bits.OnesCount64(ch.days[w] & (bit - 1))
	for _, x := range ch.days[:w] {
		n += bits.OnesCount64(x)
	}
	return ch.cds[n]
}

func (m *model) newUnit(members, allowed []int32, draw uint64) unit {
	u := unit{members: members, allowed: allowed, draw: draw, firstID: math.MaxInt64}
	for i, cd := range members {
		k := m.reqs[m.cds[cd].req].key
		if i == 0 || k.before(u.key) {
			u.key = k
		}
		c := m.children[m.cds[cd].child]
		u.need[c.level]++
		u.firstID = min(u.firstID, c.id)
	}
	return u
}

// openOn counts the days of mask on which hub h hosts level l.
func (m *model) openOn(h int32, l int8, mask *[maxDayWords]uint64) int {
	open := &m.openDays[int(h)*numLevels+int(l)]
	n := 0
	for w := range m.dayWords {
		n += bits.OnesCount64(open[w] & mask[w])
	}
	return n
}

// distM is the rounded-down distance of a child-day to a hub in its candidate list, or -1.
func (m *model) distM(cd, hub int32) int32 { return m.reqs[m.cds[cd].req].distM(hub) }

func (r *request) distM(hub int32) int32 {
	// A binary search by hand: the improvement passes call this tens of millions of times on a
	// national week, and slices.BinarySearchFunc's comparison function costs twice as much.
	s := r.byHub
	lo, hi := 0, len(s)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if s[mid].hub < hub {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(s) && s[lo].hub == hub {
		return s[lo].distM
	}
	return -1
}

// sortedByHub returns a copy of cands sorted by hub; keys is scratch space, returned for reuse.
func sortedByHub(cands []cand, keys []uint64) ([]cand, []uint64) {
	s := make([]cand, len(cands))
	keys = keys[:0]
	for _, c := range cands {
		keys = append(keys, uint64(uint32(c.hub))<<32|uint64(uint32(c.distM)))
	}
	slices.Sort(keys)
	for i, k := range keys {
		s[i] = cand{hub: int32(k >> 32), distM: int32(uint32(k))}
	}
	return s, keys
}

// sortCands sorts candidates nearest first, then by hub; packing both into one integer makes the
// sort of millions of arcs at national scale several times faster than a comparison function.
// keys is scratch space, returned for reuse.
func sortCands(cands []cand, keys []uint64) []uint64 {
	keys = keys[:0]
	for _, c := range cands {
		keys = append(keys, uint64(uint32(c.distM))<<32|uint64(uint32(c.hub)))
	}
	slices.Sort(keys)
	for i, k := range keys {
		cands[i] = cand{hub: int32(uint32(k)), distM: int32(k >> 32)}
	}
	return keys
}

// distanceKm is the exact distance of a child-day's chosen location to a hub.
func (m *model) distanceKm(cd, hub int32) float64 {
	return geo.DistanceKm(m.reqs[m.cds[cd].req].loc, m.hubLoc[hub])
}
