package store

import (
	"testing"
	"time"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestLevelFor(t *testing.T) {
	for _, tc := range []struct {
		birth, day string
		want       Level
		ok         bool
	}{
		{"2023-12-31", "2026-11-23", Maternelle, true},  // turns 3 in the year of the rentrée 2026
		{"2024-01-01", "2026-11-23", "", false},         // too young: rentrée 2027
		{"2020-06-01", "2026-11-23", Elementaire, true}, // CP
		{"2021-01-01", "2026-11-23", Maternelle, true},  // grande section
		{"2015-03-01", "2026-11-23", College, true},     // 6e
		{"2016-12-31", "2026-11-23", Elementaire, true}, // CM2
		{"2011-01-01", "2026-11-23", College, true},     // 15 years old
		{"2010-11-23", "2026-11-23", "", false},         // 16 today
		{"2010-11-24", "2026-11-23", College, true},     // 16 tomorrow
		{"2020-06-01", "2026-03-10", Maternelle, true},  // school year 2025-26: grande section
	} {
		got, ok := LevelFor(date(tc.birth), date(tc.day))
		if got != tc.want || ok != tc.ok {
			t.Errorf("LevelFor(%s, %s) = %q, %v; want %q, %v", tc.birth, tc.day, got, ok, tc.want, tc.ok)
		}
	}
}

func TestAgeOn(t *testing.T) {
	if a := AgeOn(date("2010-11-23"), date("2026-11-23")); a != 16 {
		t.Errorf("age on birthday = %d, want 16", a)
	}
	if a := AgeOn(date("2010-11-24"), date("2026-11-23")); a != 15 {
		t.Errorf("age the day before birthday = %d, want 15", a)
	}
}

func TestLevelsFor(t *testing.T) {
	for _, tc := range []struct {
		birth, day string
		want       []Level
	}{
		{"2023-05-01", "2026-12-08", []Level{Maternelle}},              // petite section
		{"2021-05-01", "2026-12-08", []Level{Maternelle, Elementaire}}, // grande section, or CP a year ahead
		{"2020-05-01", "2026-12-08", []Level{Maternelle, Elementaire}}, // CP, or grande section a year behind
		{"2018-05-01", "2026-12-08", []Level{Elementaire}},
		{"2016-05-01", "2026-12-08", []Level{Elementaire, College}}, // CM2, or 6e a year ahead
		{"2011-05-01", "2026-12-08", []Level{College}},
		{"2024-01-01", "2026-12-08", nil}, // too young
	} {
		got := LevelsFor(date(tc.birth), date(tc.day))
		if len(got) != len(tc.want) {
			t.Errorf("LevelsFor(%s, %s) = %v, want %v", tc.birth, tc.day, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("LevelsFor(%s, %s) = %v, want %v", tc.birth, tc.day, got, tc.want)
			}
		}
	}
}
