package api

import (
	"encoding/hex"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// The fingerprint of a booking is stored with its idempotency key: it must not change with
// store.BookingInput, or a submission replayed after a deploy would be refused as another
// booking. The value is what the first keys stored (the JSON of BookingInput then).
func TestRequestHashIsFrozen(t *testing.T) {
	in := store.BookingInput{ChildIDs: []int64{4, 9}, Days: []time.Time{time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)},
		Location: store.NearWork, ArriveAt: "08:00", DepartAt: "17:00"}
	const want = "5f747ae4ff1c23d1e5bc81f820adf8cbfce742aa4bf9e266a11081c0c3c98642" // sha256 of {"ChildIDs":[4,9],"Days":["2026-12-08T00:00:00Z"],"Location":"work","ArriveAt":"08:00","DepartAt":"17:00"}
	if got := hex.EncodeToString(requestHash(in)); got != want {
		t.Errorf("fingerprint %s, want %s", got, want)
	}
}
