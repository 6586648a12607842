package demo

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/accueil-prioritaire/accueil/geo"
)

// academie is the geography the generator draws from, indexed for the lookups it needs.
type academie struct {
	communes []geo.Commune
	// cosLat speeds up approxKm, called a few million times per Generate.
	cosLat []float64
	// byPopulation draws a commune with a probability proportional to its population.
	byPopulation cumulative
}

func newAcademie(communes []geo.Commune) *academie {
	a := &academie{communes: communes, cosLat: make([]float64, len(communes))}
	weights := make([]float64, len(communes))
	for i, c := range communes {
		a.cosLat[i] = math.Cos(c.Lat * math.Pi / 180)
		weights[i] = float64(c.Population)
	}
	a.byPopulation = newCumulative(weights)
	return a
}

// commune returns the index of the commune named name in département dept. The names come
// from this package's lists, so a miss is a bug in them, which the tests catch.
func (a *academie) commune(name, dept string) int {
	for i, c := range a.communes {
		if c.Name == name && c.Departement == dept {
			return i
		}
	}
	panic(fmt.Sprintf("demo: no commune %q in département %s", name, dept))
}

const kmPerDegree = 6371.0088 * math.Pi / 180

// approxKm is the equirectangular distance between communes i and j: within 0.1 % of
// geo.DistanceKm at the académie's scale, and twenty times cheaper.
func (a *academie) approxKm(i, j int) float64 {
	ci, cj := a.communes[i], a.communes[j]
	dy := ci.Lat - cj.Lat
	dx := (ci.Lon - cj.Lon) * (a.cosLat[i] + a.cosLat[j]) / 2
	return kmPerDegree * math.Sqrt(dx*dx+dy*dy)
}

// near returns the communes within km of commune i (i included), in index order.
func (a *academie) near(i int, km float64) []int {
	var out []int
	for j := range a.communes {
		if math.Abs(a.communes[i].Lat-a.communes[j].Lat)*kmPerDegree <= km && a.approxKm(i, j) <= km {
			out = append(out, j)
		}
	}
	return out
}

// jitter moves p by at most maxKm in a random direction: hubs are not all on the centroid.
// Positions are rounded to 6 decimals (11 cm), as the schools directory gives them.
func jitter(r *rand.Rand, p geo.Point, maxKm float64) geo.Point {
	d := maxKm * math.Sqrt(r.Float64())
	angle := 2 * math.Pi * r.Float64()
	dLat := d * math.Sin(angle) / kmPerDegree
	dLon := d * math.Cos(angle) / (kmPerDegree * math.Cos(p.Lat*math.Pi/180))
	return geo.Point{Lat: round6(p.Lat + dLat), Lon: round6(p.Lon + dLon)}
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// deCommune is "de Besançon", "d'Ornans", "du Russey", "des Fins", "de La Cluse-et-Mijoux".
func deCommune(name string) string {
	switch {
	case strings.HasPrefix(name, "Le "):
		return "du " + name[len("Le "):]
	case strings.HasPrefix(name, "Les "):
		return "des " + name[len("Les "):]
	case startsWithVowelSound(name):
		return "d'" + name
	}
	return "de " + name
}

// startsWithVowelSound is true when French elides "de" before name. An initial H is mute in
// the académie's communes (Héricourt, Hérimoncourt) except in Haut, Haute, Hauts.
func startsWithVowelSound(name string) bool {
	first, _ := utf8.DecodeRuneInString(name)
	if first == 'H' {
		return !strings.HasPrefix(name, "Haut")
	}
	return strings.ContainsRune("AEIOUYÂÉÈÊÎÔ", unicode.ToUpper(first))
}

// stableIndex maps s to [0, n) the same way on every run, for names that must not depend on
// the order of generation (one EHPAD name per commune).
func stableIndex(s string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(s))
	return int(h.Sum32() % uint32(n))
}

// cumulative draws an index with a probability proportional to its weight.
type cumulative []float64

func newCumulative(weights []float64) cumulative {
	c := make(cumulative, len(weights))
	sum := 0.0
	for i, w := range weights {
		sum += w
		c[i] = sum
	}
	return c
}

func (c cumulative) draw(r *rand.Rand) int {
	x := r.Float64() * c[len(c)-1]
	// Strictly greater: an index of weight zero is never drawn.
	return min(sort.Search(len(c), func(i int) bool { return c[i] > x }), len(c)-1)
}

// weighted draws an index of weights with a probability proportional to its value; it returns
// -1 when every weight is zero.
func weighted(r *rand.Rand, weights []float64) int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	if sum <= 0 {
		return -1
	}
	x := r.Float64() * sum
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	for i := len(weights) - 1; i >= 0; i-- {
		if weights[i] > 0 {
			return i
		}
	}
	return -1
}

// chance is true with probability p.
func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// oneOf returns a random element of list.
func oneOf[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }
