package alloc

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// FieldError reports one bad field of a problem. Field is a path such as "requests[3].level".
type FieldError struct {
	Field   string
	French  string
	English string
}

func (e *FieldError) Error() string {
	return e.Field + " : " + e.French + " (" + e.English + ")"
}

// maxFieldErrors caps how many errors Validate reports, so a wholly wrong file gives a readable answer.
const maxFieldErrors = 20

type fieldErrors struct {
	errs    []error
	dropped int
}

func (f *fieldErrors) add(field, french, english string) {
	if len(f.errs) >= maxFieldErrors {
		f.dropped++
		return
	}
	f.errs = append(f.errs, &FieldError{Field: field, French: french, English: english})
}

func (f *fieldErrors) err() error {
	if f.dropped > 0 {
		f.errs = append(f.errs, fmt.Errorf("… et %d autres erreurs (and %d more errors)", f.dropped, f.dropped))
	}
	return errors.Join(f.errs...)
}

// Validate checks the problem and returns nil or the joined *FieldError values, each naming its
// field. A problem that passes Validate can be solved.
func (p *Problem) Validate() error {
	var fe fieldErrors
	if p.Format != "" && p.Format != ProblemFormat {
		fe.add("format", fmt.Sprintf("format %q inconnu, attendu %q", p.Format, ProblemFormat),
			"unknown format")
	}
	validateParams(&fe, p.Params)

	// Field paths are built only for an error, and each distinct day is parsed once: Validate runs
	// before every instant booking, over hundreds of hub-days of a few days.
	dayOK := map[Day]bool{}
	validDay := func(d Day) bool {
		ok, seen := dayOK[d]
		if !seen {
			ok = d.valid()
			dayOK[d] = ok
		}
		return ok
	}
	hubs := map[int64]int{}
	for i, h := range p.Hubs {
		at := func() string { return fmt.Sprintf("hubs[%d]", i) }
		if h.ID <= 0 {
			fe.add(at()+".id", "identifiant manquant ou négatif", "missing or negative id")
		} else if j, dup := hubs[h.ID]; dup {
			fe.add(at()+".id", fmt.Sprintf("identifiant %d déjà utilisé par hubs[%d]", h.ID, j), "duplicate hub id")
		} else {
			hubs[h.ID] = i
		}
		validatePoint(&fe, func() string { return at() + ".location" }, h.Location.Lat, h.Location.Lon)
		days := map[Day]bool{}
		for j, hd := range h.Days {
			dat := func() string { return fmt.Sprintf("%s.days[%d]", at(), j) }
			if !validDay(hd.Day) {
				fe.add(dat()+".day", fmt.Sprintf("date %q invalide, attendu AAAA-MM-JJ", hd.Day), "invalid date, want YYYY-MM-DD")
			} else if days[hd.Day] {
				fe.add(dat()+".day", fmt.Sprintf("jour %s donné deux fois", hd.Day), "day listed twice")
			}
			days[hd.Day] = true
			for _, l := range seatLevels(hd.Seats) {
				n := hd.Seats[l]
				if l.index() < 0 {
					fe.add(dat()+".seats", fmt.Sprintf("niveau %q inconnu, attendu maternelle, elementaire ou college", l), "unknown level")
				} else if n < 0 {
					fe.add(fmt.Sprintf("%s.seats.%s", dat(), l), fmt.Sprintf("capacité négative (%d)", n), "negative capacity")
				}
			}
		}
	}

	type childInfo struct {
		household int64
		level     Level
		days      map[Day]int // day → request index
	}
	children := map[int64]*childInfo{}
	type siblingRule struct{ allowSplit, allOrNone bool }
	split := map[int64]struct {
		rule siblingRule
		at   int
	}{}
	for i, r := range p.Requests {
		at := func() string { return fmt.Sprintf("requests[%d]", i) }
		if r.ChildID <= 0 {
			fe.add(at()+".child_id", "identifiant d'enfant manquant ou négatif", "missing or negative child id")
		}
		if r.HouseholdID <= 0 {
			fe.add(at()+".household_id", "identifiant de foyer manquant ou négatif", "missing or negative household id")
		}
		if r.Level.index() < 0 {
			fe.add(at()+".level", fmt.Sprintf("niveau %q inconnu, attendu maternelle, elementaire ou college", r.Level), "unknown level")
		}
		if r.Tier < 1 {
			fe.add(at()+".tier", fmt.Sprintf("niveau de priorité %d invalide, attendu 1 (le plus haut) ou plus", r.Tier), "tier must be 1 (highest) or more")
		}
		validatePoint(&fe, func() string { return at() + ".location" }, r.Location.Lat, r.Location.Lon)
		if len(r.Days) == 0 {
			fe.add(at()+".days", "aucun jour demandé", "no day requested")
		}
		rule := siblingRule{r.AllowSplit, r.AllOrNone}
		switch s, ok := split[r.HouseholdID]; {
		case r.AllowSplit && r.AllOrNone:
			fe.add(at()+".all_or_none", "incompatible avec allow_split : un foyer ne peut pas à la fois accepter de séparer ses enfants et demander qu'ils soient accueillis tous ensemble ou pas du tout",
				"cannot be set together with allow_split")
		case ok && s.rule.allowSplit != r.AllowSplit:
			fe.add(at()+".allow_split", fmt.Sprintf("le foyer %d a une autre valeur dans requests[%d]", r.HouseholdID, s.at),
				"household setting differs between requests")
		case ok && s.rule.allOrNone != r.AllOrNone:
			fe.add(at()+".all_or_none", fmt.Sprintf("le foyer %d a une autre valeur dans requests[%d]", r.HouseholdID, s.at),
				"household setting differs between requests")
		case !ok:
			split[r.HouseholdID] = struct {
				rule siblingRule
				at   int
			}{rule, i}
		}
		c := children[r.ChildID]
		if c == nil {
			c = &childInfo{household: r.HouseholdID, level: r.Level, days: map[Day]int{}}
			children[r.ChildID] = c
		} else {
			if c.household != r.HouseholdID {
				fe.add(at()+".household_id", fmt.Sprintf("l'enfant %d a un autre foyer dans une autre demande", r.ChildID), "child has another household in another request")
			}
			if c.level != r.Level {
				fe.add(at()+".level", fmt.Sprintf("l'enfant %d a un autre niveau dans une autre demande", r.ChildID), "child has another level in another request")
			}
		}
		for j, d := range r.Days {
			dat := func() string { return fmt.Sprintf("%s.days[%d]", at(), j) }
			if !validDay(d) {
				fe.add(dat(), fmt.Sprintf("date %q invalide, attendu AAAA-MM-JJ", d), "invalid date, want YYYY-MM-DD")
				continue
			}
			if k, dup := c.days[d]; dup {
				fe.add(dat(), fmt.Sprintf("jour %s déjà demandé pour l'enfant %d dans requests[%d]", d, r.ChildID, k), "day already requested for this child")
				continue
			}
			c.days[d] = i
		}
	}

	type slot struct {
		hub   int64
		day   Day
		level Level
	}
	taken := map[slot]int{}
	type childDay struct {
		child int64
		day   Day
	}
	fixed := map[childDay]int{}
	for i, f := range p.Fixed {
		at := func() string { return fmt.Sprintf("fixed[%d]", i) }
		c := children[f.ChildID]
		if c == nil {
			fe.add(at()+".child_id", fmt.Sprintf("enfant %d inconnu : il n'a aucune demande", f.ChildID), "unknown child: no request")
			continue
		}
		if _, ok := c.days[f.Day]; !ok {
			fe.add(at()+".day", fmt.Sprintf("l'enfant %d n'a pas demandé le %s", f.ChildID, f.Day), "child did not request that day")
			continue
		}
		key := childDay{f.ChildID, f.Day}
		if j, dup := fixed[key]; dup {
			fe.add(at(), fmt.Sprintf("enfant %d déjà placé le %s par fixed[%d]", f.ChildID, f.Day, j), "child already fixed that day")
			continue
		}
		fixed[key] = i
		hi, ok := hubs[f.HubID]
		if !ok {
			fe.add(at()+".hub_id", fmt.Sprintf("pôle %d inconnu", f.HubID), "unknown hub")
			continue
		}
		seats := seatsOn(p.Hubs[hi], f.Day, c.level)
		s := slot{f.HubID, f.Day, c.level}
		taken[s]++
		switch {
		case seats == 0:
			fe.add(at()+".hub_id", fmt.Sprintf("le pôle %d n'accueille pas le niveau %s le %s", f.HubID, c.level, f.Day), "hub does not host this level that day")
		case taken[s] > seats:
			fe.add(at()+".hub_id", fmt.Sprintf("le pôle %d n'a que %d places %s le %s : trop de placements fixés", f.HubID, seats, c.level, f.Day), "more fixed placements than seats")
		}
	}
	days := map[Day]bool{}
	for _, r := range p.Requests {
		for _, d := range r.Days {
			days[d] = true
		}
	}
	if len(days) > maxDays {
		fe.add("requests", fmt.Sprintf("%d jours demandés, au plus %d par calcul", len(days), maxDays), "too many days in one run")
	}
	return fe.err()
}

// maxDays is the most days one run can cover.
const maxDays = 64 * maxDayWords

func validateParams(fe *fieldErrors, p Params) {
	bad := func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }
	if bad(p.MaxDistanceKm) || p.MaxDistanceKm < 0 || p.MaxDistanceKm > 1000 {
		fe.add("params.max_distance_km", fmt.Sprintf("distance %v invalide, attendu entre 0 et 1000 km", p.MaxDistanceKm), "distance must be between 0 and 1000 km")
	}
	if bad(p.HubChangeKm) || p.HubChangeKm < 0 || p.HubChangeKm > 100000 {
		fe.add("params.hub_change_km", fmt.Sprintf("poids %v invalide, attendu entre 0 et 100000 km", p.HubChangeKm), "weight must be between 0 and 100000 km")
	}
	if p.Passes < 0 || p.Passes > 20 {
		fe.add("params.passes", fmt.Sprintf("nombre de passes %d invalide, attendu entre 1 et 20", p.Passes), "passes must be between 1 and 20")
	}
}

func validatePoint(fe *fieldErrors, field func() string, lat, lon float64) {
	switch {
	case math.IsNaN(lat) || math.IsNaN(lon) || lat < -90 || lat > 90 || lon < -180 || lon > 180:
		fe.add(field(), fmt.Sprintf("position (%v, %v) hors du globe", lat, lon), "position off the globe")
	case lat == 0 && lon == 0:
		fe.add(field(), "position manquante (lat et lon valent 0)", "missing position (lat and lon are 0)")
	}
}

