package alloc

import (
	"math"

	"github.com/accueil-prioritaire/accueil/geo"
)

// earthRadiusKm matches the radius geo.DistanceKm uses.
const earthRadiusKm = 6371.0088

// hubGrid buckets hubs into latitude × longitude cells at least maxKm wide, so that every hub within
// maxKm of a point lies in the 3 × 3 cells around the point's cell. The great-circle distance is at
// least R·|Δlat| and at least 2R·cos(maxAbsLat)·sin(|Δlon|/2), which sizes the cells; a 2 % margin
// covers the sine's curvature. Near the poles or the antimeridian it falls back to listing all hubs.
type hubGrid struct {
	locs             []geo.Point
	cosLat           []float64
	cellLat, cellLon float64
	cells            map[[2]int32][]int32
	all              []int32 // set when the grid cannot be used
}

// newHubGrid indexes locs for queries at points whose |lat| and |lon| stay below maxAbsLat and
// maxAbsLon.
func newHubGrid(locs []geo.Point, maxKm, maxAbsLat, maxAbsLon float64) *hubGrid {
	g := &hubGrid{locs: locs, cosLat: make([]float64, len(locs))}
	for i, p := range locs {
		g.cosLat[i] = math.Cos(p.Lat * math.Pi / 180)
	}
	degKm := earthRadiusKm * math.Pi / 180
	g.cellLat = maxKm / degKm * 1.02
	if maxAbsLat < 85 {
		g.cellLon = maxKm / (degKm * math.Cos(maxAbsLat*math.Pi/180)) * 1.02
	}
	if g.cellLon == 0 || g.cellLon > 20 || maxAbsLon+g.cellLon >= 180 || maxKm == 0 {
		g.all = make([]int32, len(locs))
		for i := range locs {
			g.all[i] = int32(i)
		}
		return g
	}
	g.cells = map[[2]int32][]int32{}
	for i, p := range locs {
		k := g.cell(p)
		g.cells[k] = append(g.cells[k], int32(i))
	}
	return g
}

func (g *hubGrid) cell(p geo.Point) [2]int32 {
	return [2]int32{int32(math.Floor(p.Lat / g.cellLat)), int32(math.Floor(p.Lon / g.cellLon))}
}

// within calls fn, in no particular order, for every hub within maxKm of p (haversine, as
// geo.DistanceKm) with its distance. A latitude and longitude window rules out most far hubs before
// any trigonometry, and the haversine term rules out the rest before the arcsine.
func (g *hubGrid) within(p geo.Point, maxKm float64, fn func(hub int32, km float64)) {
	const rad = math.Pi / 180
	latSpan := maxKm / (earthRadiusKm * rad) * (1 + 1e-9)
	lonSpan := 360.0
	// d ≥ 2R·asin(√(cos φ1 cos φ2)·sin(|Δλ|/2)), and |φ2| ≤ |φ1| + latSpan.
	if far := math.Abs(p.Lat) + latSpan; far < 90 {
		c := math.Sqrt(math.Cos(p.Lat*rad) * math.Cos(far*rad))
		if x := math.Sin(maxKm/(2*earthRadiusKm)) / c; x < 1 {
			lonSpan = 2 * math.Asin(x) / rad * (1 + 1e-9)
		}
	}
	// d = 2R·asin(√s) with s the haversine term, so d ≤ maxKm ⇔ s ≤ sin²(maxKm / 2R): most hubs
	// are ruled out before the arcsine. Near the limit, geo.DistanceKm has the last word, so that
	// the candidate lists agree exactly with Check.
	sMax := math.Sin(maxKm/(2*earthRadiusKm)) * math.Sin(maxKm/(2*earthRadiusKm))
	cosP := math.Cos(p.Lat * rad)
	g.near(p, func(h int32) {
		q := g.locs[h]
		dLon := math.Abs(q.Lon - p.Lon)
		dLon = min(dLon, 360-dLon)
		if math.Abs(q.Lat-p.Lat) > latSpan || dLon > lonSpan {
			return
		}
		sLat := smallSin((q.Lat - p.Lat) * rad / 2)
		sLon := smallSin(dLon * rad / 2)
		hav := sLat*sLat + cosP*g.cosLat[h]*sLon*sLon
		if hav > sMax*(1+1e-9) {
			return
		}
		km := 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(hav)))
		if math.Abs(km-maxKm) <= maxKm*1e-9 {
			if km = geo.DistanceKm(p, q); km > maxKm {
				return
			}
		}
		fn(h, km)
	})
}

// smallSin is math.Sin, by its Taylor series for the small angles between nearby points (the
// error, below x⁹/9!, is far under a float64 ulp there).
func smallSin(x float64) float64 {
	if math.Abs(x) > 0.01 {
		return math.Sin(x)
	}
	x2 := x * x
	return x * (1 - x2/6*(1-x2/20*(1-x2/42)))
}

// near calls fn for every hub that may lie within maxKm of p (and possibly a few more).
func (g *hubGrid) near(p geo.Point, fn func(hub int32)) {
	if g.cells == nil {
		for _, h := range g.all {
			fn(h)
		}
		return
	}
	c := g.cell(p)
	for dy := int32(-1); dy <= 1; dy++ {
		for dx := int32(-1); dx <= 1; dx++ {
			for _, h := range g.cells[[2]int32{c[0] + dy, c[1] + dx}] {
				fn(h)
			}
		}
	}
}
