package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

const (
	// householdCount and the children per household below give the 2021 figures of the
	// académie: about 2,600 families and 3,500 to 3,700 children.
	householdCount = 2600
	// maxCommuteKm is the farthest a parent drives to work.
	maxCommuteKm = 40.0
)

// childrenPerHousehold: share of households with 1, 2, 3, 4 children (per mille).
var childrenPerHousehold = []float64{660, 280, 50, 10}

// schoolAgeWeights: relative number of children by school-year age (the rentrée year minus the
// birth year), from 3 to 15. Little ones are the most hosted; collégiens of 13 and more mostly
// stay home alone.
var schoolAgeWeights = []float64{9, 10.5, 10.5, 10, 10, 10, 10, 10, 7, 4.5, 2, 1, 0.5}

// Arrival and departure times, in quarter hours from 07:30 and from 16:00, weighted: hospital
// shifts start early and end late.
var (
	arrivalWeights   = []float64{30, 20, 20, 10, 10, 5, 5}              // 07:30 … 09:00
	departureWeights = []float64{2, 2, 5, 2, 10, 3, 15, 10, 20, 15, 20} // 16:00 … 18:30
	// hourWeights is when parents fill the form: before work, and in the evening.
	hourWeights = []float64{2, 1, 1, 1, 1, 2, 4, 8, 12, 10, 6, 5, 6, 6, 5, 4, 4, 5, 6, 7, 9, 10, 8, 4}
)

// householdDraft is a household with what is known only while generating: each parent's
// work commune (-1 for a parent outside the priority list), to name teachers' schools once the
// hubs exist.
type householdDraft struct {
	store.SeedHousehold
	parentWork []int
}

// families generates the households. It is a type so that the random source, the uniqueness
// sets and the workplace candidates are shared by all its helpers without globals.
type families struct {
	r     *rand.Rand
	a     *academie
	today time.Time // civil date at 00:00 UTC, as dates are stored
	// midnight is the start of today in the caller's location; request times precede it.
	midnight time.Time
	week     []time.Time
	// hubCommunes are where teachers hosting the hubs work.
	hubCommunes []int
	// workplaces[p][w] are the candidate communes of workplace w of profession p.
	workplaces [][][]candidate
	byTier     [3][]int
	// originWeights draws a family's origin.
	originWeights []float64
	phones        map[string]bool
	requested     map[int64]bool
}

// candidate is a commune where a kind of employer exists, with its name when it is a site.
type candidate struct {
	commune int
	name    string
	size    float64
}

func newFamilies(r *rand.Rand, a *academie, today, midnight time.Time, week []time.Time, hubSites []int) *families {
	f := &families{
		r: r, a: a, today: today, midnight: midnight, week: week,
		phones: map[string]bool{}, requested: map[int64]bool{},
	}
	for _, c := range hubSites {
		if !slices.Contains(f.hubCommunes, c) {
			f.hubCommunes = append(f.hubCommunes, c)
		}
	}
	slices.Sort(f.hubCommunes)
	for _, o := range origins {
		f.originWeights = append(f.originWeights, float64(o.share))
	}
	for pi, p := range professions {
		f.byTier[p.tier-1] = append(f.byTier[p.tier-1], pi)
		var perWorkplace [][]candidate
		for _, w := range p.workplaces {
			var cands []candidate
			switch {
			case w.sites != nil:
				for _, s := range w.sites {
					cands = append(cands, candidate{commune: a.commune(s.commune, s.dept), name: s.name, size: s.size})
				}
			case w.atHubs:
				for _, c := range f.hubCommunes {
					cands = append(cands, candidate{commune: c, size: math.Pow(float64(a.communes[c].Population), 0.7)})
				}
			default:
				for c, com := range a.communes {
					if com.Population >= w.minPop {
						cands = append(cands, candidate{commune: c, size: math.Pow(float64(com.Population), 0.7)})
					}
				}
			}
			perWorkplace = append(perWorkplace, cands)
		}
		f.workplaces = append(f.workplaces, perWorkplace)
	}
	return f
}

