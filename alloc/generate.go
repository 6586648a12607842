package alloc

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/accueil-prioritaire/accueil/geo"
)

// Scenario describes a random week to allocate, for benchmarks, tests and demonstrations. People
// live around towns (drawn by weight); hubs are spread over towns by weight^HubWeightExponent, so
// with an exponent below 1 big towns get fewer hubs per child than villages, as real schools do,
// and their hubs fill up first.
type Scenario struct {
	Seed     uint64
	Children int
	Hubs     int
	FirstDay Day
	Days     int // consecutive weekdays from FirstDay

	// Towns is where people live. When empty, NumTowns towns are placed at random in the box, with
	// weights following Zipf's law.
	Towns                          []Town
	NumTowns                       int
	MinLat, MaxLat, MinLon, MaxLon float64
	// SpreadKm is the standard deviation of homes and hubs around the biggest town; a town of
	// relative weight w spreads over SpreadKm × ∛w (at least 0.5 km).
	SpreadKm          float64
	HubWeightExponent float64

	// SeatRatio is the seats of each level per child-day of that level on an average day.
	SeatRatio float64
	// FixedShare is the share of child-days given a fixed seat (the nearest hub with room) before
	// the run, as confirmed placements would be.
	FixedShare float64
	// SplitShare is the share of households that allow their children in different hubs.
	SplitShare float64
	// MixedTierShare is the share of households in which one child has another tier (as when a
	// request was filed under the other parent's profession).
	MixedTierShare float64
	MaxDistanceKm  float64
}

// Town is a place people live, with a weight such as its population.
type Town struct {
	Location geo.Point
	Weight   float64
}

// AcademieScenario is the demo académie week: 3,500 children and 395 hubs over five days, living in
// the communes of the académie de Besançon (weighted by population, within lat 46.3–47.9 and
// lon 5.2–7.1), as in April 2021.
func AcademieScenario(seed uint64) (Scenario, error) {
	communes, err := geo.Communes()
	if err != nil {
		return Scenario{}, err
	}
	var towns []Town
	for _, c := range communes {
		if c.Lat >= 46.3 && c.Lat <= 47.9 && c.Lon >= 5.2 && c.Lon <= 7.1 {
			towns = append(towns, Town{Location: c.Point, Weight: float64(max(c.Population, 1))})
		}
	}
	return Scenario{
		Seed: seed, Children: 3500, Hubs: 395, FirstDay: "2021-04-12", Days: 5,
		Towns: towns, MinLat: 46.3, MaxLat: 47.9, MinLon: 5.2, MaxLon: 7.1,
		SpreadKm: 5, HubWeightExponent: 0.8,
		SeatRatio: 1.15, FixedShare: 0.1, SplitShare: 0.15, MixedTierShare: 0.03,
		MaxDistanceKm: DefaultMaxDistanceKm,
	}, nil
}

// NationalScenario is a country-wide week: 100,000 children and 10,000 hubs over five days, around
// 2,000 random towns in metropolitan France's bounding box.
func NationalScenario(seed uint64) Scenario {
	return Scenario{
		Seed: seed, Children: 100_000, Hubs: 10_000, FirstDay: "2021-04-12", Days: 5,
		NumTowns: 2000, MinLat: 42.5, MaxLat: 51, MinLon: -4.5, MaxLon: 8,
		SpreadKm: 15, HubWeightExponent: 1,
		SeatRatio: 1.15, FixedShare: 0.1, SplitShare: 0.15, MixedTierShare: 0.03,
		MaxDistanceKm: DefaultMaxDistanceKm,
	}
}

