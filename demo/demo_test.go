package demo

import (
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/accueil-prioritaire/accueil/geo"
	"github.com/accueil-prioritaire/accueil/store"
)

// The schema's CHECK constraints (migrations/0001_schema.sql).
var (
	uaiRE   = regexp.MustCompile(`^[0-9]{7}[A-Z]$`)
	phoneRE = regexp.MustCompile(`^\+?[0-9]{9,15}$`)
	emailRE = regexp.MustCompile(`^[^@\s]+@[^@\s]+$`)
	clockRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
)

var paris = time.FixedZone("CEST", 2*3600)

// cases are the days the demo is generated for in these tests: a Wednesday in spring, a
// Saturday in autumn (open days start on Monday), and the first school day of September.
var cases = []struct {
	seed  uint64
	today time.Time
}{
	{1, time.Date(2026, time.May, 6, 9, 30, 0, 0, paris)},
	{2026, time.Date(2026, time.November, 21, 23, 45, 0, 0, time.UTC)},
	{7, time.Date(2027, time.September, 1, 8, 0, 0, 0, paris)},
}

type generated struct {
	seed   store.Seed
	logins []Login
}

var generate = sync.OnceValue(func() []generated {
	out := make([]generated, len(cases))
	for i, c := range cases {
		out[i].seed, out[i].logins = Generate(c.seed, c.today)
	}
	return out
})

// forEachCase runs check on the demo of every case, as a subtest.
func forEachCase(t *testing.T, check func(t *testing.T, s store.Seed, logins []Login, today time.Time)) {
	t.Helper()
	for i, g := range generate() {
		c := cases[i]
		t.Run(fmt.Sprintf("seed%d_%s", c.seed, c.today.Format("2006-01-02")), func(t *testing.T) {
			check(t, g.seed, g.logins, c.today)
		})
	}
}

func communesByCode(t *testing.T) map[string]geo.Commune {
	t.Helper()
	communes, err := geo.Communes()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]geo.Commune{}
	for _, c := range communes {
		out[c.InseeCode] = c
	}
	return out
}

func TestDeterministic(t *testing.T) {
	today := cases[0].today
	s1, l1 := Generate(42, today)
	s2, l2 := Generate(42, today)
	if !reflect.DeepEqual(s1, s2) || !reflect.DeepEqual(l1, l2) {
		t.Fatal("two calls with the same seed and day differ")
	}
	s3, _ := Generate(43, today)
	if reflect.DeepEqual(s1.Hubs, s3.Hubs) {
		t.Error("seeds 42 and 43 give the same hubs")
	}
	if reflect.DeepEqual(s1.Households, s3.Households) {
		t.Error("seeds 42 and 43 give the same households")
	}
}

func TestOpenDays(t *testing.T) {
	for _, tc := range []struct {
		today, first, last string
	}{
		{"2026-05-06", "2026-05-06", "2026-05-19"}, // Wednesday
		{"2026-05-09", "2026-05-11", "2026-05-22"}, // Saturday
		{"2026-05-10", "2026-05-11", "2026-05-22"}, // Sunday
		{"2026-05-11", "2026-05-11", "2026-05-22"}, // Monday
	} {
		today, _ := time.Parse(time.DateOnly, tc.today)
		days := OpenDays(today)
		if len(days) != 10 {
			t.Fatalf("OpenDays(%s): %d days, want 10", tc.today, len(days))
		}
		if got := days[0].Format(time.DateOnly); got != tc.first {
			t.Errorf("OpenDays(%s) starts %s, want %s", tc.today, got, tc.first)
		}
		if got := days[9].Format(time.DateOnly); got != tc.last {
			t.Errorf("OpenDays(%s) ends %s, want %s", tc.today, got, tc.last)
		}
		for _, d := range days {
			if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
				t.Errorf("OpenDays(%s) holds a %s", tc.today, wd)
			}
			if d.Location() != time.UTC || d.Hour() != 0 {
				t.Errorf("open day %v is not a date at 00:00 UTC", d)
			}
		}
	}
}