// household draws one household, of the parent account email: its home is in a commune drawn
// by population, its best profession's tier by tierShares.
func (f *families) household(email string) householdDraft {
	r := f.r
	home := f.a.byPopulation.draw(r)
	tier := weighted(r, tierShares)
	prof, work, employer := f.professionNear(tier, home)

	o := &origins[weighted(r, f.originWeights)]
	woman := chance(r, professions[prof].women)
	p1 := store.SeedParent{
		FirstName: f.adultName(o, woman), LastName: oneOf(r, o.surnames), Phone: f.mobile(),
		ProfessionCode: professions[prof].code, Employer: employer,
	}
	d := householdDraft{parentWork: []int{work}}
	d.Parents = []store.SeedParent{p1}

	if chance(r, 0.6) {
		woman2 := !woman
		if chance(r, 0.04) {
			woman2 = woman
		}
		o2 := o
		if chance(r, 0.15) {
			o2 = &origins[weighted(r, f.originWeights)]
		}
		p2 := store.SeedParent{FirstName: f.adultName(o2, woman2), LastName: p1.LastName, Phone: f.mobile()}
		if chance(r, 0.45) {
			p2.LastName = oneOf(r, o2.surnames)
		}
		work2 := -1
		if chance(r, 0.5) {
			// Parent 1 carries the household's best tier: parent 2's is no better.
			t2 := tier + weighted(r, tierShares[tier:])
			var prof2 int
			prof2, work2, p2.Employer = f.professionNear(t2, home)
			p2.ProfessionCode = professions[prof2].code
		}
		d.Parents = append(d.Parents, p2)
		d.parentWork = append(d.parentWork, work2)
	}

	d.AccountEmail = email
	d.HomeAddress = fmt.Sprintf("%d %s", 1+r.IntN(houseNumbers(f.a.communes[home].Population)), oneOf(r, streets))
	d.HomeCommune = f.a.communes[home].InseeCode
	d.WorkCommune = f.a.communes[work].InseeCode
	d.AllowSplit = chance(r, 0.05)

	surname := f.childrenSurname(d.Parents)
	pickups := f.pickups(o, d.Parents, f.a.communes[home].Departement)
	n := 1 + weighted(r, childrenPerHousehold)
	var births []time.Time
	for range n {
		birth, level := f.birth(births)
		births = append(births, birth)
		c := store.SeedChild{LastName: surname, BirthDate: birth, Level: level}
		c.FirstName = f.childName(d.Children)
		if len(d.Children) > 0 && len(d.Parents) == 2 && chance(r, 0.04) {
			// A child of a former union, with its other parent's name.
			c.LastName = oneOf(r, o.surnames)
		}
		if chance(r, 0.08) {
			c.HealthNote = oneOf(r, healthNotes)
		}
		c.Pickups = slices.Clone(pickups)
		if len(c.Pickups) > 0 && chance(r, 0.1) {
			c.Pickups = c.Pickups[:len(c.Pickups)-1]
		}
		d.Children = append(d.Children, c)
	}
	// A collégien goes to a collège and a younger child to an école, never the same hub: such
	// families let their children be hosted apart, or they would never get a seat.
	levels := map[store.Level]bool{}
	for _, c := range d.Children {
		levels[c.Level] = true
	}
	if levels[store.College] && len(levels) > 1 {
		d.AllowSplit = true
	}
	f.requests(&d)
	return d
}

// professionNear draws a profession of the tier whose employers exist within maxCommuteKm of
// home, then the workplace: home or a town nearby, the bigger and nearer the likelier.
func (f *families) professionNear(tier, home int) (prof, work int, employer string) {
	r := f.r
	list := f.byTier[tier]
	weights := make([]float64, len(list))
	for i, p := range list {
		weights[i] = professions[p].weight
	}
	for range 100 {
		prof = list[weighted(r, weights)]
		if work, employer, ok := f.workplace(prof, home); ok {
			return prof, work, employer
		}
		// No such employer within reach (a prison far away): another profession of the tier.
	}
	panic(fmt.Sprintf("demo: no employer of tier %d within %.0f km of %s", tier+1, maxCommuteKm, f.a.communes[home].Name))
}