// Generate draws a problem from the scenario. The same scenario always gives the same problem.
func Generate(s Scenario) (Problem, error) {
	first, err := s.FirstDay.Time()
	if err != nil || s.Days < 1 || s.Children < 0 || s.Hubs < 0 {
		return Problem{}, fmt.Errorf("alloc: bad scenario (first day %q, %d days, %d children, %d hubs)", s.FirstDay, s.Days, s.Children, s.Hubs)
	}
	rng := rand.New(rand.NewPCG(s.Seed, 0x5eed_acc0e11))
	towns := s.Towns
	if len(towns) == 0 {
		for i := range max(s.NumTowns, 1) {
			towns = append(towns, Town{
				Location: geo.Point{Lat: s.MinLat + rng.Float64()*(s.MaxLat-s.MinLat), Lon: s.MinLon + rng.Float64()*(s.MaxLon-s.MinLon)},
				Weight:   1 / float64(i+1),
			})
		}
	}
	people := newPicker(towns, 1)
	schools := newPicker(towns, s.HubWeightExponent)
	heaviest := slices.MaxFunc(towns, func(a, b Town) int { return cmp.Compare(a.Weight, b.Weight) }).Weight
	near := func(t Town) geo.Point {
		spread := max(0.5, s.SpreadKm*math.Cbrt(t.Weight/heaviest))
		for {
			lat := t.Location.Lat + rng.NormFloat64()*spread/111.195
			lon := t.Location.Lon + rng.NormFloat64()*spread/(111.195*math.Cos(t.Location.Lat*math.Pi/180))
			if lat >= s.MinLat && lat <= s.MaxLat && lon >= s.MinLon && lon <= s.MaxLon {
				return geo.Point{Lat: round6(lat), Lon: round6(lon)}
			}
		}
	}

	var days []Day
	for t := first; len(days) < s.Days; t = t.AddDate(0, 0, 1) {
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			days = append(days, DayOf(t))
		}
	}

	p := Problem{
		Description: fmt.Sprintf("generated: %d children, %d hubs, %d days, seed %d", s.Children, s.Hubs, s.Days, s.Seed),
		Params:      Params{MaxDistanceKm: s.MaxDistanceKm, Seed: s.Seed},
	}

	// Households and their requests.
	var demand [numLevels]int
	for hh := int64(1); len(p.Requests) < s.Children; hh++ {
		size := 1
		switch x := rng.Float64(); {
		case x > 0.96:
			size = 4
		case x > 0.83:
			size = 3
		case x > 0.50:
			size = 2
		}
		size = min(size, s.Children-len(p.Requests))
		home := near(towns[people.pick(rng)])
		tier := 1
		switch x := rng.Float64(); {
		case x > 0.80:
			tier = 3
		case x > 0.45:
			tier = 2
		}
		split := rng.Float64() < s.SplitShare
		mixed := size > 1 && rng.Float64() < s.MixedTierShare
		pattern := days
		if rng.Float64() > 0.5 {
			pattern = someDays(rng, days)
		}
		at := first.Add(-time.Duration(rng.IntN(4*24*60)) * time.Minute)
		var level Level
		for i := range size {
			// Siblings are close in age: the same level or the next one.
			switch x := rng.Float64(); {
			case i > 0 && x < 0.6:
			case i > 0:
				level = Levels()[min(level.index()+1, numLevels-1)]
			case x < 0.30:
				level = Maternelle
			case x > 0.75:
				level = College
			default:
				level = Elementaire
			}
			r := Request{
				ChildID: int64(len(p.Requests) + 1), HouseholdID: hh, Level: level,
				Days: slices.Clone(pattern), Location: home, Tier: tier, AllowSplit: split,
				RequestedAt: at.Add(time.Duration(rng.IntN(3)) * time.Minute),
			}
			if rng.Float64() < 0.1 {
				r.Days = someDays(rng, days)
			}
			if mixed && i == size-1 {
				r.Tier = 1 + (tier % 3)
			}
			demand[level.index()] += len(r.Days)
			p.Requests = append(p.Requests, r)
		}
	}

	// Hubs: primary schools (maternelle and élémentaire), collèges, and a few hosting all levels.
	type hubDraft struct {
		loc    geo.Point
		levels []Level
		weight float64
		closed Day
	}
	drafts := make([]hubDraft, s.Hubs)
	var weight [numLevels]float64
	for i := range drafts {
		h := &drafts[i]
		h.loc = near(towns[schools.pick(rng)])
		switch x := rng.Float64(); {
		case x < 0.55:
			h.levels = []Level{Maternelle, Elementaire}
		case x < 0.70:
			h.levels = []Level{College}
		default:
			h.levels = Levels()
		}
		h.weight = 0.5 + rng.Float64()
		if rng.Float64() < 0.1 {
			h.closed = days[rng.IntN(len(days))]
		}
		for _, l := range h.levels {
			weight[l.index()] += h.weight
		}
	}
	for i, h := range drafts {
		hub := Hub{ID: int64(1000 + i), Name: fmt.Sprintf("Pôle %d", i+1), Location: h.loc}
		seats := map[Level]int{}
		for _, l := range h.levels {
			perDay := float64(demand[l.index()]) / float64(len(days))
			seats[l] = max(2, int(math.Round(s.SeatRatio*perDay*h.weight/weight[l.index()])))
		}
		for _, d := range days {
			if d != h.closed {
				hub.Days = append(hub.Days, HubDay{Day: d, Seats: seats})
			}
		}
		p.Hubs = append(p.Hubs, hub)
	}
	p.Fixed = fixSome(rng, &p, s.FixedShare)
	return p, nil
}

