package sheets

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

var (
	firstNames = []string{"Éloïse", "Zoé", "Noël", "Maël", "Chloé", "Anaïs", "Jérôme", "Hélène", "Françoise",
		"Gaëlle", "Léa", "Inès", "Loïc", "Benoît", "Aurélien", "Clémence", "Ève", "Joël", "Raphaël", "Théo",
		"Célestin", "Maëlys", "Bérénice", "Côme", "Élodie", "Noémie", "Océane", "Jean-Baptiste", "Minh-Anh",
		"Ngọc Ánh", "Ömer", "Łucja", "Søren", "Aïcha", "Mamadou", "Capucine", "Anne-Laure", "Hugo", "Yasmine", "Ilyès"}
	lastNames = []string{"N'Diaye", "Lê", "Müller", "Nguyễn", "Dupré", "Lefèvre", "Brûlé", "Mbappé", "Çelik",
		"Œuvrard", "Boëldieu", "Crête", "Kowalczyk", "Da Silva", "Le Goff", "Ménétrier", "Pérez", "Garçon",
		"Thébault", "Vidal-Naquet", "Ngô", "Trần", "Đặng", "Phạm", "Ødegaard", "Faure", "Girard", "Roussel",
		"Bénard", "Chevalier", "Lemaître", "Forêt", "Lamà", "Aubépine", "Ruë", "Peña", "Straße", "Ibáñez"}
	healthNotes = []string{
		"Allergie aux arachides : PAI, trousse d'urgence avec stylo d'adrénaline dans le cartable.",
		"Asthme : Ventoline dans le sac, 2 bouffées si gêne respiratoire.",
		"Diabète de type 1 — PAI : collation à 10\u00a0h, contrôle de glycémie avant le déjeuner.",
		"Intolérance au lactose.",
		"Épilepsie : PAI, ne pas laisser seul à la piscine ; protocole dans le classeur du pôle.",
	}
	relations = []string{"grand-mère", "grand-père", "oncle", "tante", "voisine", "assistante maternelle", "frère aîné"}
)

// day is the day of the fixtures: a Monday.
var day = time.Date(2026, time.November, 23, 0, 0, 0, 0, time.UTC)

// fixture builds a sheet of n children with unique names (so that a test can find each one
// exactly once), for the hub numbered hub; the seed decides everything else.
func fixture(hub, n int, seed uint64) Sheet {
	rng := rand.New(rand.NewPCG(seed, uint64(hub)))
	paris := time.FixedZone("CET", 3600)
	s := Sheet{
		Hub: Hub{
			ID:      int64(hub),
			UAI:     fmt.Sprintf("0250%03dA", hub),
			Name:    fmt.Sprintf("École élémentaire Jean-Macé n°%d", hub),
			Address: "12 rue de l'Île-de-France",
			Commune: "25000 Besançon",
		},
		Day:       day,
		Director:  "Mme Françoise Lefèvre-Ménétrier",
		PrintedAt: time.Date(2026, time.November, 22, 18, 4, 0, 0, paris),
		Capacity:  map[store.Level]int{store.Maternelle: 20, store.Elementaire: 30, store.College: 15},
	}
	used := map[string]bool{}
	for i := range n {
		var first, last string
		for {
			first = firstNames[rng.IntN(len(firstNames))]
			last = lastNames[rng.IntN(len(lastNames))]
			if !used[first+last] {
				used[first+last] = true
				break
			}
		}
		// Roughly 1/3 maternelle (3–5), 1/2 élémentaire (6–10), the rest collège (11–14).
		var age int
		switch k := rng.IntN(6); {
		case k < 2:
			age = 3 + rng.IntN(3)
		case k < 5:
			age = 6 + rng.IntN(5)
		default:
			age = 11 + rng.IntN(4)
		}
		birth := time.Date(day.Year()-age-1, time.Month(9+rng.IntN(3)), 1+rng.IntN(28), 0, 0, 0, 0, time.UTC)
		level, ok := store.LevelFor(birth, day)
		if !ok {
			panic(fmt.Sprint("fixture: no level for ", birth))
		}
		c := Child{
			ID:          int64(hub*1000 + i),
			FirstName:   first,
			LastName:    last,
			BirthDate:   birth,
			Level:       level,
			ArriveAt:    []string{"07:30", "08:00", "08:30"}[rng.IntN(3)],
			DepartAt:    []string{"16:30", "17:30", "18:30"}[rng.IntN(3)],
			ParentName:  firstNames[rng.IntN(len(firstNames))] + " " + last,
			ParentPhone: fmt.Sprintf("06%08d", rng.IntN(100_000_000)),
			Status:      StatusConfirmed,
		}
		for range rng.IntN(4) {
			c.Pickups = append(c.Pickups, store.Pickup{
				Name:     firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))],
				Phone:    fmt.Sprintf("+337%08d", rng.IntN(100_000_000)),
				Relation: relations[rng.IntN(len(relations))],
			})
		}
		if rng.IntN(4) == 0 {
			c.HealthNote = healthNotes[rng.IntN(len(healthNotes))]
		}
		c.ProofToCheck = rng.IntN(3) == 0
		if rng.IntN(5) == 0 {
			c.Status = StatusProposed
		}
		s.Children = append(s.Children, c)
	}
	return s
}

// requireTool returns the path of a poppler tool; without it the test is skipped on a
// developer's machine but fails in CI, where it must be installed.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI (apt-get install poppler-utils): %v", name, err)
		}
		t.Skipf("%s not installed (poppler-utils): %v", name, err)
	}
	return path
}
