package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/accueil-prioritaire/accueil/geo"
	"github.com/accueil-prioritaire/accueil/store"
)

const (
	// hubCount is the number of hubs the académie de Besançon opened in April 2021.
	hubCount = 395
	// coverageHubs of them are placed so that rural families have a hub within a few
	// kilometres; the others follow the population. Rural hubs then have seats to spare while
	// the big towns, where the hospitals are, run short: that is where the waitlist and the
	// priority tiers show.
	coverageHubs = 210
	// coverageKm is the radius a rural hub is meant to serve.
	coverageKm = 5.0
	// targetRatio is the fewest seats per child asking that each level gets académie-wide on
	// the busiest day. With 395 hubs of at least one group each and about 3,300 children asking
	// a day, the plan gives about 1.7 anyway; more groups open only if demand grows.
	targetRatio = 1.45
	// primaryShare of the hubs take maternelle and élémentaire (écoles primaires, groupes
	// scolaires), so that brothers and sisters of those levels can stay together: with fewer,
	// most of them would wait for a hub taking both.
	primaryShare = 0.30
	// secondGroups is the number of second groups opened in big-town schools.
	secondGroups = 16
	// maxGroups is the most groups of one level a hub opens.
	maxGroups = 3
)

// levelIndex orders levels as store.Levels does, for per-level arrays.
func levelIndex(l store.Level) int { return slices.Index(store.Levels, l) }

// hubPlan is a hub being built: where, and how many groups of each level it opens.
type hubPlan struct {
	commune int
	// groups per level, in store.Levels order; 0 means the level is not accepted.
	groups [3]int
	name   string
	addr   string
	uai    string
	point  geo.Point
}

// placeHubSites returns the communes of the hubs, one entry per hub: first by population
// (Sainte-Laguë apportionment, so big towns get several and villages mostly none), then one
// by one where the most people live farther than coverageKm from any hub.
func placeHubSites(r *rand.Rand, a *academie) []int {
	n := len(a.communes)
	// Small random weights so that seeds differ in which mid-size towns get a hub.
	pop := make([]float64, n)
	for i, c := range a.communes {
		pop[i] = float64(c.Population) * (0.85 + 0.3*r.Float64())
	}
	seats := make([]int, n)
	var sites []int
	for range hubCount - coverageHubs {
		best, bestQ := -1, -1.0
		for i := range n {
			if q := pop[i] / float64(2*seats[i]+1); q > bestQ {
				best, bestQ = i, q
			}
		}
		seats[best]++
		sites = append(sites, best)
	}

	nearest := make([]float64, n)
	for i := range n {
		nearest[i] = math.Inf(1)
	}
	served := func(site int) {
		for i := range n {
			nearest[i] = min(nearest[i], a.approxKm(i, site))
		}
	}
	for i, s := range seats {
		if s > 0 {
			served(i)
		}
	}
	neighbours := make([][]int, n)
	for i := range n {
		neighbours[i] = a.near(i, coverageKm)
	}
	for range coverageHubs {
		best, bestScore := -1, 0.0
		for i := range n {
			if seats[i] > 0 || a.communes[i].Population < 150 {
				continue // a hamlet has no school to open
			}
			score := 0.0
			for _, j := range neighbours[i] {
				if nearest[j] > coverageKm {
					score += pop[j]
				}
			}
			if score > bestScore {
				best, bestScore = i, score
			}
		}
		if best < 0 {
			break // everyone is near a hub already
		}
		seats[best]++
		sites = append(sites, best)
		served(best)
	}
	// Any hub left (all served) follows the population again.
	for len(sites) < hubCount {
		best, bestQ := -1, -1.0
		for i := range n {
			if q := pop[i] / float64(2*seats[i]+1); q > bestQ {
				best, bestQ = i, q
			}
		}
		seats[best]++
		sites = append(sites, best)
	}
	return sites
}