// fixSome confirms, for a share of the children, the first days of their request (one or two) in
// the nearest hub with a free seat on those days, as an earlier run would have; siblings who may
// not be split join their fixed brother or sister when they can.
func fixSome(rng *rand.Rand, p *Problem, share float64) []FixedPlacement {
	if share <= 0 || len(p.Hubs) == 0 {
		return nil
	}
	maxKm := p.Params.withDefaults().MaxDistanceKm
	locs := make([]geo.Point, len(p.Hubs))
	maxLat, maxLon := 0.0, 0.0
	for i, h := range p.Hubs {
		locs[i] = h.Location
		maxLat, maxLon = max(maxLat, math.Abs(h.Location.Lat)), max(maxLon, math.Abs(h.Location.Lon))
	}
	for _, r := range p.Requests {
		maxLat, maxLon = max(maxLat, math.Abs(r.Location.Lat)), max(maxLon, math.Abs(r.Location.Lon))
	}
	grid := newHubGrid(locs, maxKm, maxLat, maxLon)
	type slot struct {
		hub   int
		day   Day
		level Level
	}
	used := map[slot]int{}
	siblingHub := map[int64]int{} // household → hub of a fixed child
	fits := func(r Request, days []Day, h int) bool {
		if geo.DistanceKm(r.Location, locs[h]) > maxKm {
			return false
		}
		for _, d := range days {
			if used[slot{h, d, r.Level}] >= seatsOn(p.Hubs[h], d, r.Level) {
				return false
			}
		}
		return true
	}
	var fixed []FixedPlacement
	for _, r := range p.Requests {
		if rng.Float64() >= share {
			continue
		}
		days := r.Days[:min(len(r.Days), 1+rng.IntN(2))]
		best, bestKm := -1, math.Inf(1)
		if h, ok := siblingHub[r.HouseholdID]; ok && !r.AllowSplit {
			if fits(r, days, h) {
				best = h
			}
		} else {
			grid.near(r.Location, func(h32 int32) {
				h := int(h32)
				if km := geo.DistanceKm(r.Location, locs[h]); km < bestKm && fits(r, days, h) {
					best, bestKm = h, km
				}
			})
		}
		if best < 0 {
			continue
		}
		siblingHub[r.HouseholdID] = best
		for _, d := range days {
			used[slot{best, d, r.Level}]++
			fixed = append(fixed, FixedPlacement{ChildID: r.ChildID, Day: d, HubID: p.Hubs[best].ID})
		}
	}
	return fixed
}

// someDays picks a non-empty subset of days, each kept with probability 0.65.
func someDays(rng *rand.Rand, days []Day) []Day {
	for {
		var out []Day
		for _, d := range days {
			if rng.Float64() < 0.65 {
				out = append(out, d)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
}

// picker draws towns with probability proportional to weight^exponent.
type picker struct{ cumulative []float64 }

func newPicker(towns []Town, exponent float64) picker {
	var p picker
	total := 0.0
	for _, t := range towns {
		total += math.Pow(t.Weight, exponent)
		p.cumulative = append(p.cumulative, total)
	}
	return p
}

func (p picker) pick(rng *rand.Rand) int {
	x := rng.Float64() * p.cumulative[len(p.cumulative)-1]
	i, _ := slices.BinarySearch(p.cumulative, x)
	return min(i, len(p.cumulative)-1)
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }
