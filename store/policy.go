package store

import (
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
)

// The rules of time and distance of the allocation: the cutoff, the service's day, the reach.

// AllocationPolicy holds the rules of time and distance of the allocation modes.
type AllocationPolicy struct {
	// A day's cutoff is CutoffDaysBefore days before it at CutoffHour:CutoffMinute, in Location.
	CutoffDaysBefore int
	CutoffHour       int
	CutoffMinute     int
	Location         *time.Location
	// MaxDistanceKm is the farthest hub offered from home or work.
	MaxDistanceKm float64
}

// DefaultAllocationPolicy: the day before at 16:00, Paris time, hubs within 20 km.
func DefaultAllocationPolicy() AllocationPolicy {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.FixedZone("CET", 3600)
	}
	return AllocationPolicy{CutoffDaysBefore: 1, CutoffHour: 16, Location: loc, MaxDistanceKm: alloc.DefaultMaxDistanceKm}
}

// Today is the service's current day in the policy's time zone, as a UTC midnight (the form
// every date of the service takes).
func (p AllocationPolicy) Today(now time.Time) time.Time {
	now = now.In(p.Location)
	return time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
}

// Weekdays returns the first n weekdays on or after day: the days hubs open by default.
func Weekdays(day time.Time, n int) []time.Time {
	var out []time.Time
	for d := day; len(out) < n; d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			out = append(out, d)
		}
	}
	return out
}

// Cutoff is when day's confirmation run is due: before it a new request gets a proposed seat,
// after it a confirmed one.
func (p AllocationPolicy) Cutoff(day time.Time) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day()-p.CutoffDaysBefore, p.CutoffHour, p.CutoffMinute, 0, 0, p.Location)
}