// planCapacity decides the levels and groups of each hub. As in 2021 most hubs open one group
// of one level; primaryShare of them take maternelle and élémentaire together, so that
// siblings can stay together, and a few big-town schools open a second group. The
// single-level hubs are shared out between levels so that the seats per child asking on the
// busiest day are as even as possible across levels; more groups open, mostly in towns, only
// if a level would still fall below targetRatio.
func planCapacity(r *rand.Rand, a *academie, sites []int, peak [3]int) []hubPlan {
	const m, e, c = 0, 1, 2
	hubs := make([]hubPlan, len(sites))
	perCommune := map[int]int{}
	for i, s := range sites {
		hubs[i].commune = s
		perCommune[s]++
	}
	pop := func(h int) int { return a.communes[hubs[h].commune].Population }

	primaries := int(math.Round(primaryShare * float64(len(hubs))))
	// Big-town schools open a second group of their level: share those out by demand.
	var extra [3]int
	groupsAsked := 0.0
	for l, lv := range store.Levels {
		groupsAsked += float64(peak[l]) / float64(lv.GroupCap())
	}
	for l, lv := range store.Levels {
		extra[l] = int(math.Round(secondGroups * float64(peak[l]) / float64(lv.GroupCap()) / groupsAsked))
	}
	var count [3]int // single-level hubs per level
	groups := func(l int) int {
		if l == c {
			return count[l] + extra[l]
		}
		return count[l] + extra[l] + primaries
	}
	ratio := func(l int) float64 {
		return float64(groups(l)*store.Levels[l].GroupCap()) / float64(max(1, peak[l]))
	}
	for range len(hubs) - primaries {
		lowest := m
		for l := range 3 {
			if ratio(l) < ratio(lowest) {
				lowest = l
			}
		}
		count[lowest]++
	}

	// Hubs are visited commune by commune, towns first, and each kind is spread evenly along
	// that order (systematic sampling): every town gets a mix of levels, and the villages too.
	order := make([]int, len(hubs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		if d := pop(y) - pop(x); d != 0 {
			return d
		}
		return hubs[x].commune - hubs[y].commune
	})

	// Collèges are in bourgs and towns (a small bourg keeps its only hub for its pupils), shared
	// out by the population of their sector: the communes nearer to them than to any other.
	collegeSlots := map[int]int{}
	var bourgs []int
	for _, h := range order {
		s := hubs[h].commune
		switch p, n := pop(h), perCommune[s]; {
		case p >= 2000:
			collegeSlots[s] = n
		case p >= 1000 && n > 1:
			collegeSlots[s] = n - 1
		default:
			continue
		}
		if !slices.Contains(bourgs, s) {
			bourgs = append(bourgs, s)
		}
	}
	sector := make([]float64, len(a.communes))
	for i, com := range a.communes {
		nearest, best := -1, math.Inf(1)
		for _, b := range bourgs {
			if d := a.approxKm(i, b); d < best {
				nearest, best = b, d
			}
		}
		if nearest >= 0 {
			sector[nearest] += float64(com.Population)
		}
	}
	colleges := map[int]int{}
	for range count[c] {
		best, bestQ := -1, -1.0
		for _, b := range bourgs {
			if colleges[b] >= collegeSlots[b] {
				continue
			}
			if q := sector[b] / float64(2*colleges[b]+1); q > bestQ {
				best, bestQ = b, q
			}
		}
		if best < 0 {
			break // no bourg left: the remaining hubs are écoles
		}
		colleges[best]++
	}
	var rest []int
	for _, h := range order {
		if s := hubs[h].commune; colleges[s] > 0 {
			colleges[s]--
			hubs[h].groups[c] = 1
		} else {
			rest = append(rest, h)
		}
	}
	// Primary schools (both levels) are most often a village's only school.
	both := systematic(r, rest, primaries, func(h int) float64 {
		if perCommune[hubs[h].commune] == 1 {
			return 2
		}
		return 1
	})
	// The others alternate between maternelle and élémentaire, each in step with its count.
	var done [2]int
	for k, h := range rest {
		if both[k] {
			hubs[h].groups[m], hubs[h].groups[e] = 1, 1
			continue
		}
		l := m
		if float64(done[e]+1)/float64(max(1, count[e])) <= float64(done[m]+1)/float64(max(1, count[m])) {
			l = e
		}
		hubs[h].groups[l] = 1
		done[l]++
	}
	for l := range 3 {
		addGroups(r, hubs, l, extra[l], func(h int) float64 {
			if pop(h) >= 10000 {
				return 1
			}
			return 0
		})
		have := 0
		for _, h := range hubs {
			have += h.groups[l]
		}
		want := int(math.Ceil(targetRatio * float64(peak[l]) / float64(store.Levels[l].GroupCap())))
		addGroups(r, hubs, l, want-have, func(h int) float64 {
			if pop(h) >= 5000 {
				return 20
			}
			return 1
		})
	}
	return hubs
}

// systematic picks n of items, spread evenly along their order, each with a probability
// proportional to its weight (systematic sampling with a random start). Weights must be small
// enough that no item is due twice, which holds for the demo's few kinds of hubs.
func systematic(r *rand.Rand, items []int, n int, weight func(item int) float64) []bool {
	picked := make([]bool, len(items))
	if n <= 0 {
		return picked
	}
	total := 0.0
	for _, it := range items {
		total += weight(it)
	}
	step := total / float64(n)
	next := step * r.Float64()
	sum := 0.0
	for k, it := range items {
		sum += weight(it)
		if sum > next {
			picked[k] = true
			next += step
		}
	}
	return picked
}

// addGroups opens n more groups of level l in hubs that accept it, drawn by weight (big
// schools are in big towns), never more than maxGroups per hub.
func addGroups(r *rand.Rand, hubs []hubPlan, l, n int, weight func(h int) float64) {
	for range n {
		w := make([]float64, len(hubs))
		for h := range hubs {
			if g := hubs[h].groups[l]; g > 0 && g < maxGroups {
				w[h] = weight(h)
			}
		}
		h := weighted(r, w)
		if h < 0 {
			return
		}
		hubs[h].groups[l]++
	}
}

