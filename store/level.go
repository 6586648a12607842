package store

import "time"

// Level is a school level; a hub's capacity is counted per level.
type Level string

// The levels, in school order.
const (
	Maternelle  Level = "maternelle"
	Elementaire Level = "elementaire"
	College     Level = "college"
)

// Levels lists the levels in school order.
var Levels = []Level{Maternelle, Elementaire, College}

// Valid reports whether l is one of the levels.
func (l Level) Valid() bool {
	return l == Maternelle || l == Elementaire || l == College
}

// GroupCap is the most children one group of the level holds (2021 rules: 10 in maternelle,
// 15 in élémentaire and collège). A hub's capacity for a level is its groups × this cap.
func (l Level) GroupCap() int {
	if l == Maternelle {
		return 10
	}
	return 15
}

// MaxAge is the age from which a child is no longer hosted.
const MaxAge = 16

// LevelFor returns the level of a child born on birth during the school year that contains day.
// French school years start in September and the level follows the birth year: a child enters
// maternelle the year it turns 3, élémentaire (CP) the year it turns 6, collège (6e) the year it
// turns 11. ok is false for a child too young for school or aged 16 or more on day.
func LevelFor(birth, day time.Time) (l Level, ok bool) {
	if AgeOn(birth, day) >= MaxAge || birth.After(day) {
		return "", false
	}
	rentree := day.Year()
	if day.Month() < time.September {
		rentree--
	}
	switch age := rentree - birth.Year(); {
	case age < 3:
		return "", false
	case age <= 5:
		return Maternelle, true
	case age <= 10:
		return Elementaire, true
	default:
		return College, true
	}
}

// LevelsFor returns the levels a child born on birth may be in during the school year that
// contains day: the level of its birth year, or of the year before or after for a child a year
// ahead or behind. It is empty when LevelFor is not ok.
func LevelsFor(birth, day time.Time) []Level {
	if _, ok := LevelFor(birth, day); !ok {
		return nil
	}
	var out []Level
	for _, years := range []int{1, 0, -1} {
		if l, ok := LevelFor(birth.AddDate(years, 0, 0), day); ok && (len(out) == 0 || out[len(out)-1] != l) {
			out = append(out, l)
		}
	}
	return out
}

// AgeOn is the age in whole years of someone born on birth, on day.
func AgeOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || (day.Month() == birth.Month() && day.Day() < birth.Day()) {
		age--
	}
	return age
}