// seatsOn is the hub's seats of level l on day d; 0 when closed that day or not hosting the level.
func seatsOn(h Hub, d Day, l Level) int {
	for _, hd := range h.Days {
		if hd.Day == d {
			return max(hd.Seats[l], 0)
		}
	}
	return 0
}

// seatLevels lists a seat map's keys in a fixed order, so errors come out in the same order:
// the known levels first (without sorting, as nearly every map holds only those), then the
// others sorted.
func seatLevels(m map[Level]int) []Level {
	known := 0
	for _, l := range [...]Level{Maternelle, Elementaire, College} {
		if _, ok := m[l]; ok {
			known++
		}
	}
	if known < len(m) {
		return sortedLevelKeys(m)
	}
	ls := make([]Level, 0, known)
	for _, l := range [...]Level{Maternelle, Elementaire, College} {
		if _, ok := m[l]; ok {
			ls = append(ls, l)
		}
	}
	return ls
}

// sortedLevelKeys lists a seat map's keys in a fixed order, so errors come out in the same order.
func sortedLevelKeys(m map[Level]int) []Level {
	ls := make([]Level, 0, len(m))
	for l := range m {
		ls = append(ls, l)
	}
	sort.Slice(ls, func(i, j int) bool { return strings.Compare(string(ls[i]), string(ls[j])) < 0 })
	return ls
}