func TestGeography(t *testing.T) {
	forEachCase(t, func(t *testing.T, s store.Seed, _ []Login, _ time.Time) {
		if !reflect.DeepEqual(s.Departements, geo.Departements()) {
			t.Errorf("départements = %v", s.Departements)
		}
		if len(s.Communes) != 1692 {
			t.Errorf("%d communes, want 1692", len(s.Communes))
		}
	})
}

func TestHubs(t *testing.T) {
	communes := communesByCode(t)
	forEachCase(t, func(t *testing.T, s store.Seed, _ []Login, _ time.Time) {
		if len(s.Hubs) != 395 {
			t.Errorf("%d hubs, want 395", len(s.Hubs))
		}
		uais := map[string]bool{}
		names := map[string]bool{}
		perDept := map[string]int{}
		for _, h := range s.Hubs {
			c, ok := communes[h.CommuneCode]
			if !ok {
				t.Errorf("hub %s in unknown commune %q", h.UAI, h.CommuneCode)
				continue
			}
			perDept[c.Departement]++
			if !uaiRE.MatchString(h.UAI) {
				t.Errorf("UAI %q does not match the schema", h.UAI)
				continue
			}
			if uais[h.UAI] {
				t.Errorf("UAI %s given twice", h.UAI)
			}
			uais[h.UAI] = true
			n, _ := strconv.Atoi(h.UAI[:7])
			if want := "ABCDEFGHJKLMNPRSTUVWXYZ"[n%23]; h.UAI[7] != want {
				t.Errorf("UAI %s: check letter %c, want %c", h.UAI, h.UAI[7], want)
			}
			if h.UAI[:3] != "0"+c.Departement {
				t.Errorf("UAI %s of a hub in département %s", h.UAI, c.Departement)
			}
			if strings.TrimSpace(h.Name) == "" || strings.TrimSpace(h.Address) == "" {
				t.Errorf("hub %s: name %q, address %q", h.UAI, h.Name, h.Address)
			}
			if names[h.CommuneCode+h.Name] {
				t.Errorf("two hubs named %q in %s", h.Name, c.Name)
			}
			names[h.CommuneCode+h.Name] = true
			if d := geo.DistanceKm(h.Point, c.Point); d >= 1 {
				t.Errorf("hub %s is %.2f km from the centroid of %s", h.UAI, d, c.Name)
			}
			if len(h.Capacity) == 0 {
				t.Errorf("hub %s accepts no level", h.UAI)
			}
			for l, capacity := range h.Capacity {
				if !l.Valid() {
					t.Errorf("hub %s: level %q", h.UAI, l)
				}
				if groups := capacity / l.GroupCap(); capacity%l.GroupCap() != 0 || groups < 1 || groups > 3 {
					t.Errorf("hub %s: capacity %d for %s is not 1 to 3 groups of %d", h.UAI, capacity, l, l.GroupCap())
				}
			}
			checkLevelsMatchName(t, h)
		}
		for _, d := range geo.Departements() {
			if perDept[d.Code] < 20 {
				t.Errorf("département %s has %d hubs", d.Code, perDept[d.Code])
			}
		}
		t.Logf("hubs per département: %v", perDept)
	})
}

// checkLevelsMatchName: an école maternelle takes maternelle only, and so on.
func checkLevelsMatchName(t *testing.T, h store.SeedHub) {
	t.Helper()
	var want []store.Level
	switch {
	case strings.HasPrefix(h.Name, "École maternelle "):
		want = []store.Level{store.Maternelle}
	case strings.HasPrefix(h.Name, "École élémentaire "):
		want = []store.Level{store.Elementaire}
	case strings.HasPrefix(h.Name, "École primaire "), strings.HasPrefix(h.Name, "Groupe scolaire "):
		want = []store.Level{store.Maternelle, store.Elementaire}
	case strings.HasPrefix(h.Name, "Collège "):
		want = []store.Level{store.College}
	default:
		t.Errorf("hub name %q is not a school kind", h.Name)
		return
	}
	if len(h.Capacity) != len(want) {
		t.Errorf("%q accepts %v", h.Name, h.Capacity)
	}
	for _, l := range want {
		if _, ok := h.Capacity[l]; !ok {
			t.Errorf("%q does not accept %s", h.Name, l)
		}
	}
}

func TestBigTownsHaveSeveralHubs(t *testing.T) {
	communes := communesByCode(t)
	forEachCase(t, func(t *testing.T, s store.Seed, _ []Login, _ time.Time) {
		perCommune := map[string]int{}
		for _, h := range s.Hubs {
			perCommune[communes[h.CommuneCode].Name]++
		}
		for _, town := range []string{"Besançon", "Belfort", "Montbéliard", "Dole", "Vesoul", "Pontarlier", "Lons-le-Saunier"} {
			if perCommune[town] < 3 {
				t.Errorf("%s has %d hubs", town, perCommune[town])
			}
		}
		if perCommune["Besançon"] < 20 {
			t.Errorf("Besançon has %d hubs", perCommune["Besançon"])
		}
		if n := len(perCommune); n > 400 || n < 200 {
			t.Errorf("%d communes have a hub", n)
		}
	})
}

func TestHouseholds(t *testing.T) {
	communes := communesByCode(t)
	forEachCase(t, func(t *testing.T, s store.Seed, _ []Login, today time.Time) {
		parents := map[string]bool{}
		for _, a := range s.Accounts {
			if a.Role == store.RoleParent {
				parents[a.Email] = true
			}
		}
		children, withParent2, split, together, health := 0, 0, 0, 0, 0
		used := map[string]bool{}
		for _, h := range s.Households {
			if !parents[h.AccountEmail] {
				t.Errorf("household of %q: no such parent account", h.AccountEmail)
			}
			if used[h.AccountEmail] {
				t.Errorf("two households for %s", h.AccountEmail)
			}
			used[h.AccountEmail] = true
			home, okHome := communes[h.HomeCommune]
			work, okWork := communes[h.WorkCommune]
			if !okHome || !okWork {
				t.Errorf("%s: home %q, work %q", h.AccountEmail, h.HomeCommune, h.WorkCommune)
				continue
			}
			if d := geo.DistanceKm(home.Point, work.Point); d > 42 {
				t.Errorf("%s works %.0f km from home", h.AccountEmail, d)
			}
			if strings.TrimSpace(h.HomeAddress) == "" {
				t.Errorf("%s has no address", h.AccountEmail)
			}
			if !h.SwornAt.Before(today) {
				t.Errorf("%s swore at %v, not before today", h.AccountEmail, h.SwornAt)
			}
			if len(h.Parents) < 1 || len(h.Parents) > 2 {
				t.Errorf("%s has %d parents", h.AccountEmail, len(h.Parents))
				continue
			}
			if len(h.Parents) == 2 {
				withParent2++
			}
			levels := map[store.Level]bool{}
			for _, c := range h.Children {
				levels[c.Level] = true
			}
			if levels[store.College] && len(levels) > 1 {
				// No hub takes collégiens and younger children: such a family must allow a split.
				if !h.AllowSplit {
					t.Errorf("%s has a collégien and a younger child but keeps them together", h.AccountEmail)
				}
			} else {
				together++
				if h.AllowSplit {
					split++
				}
			}
			if h.Parents[0].ProfessionCode == "" {
				t.Errorf("%s: parent 1 has no priority profession", h.AccountEmail)
			}
			for _, p := range h.Parents {
				if p.FirstName == "" || p.LastName == "" || !phoneRE.MatchString(p.Phone) {
					t.Errorf("%s: parent %+v", h.AccountEmail, p)
				}
				if p.ProfessionCode != "" && p.Employer == "" {
					t.Errorf("%s: %s without an employer", h.AccountEmail, p.ProfessionCode)
				}
			}
			if len(h.Children) < 1 || len(h.Children) > 4 {
				t.Errorf("%s has %d children", h.AccountEmail, len(h.Children))
			}
			for _, c := range h.Children {
				children++
				if c.HealthNote != "" {
					health++
				}
				checkChild(t, h, c, today)
			}
		}
		n := len(s.Households)
		if n < 2340 || n > 2860 {
			t.Errorf("%d households, want about 2,600", n)
		}
		if children < 3150 || children > 3850 {
			t.Errorf("%d children, want about 3,500", children)
		}
		between(t, "households with a parent 2", withParent2, n, 0.55, 0.65)
		between(t, "other households allowing siblings apart", split, together, 0.03, 0.07)
		between(t, "children with a health note", health, children, 0.06, 0.10)
		t.Logf("%d households, %d children", n, children)
	})
}

// between checks that part/whole is within [lo, hi].
func between(t *testing.T, what string, part, whole int, lo, hi float64) {
	t.Helper()
	if share := float64(part) / float64(whole); share < lo || share > hi {
		t.Errorf("%s: %.1f %%, want %.0f–%.0f %%", what, 100*share, 100*lo, 100*hi)
	}
}

func checkChild(t *testing.T, h store.SeedHousehold, c store.SeedChild, today time.Time) {
	t.Helper()
	who := h.AccountEmail + "/" + c.FirstName
	if c.FirstName == "" || c.LastName == "" {
		t.Errorf("%s: child %q %q", who, c.FirstName, c.LastName)
	}
	level, ok := store.LevelFor(c.BirthDate, today)
	if !ok || level != c.Level {
		t.Errorf("%s: born %s, level %q, LevelFor gives %q, %v", who, c.BirthDate.Format(time.DateOnly), c.Level, level, ok)
	}
	if age := store.AgeOn(c.BirthDate, today); age < 3 || age >= 16 {
		t.Errorf("%s is %d", who, age)
	}
	if utf8.RuneCountInString(c.HealthNote) > 1000 {
		t.Errorf("%s: health note of %d characters", who, utf8.RuneCountInString(c.HealthNote))
	}
	if len(c.Pickups) > 2 {
		t.Errorf("%s has %d pick-up persons", who, len(c.Pickups))
	}
	for _, p := range c.Pickups {
		if p.Name == "" || p.Relation == "" || !phoneRE.MatchString(p.Phone) {
			t.Errorf("%s: pick-up %+v", who, p)
		}
	}
	if len(c.Requests) == 0 {
		t.Errorf("%s asks for no day", who)
	}
	week := OpenDays(today)[:5]
	midnight := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, today.Location())
	days := map[time.Time]bool{}
	for _, r := range c.Requests {
		if !containsDay(week, r.Day) {
			t.Errorf("%s asks for %v, not in the coming week", who, r.Day)
		}
		if wd := r.Day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("%s asks for a %s", who, wd)
		}
		if days[r.Day] {
			t.Errorf("%s asks twice for %v", who, r.Day)
		}
		days[r.Day] = true
		if r.Location != store.NearHome && r.Location != store.NearWork {
			t.Errorf("%s: location %q", who, r.Location)
		}
		if r.Location != h.Children[0].Requests[0].Location {
			t.Errorf("%s: location differs within the household", who)
		}
		if !clockRE.MatchString(r.ArriveAt) || !clockRE.MatchString(r.DepartAt) ||
			r.ArriveAt < "07:30" || r.DepartAt > "18:30" || r.ArriveAt >= r.DepartAt {
			t.Errorf("%s: %s–%s", who, r.ArriveAt, r.DepartAt)
		}
		if r.RequestedAt.Before(midnight.AddDate(0, 0, -3)) || !r.RequestedAt.Before(midnight) {
			t.Errorf("%s: requested at %v, not in the 3 days before today", who, r.RequestedAt)
		}
		if !h.SwornAt.Before(r.RequestedAt) {
			t.Errorf("%s: requested at %v, before swearing at %v", who, r.RequestedAt, h.SwornAt)
		}
	}
}

func containsDay(days []time.Time, d time.Time) bool {
	for _, x := range days {
		if x.Equal(d) {
			return true
		}
	}
	return false
}

func TestRequestTimesAreDistinct(t *testing.T) {
	forEachCase(t, func(t *testing.T, s store.Seed, _ []Login, _ time.Time) {
		seen := map[time.Time]bool{}
		wednesday, other, otherDays := 0, 0, 0
		for _, h := range s.Households {
			for _, c := range h.Children {
				for _, r := range c.Requests {
					if seen[r.RequestedAt] {
						t.Fatalf("two requests at %v", r.RequestedAt)
					}
					seen[r.RequestedAt] = true
					if r.Day.Weekday() == time.Wednesday {
						wednesday++
					} else {
						other++
					}
				}
			}
		}
		for _, d := range s.OpenDays[:5] {
			if d.Weekday() != time.Wednesday {
				otherDays++
			}
		}
		if perOther := float64(other) / float64(otherDays); float64(wednesday) >= perOther {
			t.Errorf("%d requests on Wednesday, %.0f on other days", wednesday, perOther)
		}
		children := 0
		for _, h := range s.Households {
			children += len(h.Children)
		}
		if perDay := float64(len(seen)) / 5; perDay < 0.8*float64(children) {
			t.Errorf("%.0f requests a day for %d children: most should ask most days", perDay, children)
		}
	})
}

func TestLevelsSpread(t *testing.T) {
	forEachCase(t, func(t *testing.T, s store.Seed, _ []Login, _ time.Time) {
		per := map[store.Level]int{}
		for _, h := range s.Households {
			for _, c := range h.Children {
				per[c.Level]++
			}
		}
		if per[store.Elementaire] <= per[store.Maternelle] || per[store.Elementaire] <= per[store.College] || per[store.College] == 0 {
			t.Errorf("children per level: %v", per)
		}
		t.Logf("children per level: %v", per)
	})
}

// professionRow matches a row of the professions migration: code, labels, tier, position.
var professionRow = regexp.MustCompile(`^\s*\('([a-z0-9_]+)',\s*'(?:[^']|'')*',\s*'(?:[^']|'')*',\s*([0-9]+),\s*[0-9]+\)[,;]`)

func TestProfessionsMatchMigration(t *testing.T) {
	sql, err := os.ReadFile("../migrations/0002_professions.sql")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, line := range strings.Split(string(sql), "\n") {
		if m := professionRow.FindStringSubmatch(line); m != nil {
			want = append(want, m[1]+" "+m[2])
		}
	}
	var got []string
	for _, p := range professions {
		got = append(got, fmt.Sprintf("%s %d", p.code, p.tier))
	}
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("professions (code tier):\n got %v\nwant %v", got, want)
	}
}

func TestProfessionsAndTiers(t *testing.T) {
	tiers := map[string]int{}
	for _, p := range professions {
		tiers[p.code] = p.tier
	}
	forEachCase(t, func(t *testing.T, s store.Seed, _ []Login, _ time.Time) {
		var perTier [4]int
		for _, h := range s.Households {
			best := 4
			for i, p := range h.Parents {
				if p.ProfessionCode == "" {
					continue
				}
				tier, ok := tiers[p.ProfessionCode]
				if !ok {
					t.Errorf("%s: profession %q not in the list", h.AccountEmail, p.ProfessionCode)
					continue
				}
				if i == 0 {
					best = tier
				} else if tier < best {
					t.Errorf("%s: parent 2 has a better tier than parent 1", h.AccountEmail)
				}
			}
			if best <= 3 {
				perTier[best]++
			}
		}
		n := len(s.Households)
		between(t, "tier 1", perTier[1], n, 0.50, 0.60)
		between(t, "tier 2", perTier[2], n, 0.25, 0.35)
		between(t, "tier 3", perTier[3], n, 0.11, 0.19)
	})
}

func TestCapacityExceedsDemand(t *testing.T) {
	forEachCase(t, func(t *testing.T, s store.Seed, _ []Login, _ time.Time) {
		var capacity [3]int
		for _, h := range s.Hubs {
			for l, c := range h.Capacity {
				capacity[levelIndex(l)] += c
			}
		}
		demand := Demand(s.Households, s.OpenDays)
		var peak [3]int
		for _, d := range demand {
			for l := range peak {
				peak[l] = max(peak[l], d[l])
			}
		}
		for k, d := range demand {
			for l, level := range store.Levels {
				if k >= 5 {
					if d[l] != 0 {
						t.Errorf("%d requests for %s on %v, after the coming week", d[l], level, s.OpenDays[k])
					}
					continue
				}
				// Capacity is planned for the busiest day: the upper bound holds there, the lower
				// one every day.
				ratio := float64(capacity[l]) / float64(d[l])
				if ratio < 1.3 || (d[l] == peak[l] && ratio > 3.5) {
					t.Errorf("%s on %s: %d seats for %d children (%.2f)", level, s.OpenDays[k].Format("Mon 2"), capacity[l], d[l], ratio)
				}
			}
			if k < 5 {
				t.Logf("%s: demand %v, capacity %v", s.OpenDays[k].Format("Mon 2"), d, capacity)
			}
		}
	})
}