// nameHubs gives every hub a school name unique in its commune, an address, a UAI code unique
// in the académie and a position near its commune's centroid.
func nameHubs(r *rand.Rand, a *academie, hubs []hubPlan) {
	perCommune := map[int]int{}
	for _, h := range hubs {
		perCommune[h.commune]++
	}
	names := map[string]bool{}
	addresses := map[string]bool{}
	uais := map[string]bool{}
	for i := range hubs {
		h := &hubs[i]
		c := a.communes[h.commune]
		for {
			h.name = schoolName(r, c, h.groups, perCommune[h.commune])
			if key := c.InseeCode + h.name; !names[key] {
				names[key] = true
				break
			}
		}
		for {
			h.addr = fmt.Sprintf("%d %s", 1+r.IntN(houseNumbers(c.Population)), oneOf(r, streets))
			if key := c.InseeCode + h.addr; !addresses[key] {
				addresses[key] = true
				break
			}
		}
		for {
			h.uai = uai(c.Departement, r.IntN(10000))
			if !uais[h.uai] {
				uais[h.uai] = true
				break
			}
		}
		km := 0.3
		switch {
		case c.Population >= 10000:
			km = 0.9
		case c.Population >= 2000:
			km = 0.6
		}
		h.point = jitter(r, c.Point, km)
	}
}

// houseNumbers is how far street numbers go: a village street has a dozen houses.
func houseNumbers(population int) int {
	switch {
	case population >= 10000:
		return 120
	case population >= 2000:
		return 60
	}
	return 25
}

// uaiLetters are the check letters of UAI codes (I, O and Q are left out).
const uaiLetters = "ABCDEFGHJKLMNPRSTUVWXYZ"

// uai builds the code of a school of département dept: "0" + the département + 4 digits, then
// the check letter, the 7-digit number modulo 23.
func uai(dept string, serial int) string {
	d, err := strconv.Atoi(dept)
	if err != nil {
		panic("demo: département code " + dept + " is not a number")
	}
	n := d*10000 + serial
	return fmt.Sprintf("%07d%c", n, uaiLetters[n%23])
}

// schoolName names a school by the levels it takes: "École maternelle Les Tilleuls", "École
// élémentaire Jules-Ferry", "Groupe scolaire Victor-Hugo", "Collège Pasteur"; a village's only
// school often carries the village's name.
func schoolName(r *rand.Rand, c geo.Commune, groups [3]int, hubsInCommune int) string {
	if groups[2] > 0 {
		if chance(r, 0.7) {
			return "Collège " + oneOf(r, collegeOnly)
		}
		return "Collège " + oneOf(r, schoolPersons)
	}
	var kind string
	switch {
	case groups[0] > 0 && groups[1] > 0 && (hubsInCommune > 1 || c.Population >= 5000):
		kind = "Groupe scolaire"
	case groups[0] > 0 && groups[1] > 0:
		kind = "École primaire"
	case groups[0] > 0:
		kind = "École maternelle"
	default:
		kind = "École élémentaire"
	}
	if hubsInCommune == 1 && c.Population < 3000 && chance(r, 0.4) {
		return kind + " " + deCommune(c.Name)
	}
	if chance(r, 0.35) {
		return kind + " " + oneOf(r, schoolPlaces)
	}
	return kind + " " + oneOf(r, schoolPersons)
}

// seedHubs turns the plans into the seed's hubs, ordered by commune then name.
func seedHubs(a *academie, plans []hubPlan) []store.SeedHub {
	out := make([]store.SeedHub, len(plans))
	for i, h := range plans {
		capacity := map[store.Level]int{}
		for k, l := range store.Levels {
			if h.groups[k] > 0 {
				capacity[l] = h.groups[k] * l.GroupCap()
			}
		}
		out[i] = store.SeedHub{
			UAI: h.uai, Name: h.name, Address: h.addr, CommuneCode: a.communes[h.commune].InseeCode,
			Point: h.point, Capacity: capacity, Phone: schoolPhone(h.uai),
		}
		if h.groups[2] > 0 { // collèges host from 8:00 to 18:00, the schools for the whole day
			out[i].OpensAt, out[i].ClosesAt = "08:00", "18:00"
		}
	}
	slices.SortFunc(out, func(x, y store.SeedHub) int {
		if c := strings.Compare(x.CommuneCode, y.CommuneCode); c != 0 {
			return c
		}
		if c := strings.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		return strings.Compare(x.UAI, y.UAI)
	})
	return out
}

// schoolPhone is a school's landline in the académie's numbering (03 81 in the Doubs, 03 84
// elsewhere), drawn from its UAI rather than the generator's stream, so that adding phones left
// every other part of the demo as it was.
func schoolPhone(uai string) string {
	h := fnv.New32a()
	h.Write([]byte(uai))
	area := "84"
	if strings.HasPrefix(uai, "025") {
		area = "81"
	}
	return fmt.Sprintf("03%s%06d", area, h.Sum32()%1000000)
}
