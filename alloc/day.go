package alloc

import (
	"fmt"
	"time"
)

// Day is a calendar date written "2006-01-02" (ISO 8601). Its string order is the calendar order,
// so days sort with plain string comparison.
type Day string

const dayLayout = "2006-01-02"

// DayOf returns the calendar date of t in t's own location.
func DayOf(t time.Time) Day { return Day(t.Format(dayLayout)) }

// ParseDay checks that s is a real date written "2006-01-02".
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(dayLayout, s)
	if err != nil || t.Format(dayLayout) != s {
		return "", fmt.Errorf("date %q invalide, attendu AAAA-MM-JJ (invalid date, want YYYY-MM-DD)", s)
	}
	return Day(s), nil
}

// Time returns midnight UTC at the start of d.
func (d Day) Time() (time.Time, error) { return time.Parse(dayLayout, string(d)) }

func (d Day) valid() bool {
	_, err := ParseDay(string(d))
	return err == nil
}

// Level is a school level. Hubs count seats per level and a child takes a seat of its own level.
type Level string

// The three levels hosted in hubs (French school levels, by age on 31 December of the school year).
const (
	Maternelle  Level = "maternelle"  // 3–5 years, groups of 10 in 2021
	Elementaire Level = "elementaire" // 6–10 years, groups of 15
	College     Level = "college"     // 11–15 years, groups of 15
)

// numLevels is the number of levels; levels are indexed in the order of Levels.
const numLevels = 3

// Levels lists the levels from the youngest children to the oldest.
func Levels() []Level { return []Level{Maternelle, Elementaire, College} }

// index returns the position of l in Levels, or -1 for an unknown level.
func (l Level) index() int {
	switch l {
	case Maternelle:
		return 0
	case Elementaire:
		return 1
	case College:
		return 2
	}
	return -1
}

func levelAt(i int) Level { return Levels()[i] }