// TestSomeTownsAreShort checks that seats are scarce near some big towns on the busiest day,
// counting children by the commune they asked near (home or work) and hubs within 6 km.
func TestSomeTownsAreShort(t *testing.T) {
	communes := communesByCode(t)
	forEachCase(t, func(t *testing.T, s store.Seed, _ []Login, _ time.Time) {
		var short []string
		for _, town := range []string{"Besançon", "Belfort", "Montbéliard", "Dole", "Pontarlier", "Lons-le-Saunier", "Vesoul"} {
			var centre geo.Point
			for _, c := range communes {
				if c.Name == town {
					centre = c.Point
				}
			}
			var capacity, demand [3]int
			for _, h := range s.Hubs {
				if geo.DistanceKm(h.Point, centre) <= 6 {
					for l, c := range h.Capacity {
						capacity[levelIndex(l)] += c
					}
				}
			}
			for _, h := range s.Households {
				for _, c := range h.Children {
					for _, r := range c.Requests {
						code := h.HomeCommune
						if r.Location == store.NearWork {
							code = h.WorkCommune
						}
						if r.Day.Equal(s.OpenDays[1]) && geo.DistanceKm(communes[code].Point, centre) <= 6 {
							demand[levelIndex(c.Level)]++
						}
					}
				}
			}
			for l := range 3 {
				if demand[l] > capacity[l] {
					short = append(short, fmt.Sprintf("%s %s %d/%d", town, store.Levels[l], demand[l], capacity[l]))
				}
			}
		}
		if len(short) < 2 {
			t.Errorf("seats are short only in %v: the waitlist would not show", short)
		}
		t.Logf("short (children/seats): %v", short)
	})
}

