// Package geo holds the reference geography of the académie (départements and communes, embedded
// from the INSEE and IGN open data) and the distance used everywhere a "how far" is computed.
package geo

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Attribution must be shown on every page or file that shows these data (Licence Ouverte 2.0).
const Attribution = "Données géographiques : IGN Admin Express, INSEE COG — Licence Ouverte 2.0"

//go:embed communes-academie-besancon.csv
var communesCSV []byte

// DepartementsGeoJSON holds the simplified outlines of the four départements (WGS84).
//
//go:embed departements-academie-besancon.geojson
var DepartementsGeoJSON []byte

// Point is a WGS84 position in degrees.
type Point struct {
	Lat float64
	Lon float64
}

// Departement is one département of the académie.
type Departement struct {
	Code string
	Name string
}

// Commune is one INSEE commune with the position of its centroid.
type Commune struct {
	InseeCode   string
	Name        string
	Departement string
	Population  int
	PostalCode  string
	Point
}

// Departements lists the académie de Besançon's départements in code order.
func Departements() []Departement {
	return []Departement{
		{Code: "25", Name: "Doubs"},
		{Code: "39", Name: "Jura"},
		{Code: "70", Name: "Haute-Saône"},
		{Code: "90", Name: "Territoire de Belfort"},
	}
}

// Communes parses the embedded communes file. It returns an error only if the embedded file is
// corrupt, which a test rules out.
func Communes() ([]Commune, error) {
	r := csv.NewReader(bytes.NewReader(communesCSV))
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("communes header: %w", err)
	}
	want := []string{"insee_code", "name", "departement", "population", "postal_code", "lat", "lon"}
	if len(header) != len(want) {
		return nil, fmt.Errorf("communes header: got %v, want %v", header, want)
	}
	for i := range want {
		if header[i] != want[i] {
			return nil, fmt.Errorf("communes header: got %v, want %v", header, want)
		}
	}
	var out []Commune
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("communes line %d: %w", line, err)
		}
		pop, err1 := strconv.Atoi(rec[3])
		lat, err2 := strconv.ParseFloat(rec[5], 64)
		lon, err3 := strconv.ParseFloat(rec[6], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("communes line %d: bad number in %v", line, rec)
		}
		out = append(out, Commune{
			InseeCode: rec[0], Name: rec[1], Departement: rec[2], Population: pop,
			PostalCode: rec[4], Point: Point{Lat: lat, Lon: lon},
		})
	}
}

const earthRadiusKm = 6371.0088

// DistanceKm is the great-circle (haversine) distance between two points, in kilometres.
func DistanceKm(a, b Point) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Min(1, math.Sqrt(s)))
}
