// Package demo generates the demo académie: the académie de Besançon's 4 départements and 1,692
// communes, 395 hubs, about 2,600 households of priority workers with about 3,600 children, and
// their booking requests for the coming week, as in April 2021. Everything is drawn from a seed
// and dated relative to today, so the demo is always current and always the same for a seed.
package demo

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/accueil-prioritaire/accueil/geo"
	"github.com/accueil-prioritaire/accueil/store"
)

// Demo passwords: long enough for the password policy and not common words, but printed at
// start, so never to be used outside a demo.
const (
	ParentPassword = "Accueil-parent-2026"
	StaffPassword  = "Accueil-equipe-2026"
)

// Featured demo accounts, printed at start.
const (
	ParentEmail   = "parent@demo.test"
	DirectorEmail = "directeur@demo.test"
	RectoratEmail = "rectorat@demo.test"
	AdminEmail    = "admin@demo.test"
)

// Login is a demo account to print at start: role, e-mail, password, and what it shows (FR).
type Login struct {
	Role            store.Role
	Email, Password string
	Description     string
}

// openDayCount is two school weeks: hubs get capacity for both, requests cover the first.
const openDayCount = 10

// Independent random streams per part, so that changing how one part is drawn leaves the others
// as they were for a seed.
const (
	streamHubSites uint64 = iota + 1
	streamHouseholds
	streamCapacity
	streamNames
)

// Generate builds the demo académie for the days around today, deterministically from seed.
// Dates (open days, birth dates) are civil dates at 00:00 UTC; instants (requests, sworn
// statements) are in today's location. It panics only if the embedded communes are corrupt,
// which package geo's tests rule out.
func Generate(seed uint64, today time.Time) (store.Seed, []Login) {
	communes, err := geo.Communes()
	if err != nil {
		panic(fmt.Sprintf("demo: %v", err))
	}
	a := newAcademie(communes)
	y, m, d := today.Date()
	date := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	midnight := time.Date(y, m, d, 0, 0, 0, 0, today.Location())
	days := OpenDays(date)
	stream := func(s uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, s)) }

	sites := placeHubSites(stream(streamHubSites), a)

	f := newFamilies(stream(streamHouseholds), a, date, midnight, days[:5], sites)
	drafts := []householdDraft{featuredHousehold(f)}
	for i := 1; i < householdCount; i++ {
		drafts = append(drafts, f.household(fmt.Sprintf("parent%04d@demo.test", i)))
	}
	households := make([]store.SeedHousehold, len(drafts))
	for i, d := range drafts {
		households[i] = d.SeedHousehold
	}

	plans := planCapacity(stream(streamCapacity), a, sites, peakDemand(households, days))
	names := stream(streamNames)
	nameHubs(names, a, plans)
	teachAtHubs(names, plans, drafts, households)
	hubs := seedHubs(a, plans)

	directorHubs := pickDirectorHubs(a, hubs)
	accounts, logins := demoAccounts(households, directorHubs, days)
	return store.Seed{
		Departements: geo.Departements(),
		Communes:     communes,
		Hubs:         hubs,
		OpenDays:     days,
		Accounts:     accounts,
		Households:   households,
	}, logins
}

// OpenDays are the 10 weekdays from day (from the next Monday when day is a weekend), as
// civil dates at 00:00 UTC.
func OpenDays(day time.Time) []time.Time {
	y, m, d := day.Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	var out []time.Time
	for len(out) < openDayCount {
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			out = append(out, t)
		}
		t = t.AddDate(0, 0, 1)
	}
	return out
}

// Demand counts the requests per level (store.Levels order) for each day of days.
func Demand(households []store.SeedHousehold, days []time.Time) [][3]int {
	out := make([][3]int, len(days))
	for _, h := range households {
		for _, c := range h.Children {
			for _, rq := range c.Requests {
				if k := slices.IndexFunc(days, rq.Day.Equal); k >= 0 {
					out[k][levelIndex(c.Level)]++
				}
			}
		}
	}
	return out
}

func peakDemand(households []store.SeedHousehold, days []time.Time) [3]int {
	var peak [3]int
	for _, d := range Demand(households, days) {
		for l := range peak {
			peak[l] = max(peak[l], d[l])
		}
	}
	return peak
}

// teachAtHubs names the employer of each teacher hosting a hub: a hub of the work commune.
func teachAtHubs(r *rand.Rand, plans []hubPlan, drafts []householdDraft, households []store.SeedHousehold) {
	for i, d := range drafts {
		for p, work := range d.parentWork {
			if households[i].Parents[p].ProfessionCode != "enseignant_accueil" || work < 0 {
				continue
			}
			var here []string
			for _, h := range plans {
				if h.commune == work {
					here = append(here, h.name)
				}
			}
			if len(here) > 0 {
				households[i].Parents[p].Employer = oneOf(r, here)
			}
		}
	}
}

// featuredHousehold is the household of parent@demo.test, the same for every seed so that
// guides and smoke tests can name it: two children with accents in their names, a health note,
// pick-up persons, and the whole coming week asked for near home in Besançon.
func featuredHousehold(f *families) householdDraft {
	besancon := f.a.commune("Besançon", "25")
	rentree := f.today.Year()
	if f.today.Month() < time.September {
		rentree--
	}
	pickups := []store.SeedPickup{
		{Name: "Monique Dupré", Phone: "0381524367", Relation: "Grand-mère"},
		{Name: "Loïc Vuillemin", Phone: "0687451290", Relation: "Voisin"},
	}
	d := householdDraft{parentWork: []int{besancon, -1}}
	d.AccountEmail = ParentEmail
	d.HomeAddress = "8 rue des Chaprais"
	d.HomeCommune = f.a.communes[besancon].InseeCode
	d.WorkCommune = d.HomeCommune
	d.Parents = []store.SeedParent{
		{FirstName: "Hélène", LastName: "Dupré", Phone: "0612457836", ProfessionCode: "infirmier", Employer: "CHU de Besançon"},
		{FirstName: "Karim", LastName: "Benali", Phone: "0767329154"},
	}
	d.Children = []store.SeedChild{
		{FirstName: "Éloïse", LastName: "Dupré", BirthDate: time.Date(rentree-8, time.March, 14, 0, 0, 0, 0, time.UTC),
			Pickups: slices.Clone(pickups)},
		{FirstName: "Noé", LastName: "Dupré", BirthDate: time.Date(rentree-4, time.October, 2, 0, 0, 0, 0, time.UTC),
			Pickups: slices.Clone(pickups[:1]), HealthNote: healthNotes[0]},
	}
	for _, p := range d.Parents {
		f.phones[p.Phone] = true
	}
	for _, p := range pickups {
		f.phones[p.Phone] = true
	}
	at := f.midnight.AddDate(0, 0, -2).Add(21*time.Hour + 14*time.Minute)
	for ci := range d.Children {
		c := &d.Children[ci]
		c.Level, _ = store.LevelFor(c.BirthDate, f.today)
		for _, day := range f.week {
			at = f.distinctSecond(at.Add(2 * time.Second))
			depart := "18:00"
			if day.Weekday() == time.Wednesday {
				depart = "17:00"
			}
			c.Requests = append(c.Requests, store.SeedRequest{
				Day: day, Location: store.NearHome, ArriveAt: "07:30", DepartAt: depart, RequestedAt: at,
			})
		}
	}
	d.SwornAt = f.midnight.AddDate(0, 0, -2).Add(21*time.Hour + 5*time.Minute)
	return d
}

