package store

import (
	"reflect"
	"testing"
	"time"
)

// storedBooking is an answer with every field a stored reply holds: a seat and a waitlisted day.
var storedBooking = Booking{Days: []BookedDay{
	{ChildID: 7, ChildName: "Zoé", Day: time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC), Status: RequestProposed,
		HubID: 3, HubName: "École des Tilleuls", HubAddress: "3 rue des Tilleuls, Besançon", HubLat: 47.25, HubLon: 6.02,
		DistanceKm: 1.234, ArriveAt: "08:00", DepartAt: "17:00"},
	{ChildID: 8, ChildName: "Noé", Day: time.Date(2026, 12, 9, 0, 0, 0, 0, time.UTC), Status: RequestWaitlisted,
		ArriveAt: "07:30", DepartAt: "18:30", Position: 4, Reason: "hubs_full"},
}}

// The current version's form, frozen: a change to it must come as a new version (see
// replyVersion), or the replies stored already would decode wrong.
const storedBookingV2 = `{"v":2,"days":[` +
	`{"child_id":7,"child_name":"Zoé","day":"2026-12-08T00:00:00Z","status":"proposed","hub_id":3,"hub_name":"École des Tilleuls",` +
	`"hub_address":"3 rue des Tilleuls, Besançon","hub_lat":47.25,"hub_lon":6.02,"distance_m":1234,"arrive_at":"08:00","depart_at":"17:00"},` +
	`{"child_id":8,"child_name":"Noé","day":"2026-12-09T00:00:00Z","status":"waitlisted","arrive_at":"07:30","depart_at":"18:30",` +
	`"position":4,"wait_reason":"hubs_full"}]}`

// The same answer as stored before versions, when BookedDay's JSON tags were the format.
const storedBookingV1 = `{"days":[` +
	`{"child_id":7,"child_name":"Zoé","day":"2026-12-08T00:00:00Z","status":"proposed","hub_id":3,"hub_name":"École des Tilleuls",` +
	`"hub_address":"3 rue des Tilleuls, Besançon","hub_lat":47.25,"hub_lon":6.02,"distance_km":1.234,"arrive_at":"08:00","depart_at":"17:00"},` +
	`{"child_id":8,"child_name":"Noé","day":"2026-12-09T00:00:00Z","status":"waitlisted","arrive_at":"07:30","depart_at":"18:30",` +
	`"position":4,"reason":"hubs_full"}]}`

func TestStoredReplyFormat(t *testing.T) {
	body, err := encodeReply(storedBooking)
	if err != nil || string(body) != storedBookingV2 {
		t.Fatalf("stored as\n%s (%v)\nwant\n%s", body, err, storedBookingV2)
	}
}

// A reply stored under the first version (before the rename of reason and distance_km) decodes
// to the same answer as the current version's.
func TestStoredRepliesDecodeAcrossVersions(t *testing.T) {
	for name, body := range map[string]string{"v1": storedBookingV1, "v2": storedBookingV2} {
		got, err := decodeReply([]byte(body))
		if err != nil || !reflect.DeepEqual(got, storedBooking) {
			t.Errorf("%s decodes to %+v (%v)\nwant %+v", name, got, err, storedBooking)
		}
	}
	if _, err := decodeReply([]byte(`{"v":3,"days":[]}`)); err == nil {
		t.Error("a reply of an unknown version decodes")
	}
}