func TestAccounts(t *testing.T) {
	communes := communesByCode(t)
	forEachCase(t, func(t *testing.T, s store.Seed, logins []Login, _ time.Time) {
		emails := map[string]store.SeedAccount{}
		roles := map[store.Role]int{}
		prefectures := map[string]bool{}
		for _, a := range s.Accounts {
			key := strings.ToLower(a.Email)
			if _, dup := emails[key]; dup {
				t.Errorf("account %s twice", a.Email)
			}
			emails[key] = a
			roles[a.Role]++
			if !emailRE.MatchString(a.Email) || len(a.Email) > 254 || !a.Role.Valid() || len(a.Password) < 12 {
				t.Errorf("account %+v", a)
			}
			if (a.Role == store.RolePrefecture) != (a.DepartementCode != "") {
				t.Errorf("account %s: role %s with département %q", a.Email, a.Role, a.DepartementCode)
			}
			if a.Role == store.RolePrefecture {
				prefectures[a.DepartementCode] = true
			}
			if (a.Role == store.RoleDirector) != (len(a.HubUAIs) > 0) {
				t.Errorf("account %s: role %s with hubs %v", a.Email, a.Role, a.HubUAIs)
			}
		}
		if roles[store.RoleParent] != len(s.Households) || roles[store.RoleDirector] != 1 ||
			roles[store.RoleRectorat] != 1 || roles[store.RoleAdmin] != 1 || roles[store.RolePrefecture] != 4 {
			t.Errorf("accounts per role: %v", roles)
		}
		for _, d := range geo.Departements() {
			if !prefectures[d.Code] {
				t.Errorf("no prefecture account for %s", d.Code)
			}
		}
		if a := emails["prefecture25@demo.test"]; a.DepartementCode != "25" {
			t.Errorf("prefecture25@demo.test: %+v", a)
		}
		for i := 1; i <= 3; i++ {
			if _, ok := emails[fmt.Sprintf("parent%04d@demo.test", i)]; !ok {
				t.Errorf("no account parent%04d@demo.test", i)
			}
		}

		director := emails[DirectorEmail]
		hubs := map[string]store.SeedHub{}
		for _, h := range s.Hubs {
			hubs[h.UAI] = h
		}
		if len(director.HubUAIs) != 2 {
			t.Errorf("director runs %v", director.HubUAIs)
		}
		for _, uai := range director.HubUAIs {
			if h, ok := hubs[uai]; !ok || communes[h.CommuneCode].Name != "Besançon" {
				t.Errorf("director's hub %s is not in Besançon", uai)
			}
		}

		var featured *store.SeedHousehold
		for i := range s.Households {
			if s.Households[i].AccountEmail == ParentEmail {
				featured = &s.Households[i]
			}
		}
		if featured == nil || len(featured.Children) != 2 {
			t.Fatalf("featured household: %+v", featured)
		}
		for _, c := range featured.Children {
			if utf8.RuneCountInString(c.FirstName) == len(c.FirstName) || len(c.Requests) == 0 {
				t.Errorf("featured child %q: no accent or no request", c.FirstName)
			}
		}

		want := []string{ParentEmail, DirectorEmail, "prefecture25@demo.test", "prefecture39@demo.test",
			"prefecture70@demo.test", "prefecture90@demo.test", RectoratEmail, AdminEmail}
		var got []string
		for _, l := range logins {
			got = append(got, l.Email)
			a, ok := emails[l.Email]
			if !ok || a.Password != l.Password || a.Role != l.Role || l.Description == "" {
				t.Errorf("login %+v does not match its account %+v", l, a)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("logins %v, want %v", got, want)
		}
	})
}

// TestNamesAreDiverse guards the point of the name lists: screens and sheets must be tried
// with accents, apostrophes, spaces and hyphens in names.
func TestNamesAreDiverse(t *testing.T) {
	forEachCase(t, func(t *testing.T, s store.Seed, _ []Login, _ time.Time) {
		var accents, apostrophes, spaces, hyphens int
		surnames := map[string]bool{}
		for _, h := range s.Households {
			var names []string
			for _, p := range h.Parents {
				names = append(names, p.FirstName, p.LastName)
				surnames[p.LastName] = true
			}
			for _, c := range h.Children {
				names = append(names, c.FirstName, c.LastName)
			}
			for _, n := range names {
				if utf8.RuneCountInString(n) != len(n) {
					accents++
				}
				if strings.Contains(n, "'") {
					apostrophes++
				}
				if strings.Contains(n, " ") {
					spaces++
				}
				if strings.Contains(n, "-") {
					hyphens++
				}
			}
		}
		if accents < 1000 || apostrophes < 20 || spaces < 50 || hyphens < 50 || len(surnames) < 250 {
			t.Errorf("accents %d, apostrophes %d, spaces %d, hyphens %d, surnames %d",
				accents, apostrophes, spaces, hyphens, len(surnames))
		}
	})
}

func TestPhonesAreDistinct(t *testing.T) {
	forEachCase(t, func(t *testing.T, s store.Seed, _ []Login, _ time.Time) {
		owner := map[string]string{}
		for _, h := range s.Households {
			for _, p := range h.Parents {
				who := h.AccountEmail + " " + p.FirstName
				if o, ok := owner[p.Phone]; ok {
					t.Errorf("%s and %s share %s", o, who, p.Phone)
				}
				owner[p.Phone] = who
			}
		}
	})
}

func TestDeCommune(t *testing.T) {
	for name, want := range map[string]string{
		"Besançon": "de Besançon", "Ornans": "d'Ornans", "Le Russey": "du Russey", "Les Fins": "des Fins",
		"Héricourt": "d'Héricourt", "Hauts de Bienne": "de Hauts de Bienne", "École-Valentin": "d'École-Valentin",
		"La Cluse-et-Mijoux": "de La Cluse-et-Mijoux",
	} {
		if got := deCommune(name); got != want {
			t.Errorf("deCommune(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestApproxKm(t *testing.T) {
	communes, _ := geo.Communes()
	a := newAcademie(communes)
	for _, pair := range [][2]int{{0, 1}, {0, len(communes) - 1}, {100, 900}, {500, 1500}} {
		exact := geo.DistanceKm(communes[pair[0]].Point, communes[pair[1]].Point)
		if got := a.approxKm(pair[0], pair[1]); math.Abs(got-exact) > 0.002*exact+0.01 {
			t.Errorf("approxKm %v = %.3f, haversine %.3f", pair, got, exact)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	today := cases[0].today
	for i := 0; b.Loop(); i++ {
		Generate(uint64(i), today)
	}
}
