package geo

import (
	"encoding/json"
	"math"
	"testing"
)

func TestCommunesMatchTheAcademie(t *testing.T) {
	cs, err := Communes()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 1692 {
		t.Fatalf("got %d communes, want 1692", len(cs))
	}
	perDep := map[string]int{}
	seen := map[string]bool{}
	for _, c := range cs {
		perDep[c.Departement]++
		if seen[c.InseeCode] {
			t.Errorf("duplicate INSEE code %s", c.InseeCode)
		}
		seen[c.InseeCode] = true
		if c.Lat < 46 || c.Lat > 48.5 || c.Lon < 5 || c.Lon > 7.5 {
			t.Errorf("%s %s lies outside the académie: %v", c.InseeCode, c.Name, c.Point)
		}
	}
	want := map[string]int{"25": 563, "39": 492, "70": 536, "90": 101}
	for d, n := range want {
		if perDep[d] != n {
			t.Errorf("département %s: %d communes, want %d", d, perDep[d], n)
		}
	}
	var besancon Commune
	for _, c := range cs {
		if c.InseeCode == "25056" {
			besancon = c
		}
	}
	if besancon.Name != "Besançon" || besancon.Population < 100000 {
		t.Errorf("Besançon not read right: %+v", besancon)
	}
}

func TestDistanceKm(t *testing.T) {
	besancon := Point{Lat: 47.2488, Lon: 6.0182}
	belfort := Point{Lat: 47.6380, Lon: 6.8628}
	// One degree of latitude along a meridian is 2πR/360 ≈ 111.195 km.
	if d := DistanceKm(Point{Lat: 47, Lon: 6}, Point{Lat: 48, Lon: 6}); math.Abs(d-111.195) > 0.01 {
		t.Errorf("one degree of latitude = %.3f km, want 111.195", d)
	}
	if d := DistanceKm(besancon, besancon); d != 0 {
		t.Errorf("distance to itself = %v", d)
	}
	if a, b := DistanceKm(besancon, belfort), DistanceKm(belfort, besancon); a != b {
		t.Errorf("not symmetric: %v vs %v", a, b)
	}
}

func TestDepartementsGeoJSON(t *testing.T) {
	var fc struct {
		Features []struct {
			Properties struct {
				Code string `json:"code"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(DepartementsGeoJSON, &fc); err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, f := range fc.Features {
		codes[f.Properties.Code] = true
	}
	for _, d := range Departements() {
		if !codes[d.Code] {
			t.Errorf("outline of %s missing", d.Code)
		}
	}
}
