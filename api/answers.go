package api

import (
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// The JSON answers of the api, types of its own: a store type can change (a field renamed, a
// row read otherwise) without changing what clients receive.

// bookingAnswer is POST /api/bookings's answer.
type bookingAnswer struct {
	Days []bookedDayAnswer `json:"days"`
}

type bookedDayAnswer struct {
	ChildID    int64     `json:"child_id"`
	ChildName  string    `json:"child_name"`
	Day        time.Time `json:"day"`
	Status     string    `json:"status"` // proposed, confirmed, waitlisted or pending
	HubID      int64     `json:"hub_id,omitempty"`
	HubName    string    `json:"hub_name,omitempty"`
	HubAddress string    `json:"hub_address,omitempty"`
	HubLat     float64   `json:"hub_lat,omitempty"`
	HubLon     float64   `json:"hub_lon,omitempty"`
	DistanceKm float64   `json:"distance_km,omitempty"`
	ArriveAt   string    `json:"arrive_at"`
	DepartAt   string    `json:"depart_at"`
	Position   int       `json:"position,omitempty"` // on the day's waitlist, 1 is next
	Reason     string    `json:"reason,omitempty"`   // why on the waitlist (alloc.Reason)
}

func bookingAnswerOf(b store.Booking) bookingAnswer {
	out := bookingAnswer{Days: make([]bookedDayAnswer, len(b.Days))}
	for i, d := range b.Days {
		out.Days[i] = bookedDayAnswer{ChildID: d.ChildID, ChildName: d.ChildName, Day: d.Day, Status: string(d.Status),
			HubID: d.HubID, HubName: d.HubName, HubAddress: d.HubAddress, HubLat: d.HubLat, HubLon: d.HubLon,
			DistanceKm: d.DistanceKm, ArriveAt: d.ArriveAt, DepartAt: d.DepartAt, Position: d.Position, Reason: d.Reason}
	}
	return out
}

// totalsAnswer is the overview's headline (GET /api/occupation).
type totalsAnswer struct {
	Hubs       int `json:"hubs"`
	Capacity   int `json:"capacity"`
	Proposed   int `json:"proposed"`
	Confirmed  int `json:"confirmed"`
	Present    int `json:"present"`
	Waitlisted int `json:"waitlisted"`
}

func totalsAnswerOf(t store.DayTotals) totalsAnswer {
	return totalsAnswer{Hubs: t.Hubs, Capacity: t.Capacity, Proposed: t.Proposed, Confirmed: t.Confirmed,
		Present: t.Present, Waitlisted: t.Waitlisted}
}

// communeCountAnswer is a commune with children waiting, on the map.
type communeCountAnswer struct {
	Code        string  `json:"code"`
	Name        string  `json:"name"`
	Departement string  `json:"departement"`
	Lat         float64 `json:"lat"`
	Lon         float64 `json:"lon"`
	Count       int     `json:"count"`
}

func communeCountAnswers(cs []store.CommuneCount) []communeCountAnswer {
	out := make([]communeCountAnswer, len(cs))
	for i, c := range cs {
		out[i] = communeCountAnswer{Code: c.Code, Name: c.Name, Departement: c.Departement, Lat: c.Lat, Lon: c.Lon, Count: c.Count}
	}
	return out
}