// pickDirectorHubs returns two Besançon écoles near the town centre, the nearest one taking
// both maternelle and élémentaire first: the featured children (one of each, kept together,
// asking near home) are likely to be placed there.
func pickDirectorHubs(a *academie, hubs []store.SeedHub) []store.SeedHub {
	centre := a.communes[a.commune("Besançon", "25")]
	var candidates []store.SeedHub
	for _, h := range hubs {
		_, m := h.Capacity[store.Maternelle]
		_, e := h.Capacity[store.Elementaire]
		if h.CommuneCode == centre.InseeCode && (m || e) {
			candidates = append(candidates, h)
		}
	}
	both := func(h store.SeedHub) bool {
		_, m := h.Capacity[store.Maternelle]
		_, e := h.Capacity[store.Elementaire]
		return m && e
	}
	slices.SortStableFunc(candidates, func(x, y store.SeedHub) int {
		if bx, by := both(x), both(y); bx != by {
			if bx {
				return -1
			}
			return 1
		}
		return cmp.Compare(geo.DistanceKm(centre.Point, x.Point), geo.DistanceKm(centre.Point, y.Point))
	})
	if len(candidates) > 2 {
		// The second is the nearest of the rest, whatever it takes.
		rest := candidates[1:]
		slices.SortStableFunc(rest, func(x, y store.SeedHub) int {
			return cmp.Compare(geo.DistanceKm(centre.Point, x.Point), geo.DistanceKm(centre.Point, y.Point))
		})
	}
	return candidates[:min(2, len(candidates))]
}

// demoAccounts lists the staff accounts, then the parents' in household order, and the logins
// to print.
func demoAccounts(households []store.SeedHousehold, directorHubs []store.SeedHub, days []time.Time) ([]store.SeedAccount, []Login) {
	var accounts []store.SeedAccount
	var logins []Login
	add := func(a store.SeedAccount, description string) {
		accounts = append(accounts, a)
		logins = append(logins, Login{Role: a.Role, Email: a.Email, Password: a.Password, Description: description})
	}

	featured := households[0]
	var children []string
	for _, c := range featured.Children {
		children = append(children, c.FirstName)
	}
	add(store.SeedAccount{
		Email: ParentEmail, Password: ParentPassword, Role: store.RoleParent,
		DisplayName: featured.Parents[0].FirstName + " " + featured.Parents[0].LastName,
	}, fmt.Sprintf("Parent : %s %s, infirmière au CHU de Besançon, %d enfants (%s), 5 jours demandés.",
		featured.Parents[0].FirstName, featured.Parents[0].LastName, len(children),
		strings.Join(children, " et ")))

	var uais, hubNames []string
	for _, h := range directorHubs {
		uais = append(uais, h.UAI)
		hubNames = append(hubNames, h.Name)
	}
	add(store.SeedAccount{
		Email: DirectorEmail, Password: StaffPassword, Role: store.RoleDirector,
		DisplayName: "Claire Vernier", HubUAIs: uais,
	}, fmt.Sprintf("Directrice de %d pôles à Besançon : %s.", len(hubNames), strings.Join(hubNames, " et ")))

	for _, d := range geo.Departements() {
		add(store.SeedAccount{
			Email: "prefecture" + d.Code + "@demo.test", Password: StaffPassword, Role: store.RolePrefecture,
			DisplayName: "Cellule de crise, préfecture " + deDepartement(d), DepartementCode: d.Code,
		}, fmt.Sprintf("Préfecture %s (%s) : pôles, capacités et demandes du département.", deDepartement(d), d.Code))
	}
	add(store.SeedAccount{
		Email: RectoratEmail, Password: StaffPassword, Role: store.RoleRectorat,
		DisplayName: "Cellule de crise du rectorat de Besançon",
	}, fmt.Sprintf("Rectorat : toute l'académie de Besançon, %d pôles dans 4 départements.", hubCount))
	add(store.SeedAccount{
		Email: AdminEmail, Password: StaffPassword, Role: store.RoleAdmin, DisplayName: "Administration de la démo",
	}, "Administrateur : comptes du personnel et paramètres du service.")

	for _, h := range households[1:] {
		p := h.Parents[0]
		accounts = append(accounts, store.SeedAccount{
			Email: h.AccountEmail, Password: ParentPassword, Role: store.RoleParent,
			DisplayName: p.FirstName + " " + p.LastName,
		})
	}
	return accounts, logins
}

// deDepartement is "du Doubs", "de la Haute-Saône", "du Territoire de Belfort": French puts
// the article of the département's name, which geo does not give.
func deDepartement(d geo.Departement) string {
	switch d.Code {
	case "25":
		return "du Doubs"
	case "39":
		return "du Jura"
	case "70":
		return "de la Haute-Saône"
	case "90":
		return "du Territoire de Belfort"
	}
	return "de " + d.Name
}