func (f *families) workplace(prof, home int) (work int, employer string, ok bool) {
	r := f.r
	p := professions[prof]
	kindWeights := make([]float64, len(p.workplaces))
	perKind := make([][]float64, len(p.workplaces))
	for k, w := range p.workplaces {
		cw := make([]float64, len(f.workplaces[prof][k]))
		for i, c := range f.workplaces[prof][k] {
			if d := f.a.approxKm(home, c.commune); d <= maxCommuteKm {
				cw[i] = c.size / (1 + (d/10)*(d/10))
				kindWeights[k] = w.weight
			}
		}
		perKind[k] = cw
	}
	k := weighted(r, kindWeights)
	if k < 0 {
		return 0, "", false
	}
	c := f.workplaces[prof][k][weighted(r, perKind[k])]
	if c.name != "" {
		return c.commune, c.name, true
	}
	return c.commune, p.workplaces[k].employer(f.a.communes[c.commune], r.IntN), true
}

// adultName is a parent's first name: the family's origin shows in most, not all.
func (f *families) adultName(o *origin, woman bool) string {
	if o != &origins[0] && chance(f.r, 0.35) {
		o = &origins[0]
	}
	if woman {
		return oneOf(f.r, o.women)
	}
	return oneOf(f.r, o.men)
}

// childName is a first name not already given to a sibling.
func (f *families) childName(siblings []store.SeedChild) string {
	for {
		name := oneOf(f.r, girlNames)
		if chance(f.r, 0.5) {
			name = oneOf(f.r, boyNames)
		}
		if !slices.ContainsFunc(siblings, func(c store.SeedChild) bool { return c.FirstName == name }) {
			return name
		}
	}
}

// childrenSurname: parent 1's name mostly, sometimes parent 2's or both (allowed since 2005).
func (f *families) childrenSurname(parents []store.SeedParent) string {
	if len(parents) == 1 || parents[0].LastName == parents[1].LastName {
		return parents[0].LastName
	}
	switch x := f.r.Float64(); {
	case x < 0.08:
		return parents[1].LastName
	case x < 0.18:
		return parents[0].LastName + " " + parents[1].LastName
	}
	return parents[0].LastName
}

// birth draws a birth date giving an age of 3 to 15 today and a school level, apart from the
// siblings' by at least ten months (or the same day: twins).
func (f *families) birth(siblings []time.Time) (time.Time, store.Level) {
	r := f.r
	rentree := f.today.Year()
	if f.today.Month() < time.September {
		rentree--
	}
	if len(siblings) > 0 && chance(r, 0.015) {
		l, _ := store.LevelFor(siblings[0], f.today)
		return siblings[0], l
	}
	for {
		year := rentree - 3 - weighted(r, schoolAgeWeights)
		birth := time.Date(year, time.January, 1+r.IntN(365), 0, 0, 0, 0, time.UTC)
		level, ok := store.LevelFor(birth, f.today)
		if !ok || store.AgeOn(birth, f.today) < 3 {
			continue
		}
		if slices.ContainsFunc(siblings, func(s time.Time) bool {
			return math.Abs(s.Sub(birth).Hours()) < 300*24
		}) {
			continue
		}
		return birth, level
	}
}

// pickups are the household's other adults allowed to collect the children: grand-parents,
// an aunt, a neighbour.
func (f *families) pickups(o *origin, parents []store.SeedParent, dept string) []store.SeedPickup {
	r := f.r
	var out []store.SeedPickup
	for range weighted(r, []float64{30, 40, 30}) {
		var rel relation
		if chance(r, 0.6) {
			rel = oneOf(r, relatives)
		} else {
			rel = oneOf(r, others)
		}
		first := f.adultName(o, rel.woman)
		switch rel.label {
		case "Grand-mère":
			first = oneOf(r, elderWomen)
		case "Grand-père":
			first = oneOf(r, elderMen)
		}
		last := oneOf(r, o.surnames)
		if rel.family && chance(r, 0.5) {
			last = oneOf(r, parents).LastName
		}
		name := first + " " + last
		if slices.ContainsFunc(out, func(p store.SeedPickup) bool { return p.Name == name }) {
			continue
		}
		phone := f.mobile()
		if rel.family && chance(r, 0.4) {
			phone = f.landline(dept)
		}
		out = append(out, store.SeedPickup{Name: name, Phone: phone, Relation: rel.label})
	}
	return out
}

// mobile is a French mobile number not given to anyone else in the demo.
func (f *families) mobile() string {
	for {
		p := fmt.Sprintf("0%d%08d", 6+f.r.IntN(2), f.r.IntN(100_000_000))
		if !f.phones[p] {
			f.phones[p] = true
			return p
		}
	}
}

// landline is a fixed number of département dept (03 81 in the Doubs, 03 84 elsewhere in the
// académie).
func (f *families) landline(dept string) string {
	prefix := "0384"
	if dept == "25" {
		prefix = "0381"
	}
	for {
		p := fmt.Sprintf("%s%06d", prefix, f.r.IntN(1_000_000))
		if !f.phones[p] {
			f.phones[p] = true
			return p
		}
	}
}

// requests asks for days of the coming week for every child: the household's shifts decide
// which days, one location for all (home or work), the same hours most days. Requests are timed
// over the three days before today, one family at a time, each at a distinct second.
func (f *families) requests(d *householdDraft) {
	r := f.r
	days := f.householdDays()
	location := store.NearHome
	if chance(r, 0.5) {
		location = store.NearWork
	}
	arrive := weighted(r, arrivalWeights)
	depart := weighted(r, departureWeights)

	windowStart := f.midnight.AddDate(0, 0, -3)
	day := windowStart.AddDate(0, 0, r.IntN(3))
	at := day.Add(time.Duration(weighted(r, hourWeights))*time.Hour +
		time.Duration(r.IntN(3600))*time.Second)
	// Leave room for the family's requests before midnight.
	if latest := f.midnight.Add(-10 * time.Minute); at.After(latest) {
		at = latest
	}
	first := time.Time{}

	for ci := range d.Children {
		c := &d.Children[ci]
		for _, k := range days {
			if f.week[k].Weekday() == time.Wednesday && c.Level == store.College && chance(r, 0.3) {
				continue // a collégien stays home alone on Wednesday afternoon
			}
			if chance(r, 0.03) && len(c.Requests) > 0 {
				continue // a day with the other parent off
			}
			a, dep := arrive, depart
			if chance(r, 0.2) {
				a = clamp(a+r.IntN(3)-1, 0, len(arrivalWeights)-1)
				dep = clamp(dep+r.IntN(3)-1, 0, len(departureWeights)-1)
			}
			at = f.distinctSecond(at.Add(time.Duration(1+r.IntN(4)) * time.Second))
			if first.IsZero() {
				first = at
			}
			c.Requests = append(c.Requests, store.SeedRequest{
				Day: f.week[k], Location: location,
				ArriveAt: clock(7*60 + 30 + 15*a), DepartAt: clock(16*60 + 15*dep),
				RequestedAt: at,
			})
		}
	}
	if first.IsZero() {
		first = at
	}
	// The sworn statement is signed when the household registers, before its first request.
	d.SwornAt = first.Add(-time.Duration(600+r.IntN(4*24*3600)) * time.Second)
}

// householdDays are the indices in the week of the days a household needs: the whole week for
// most (Wednesday a little less), two to four days for parents on shifts.
func (f *families) householdDays() []int {
	r := f.r
	weights := make([]float64, len(f.week))
	for k, day := range f.week {
		weights[k] = 1
		if day.Weekday() == time.Wednesday {
			weights[k] = 0.6
		}
	}
	if chance(r, 0.82) {
		var days []int
		for k := range f.week {
			if weights[k] == 1 || chance(r, 0.8) {
				days = append(days, k)
			}
		}
		return days
	}
	var days []int
	for range 2 + r.IntN(3) {
		k := weighted(r, weights)
		weights[k] = 0
		days = append(days, k)
	}
	slices.Sort(days)
	return days
}

// distinctSecond returns t, or the next second no other request took: the order of requests is
// then total, which first-come tie-breaks rely on.
func (f *families) distinctSecond(t time.Time) time.Time {
	t = t.Truncate(time.Second)
	for f.requested[t.Unix()] {
		t = t.Add(time.Second)
	}
	f.requested[t.Unix()] = true
	return t
}

func clock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

func clamp(x, lo, hi int) int { return max(lo, min(hi, x)) }
