package store

import (
	"encoding/json"
	"fmt"
	"time"
)

// A booking's answer is stored with its idempotency key (idempotency_key.response) and replayed
// to a second submission of the key, which may come after a deploy: the stored form is a format
// of its own, apart from Booking (a Go type free to change) and from the api's JSON answers. Each
// reply carries its version ("v") and decodes through it. To change the format, add a version:
// a new type, encodeReply writing it, and a case in decodeReply reading the older ones, which
// stay as they are (TestStoredReplyFormat freezes the current one).
const replyVersion = 2

// replyV2 is the current format. Against v1: the distance is in whole metres (distance_m, as
// placement.distance_m) rather than kilometres, and reason is renamed wait_reason.
type replyV2 struct {
	V    int          `json:"v"`
	Days []replyDayV2 `json:"days"`
}

type replyDayV2 struct {
	ChildID    int64         `json:"child_id"`
	ChildName  string        `json:"child_name"`
	Day        time.Time     `json:"day"`
	Status     RequestStatus `json:"status"`
	HubID      int64         `json:"hub_id,omitempty"`
	HubName    string        `json:"hub_name,omitempty"`
	HubAddress string        `json:"hub_address,omitempty"`
	HubLat     float64       `json:"hub_lat,omitempty"`
	HubLon     float64       `json:"hub_lon,omitempty"`
	DistanceM  int64         `json:"distance_m,omitempty"`
	ArriveAt   string        `json:"arrive_at"`
	DepartAt   string        `json:"depart_at"`
	Position   int           `json:"position,omitempty"`
	WaitReason string        `json:"wait_reason,omitempty"`
	// NearestFull names the nearest full hub of a child-day waiting for hubs full (added to v2
	// before any v2 reply was stored; optional, so it needs no version of its own).
	NearestFull string `json:"nearest_full_hub,omitempty"`
}

// replyV1 is the format of the replies stored before versions (no "v"): BookedDay's JSON tags
// of the time.
type replyV1 struct {
	Days []struct {
		ChildID    int64         `json:"child_id"`
		ChildName  string        `json:"child_name"`
		Day        time.Time     `json:"day"`
		Status     RequestStatus `json:"status"`
		HubID      int64         `json:"hub_id,omitempty"`
		HubName    string        `json:"hub_name,omitempty"`
		HubAddress string        `json:"hub_address,omitempty"`
		HubLat     float64       `json:"hub_lat,omitempty"`
		HubLon     float64       `json:"hub_lon,omitempty"`
		DistanceKm float64       `json:"distance_km,omitempty"`
		ArriveAt   string        `json:"arrive_at"`
		DepartAt   string        `json:"depart_at"`
		Position   int           `json:"position,omitempty"`
		Reason     string        `json:"reason,omitempty"`
	} `json:"days"`
}

// encodeReply is b as stored, in the current version.
func encodeReply(b Booking) ([]byte, error) {
	r := replyV2{V: replyVersion, Days: make([]replyDayV2, len(b.Days))}
	for i, d := range b.Days {
		r.Days[i] = replyDayV2{ChildID: d.ChildID, ChildName: d.ChildName, Day: d.Day, Status: d.Status,
			HubID: d.HubID, HubName: d.HubName, HubAddress: d.HubAddress, HubLat: d.HubLat, HubLon: d.HubLon,
			DistanceM: distanceM(d.DistanceKm), ArriveAt: d.ArriveAt, DepartAt: d.DepartAt,
			Position: d.Position, WaitReason: d.Reason, NearestFull: d.NearestFullHub}
	}
	return json.Marshal(r)
}

// decodeReply reads a stored reply of any version.
func decodeReply(body []byte) (Booking, error) {
	var v struct {
		V int `json:"v"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return Booking{}, fmt.Errorf("stored reply: %w", err)
	}
	var b Booking
	switch v.V {
	case 0: // before versions
		var r replyV1
		if err := json.Unmarshal(body, &r); err != nil {
			return Booking{}, fmt.Errorf("stored reply v1: %w", err)
		}
		for _, d := range r.Days {
			b.Days = append(b.Days, BookedDay{ChildID: d.ChildID, ChildName: d.ChildName, Day: d.Day, Status: d.Status,
				HubID: d.HubID, HubName: d.HubName, HubAddress: d.HubAddress, HubLat: d.HubLat, HubLon: d.HubLon,
				DistanceKm: d.DistanceKm, ArriveAt: d.ArriveAt, DepartAt: d.DepartAt, Position: d.Position, Reason: d.Reason})
		}
	case 2:
		var r replyV2
		if err := json.Unmarshal(body, &r); err != nil {
			return Booking{}, fmt.Errorf("stored reply v2: %w", err)
		}
		for _, d := range r.Days {
			b.Days = append(b.Days, BookedDay{ChildID: d.ChildID, ChildName: d.ChildName, Day: d.Day, Status: d.Status,
				HubID: d.HubID, HubName: d.HubName, HubAddress: d.HubAddress, HubLat: d.HubLat, HubLon: d.HubLon,
				DistanceKm: float64(d.DistanceM) / 1000, ArriveAt: d.ArriveAt, DepartAt: d.DepartAt, Position: d.Position, Reason: d.WaitReason,
				NearestFullHub: d.NearestFull})
		}
	default: // written by a newer process, during a deploy
		return Booking{}, fmt.Errorf("stored reply of unknown version %d", v.V)
	}
	return b, nil
}
