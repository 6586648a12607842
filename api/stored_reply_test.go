package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// asFirstVersion rewrites a stored reply of the current version (v2) as the first version
// stored it, before versions: no "v", distance_km in kilometres, reason.
func asFirstVersion(t *testing.T, stored []byte) []byte {
	t.Helper()
	var r map[string]any
	if err := json.Unmarshal(stored, &r); err != nil || r["v"] != float64(2) {
		t.Fatalf("stored reply %s (%v), want version 2", stored, err)
	}
	delete(r, "v")
	for _, d := range r["days"].([]any) {
		day := d.(map[string]any)
		if m, ok := day["distance_m"]; ok {
			day["distance_km"] = m.(float64) / 1000
			delete(day, "distance_m")
		}
		if why, ok := day["wait_reason"]; ok {
			day["reason"] = why
			delete(day, "wait_reason")
		}
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A reply stored before a field rename of the stored format (v1: distance_km, reason) replays
// to the client the very answer the first submission got.
func TestBookingReplayAcrossStoredReplyVersions(t *testing.T) {
	b, st, days, _ := bookingApp(t)
	var zoe int64
	if err := st.DB().Get(&zoe, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	csrf := b.csrf("/")
	body := fmt.Sprintf(`{"child_ids":[%d],"days":["%s"],"location":"work","arrive_at":"08:00","depart_at":"17:00"}`, zoe, days[1].Format(time.DateOnly))
	first := b.postBooking(body, "key-versions-1", csrf)
	if first.StatusCode != http.StatusCreated || !strings.Contains(first.body, `"distance_km":`) {
		t.Fatalf("first: %d %s, want a seat at some distance", first.StatusCode, first.body)
	}
	var stored []byte
	if err := st.DB().Get(&stored, `SELECT response FROM idempotency_key WHERE key = 'key-versions-1'`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`UPDATE idempotency_key SET response = $1 WHERE key = 'key-versions-1'`, asFirstVersion(t, stored)); err != nil {
		t.Fatal(err)
	}
	again := b.postBooking(body, "key-versions-1", csrf)
	if again.StatusCode != http.StatusOK || again.Header.Get("Idempotent-Replayed") != "true" || again.body != first.body {
		t.Errorf("replay of the first version: %d %q\n%s\nwant\n%s", again.StatusCode, again.Header.Get("Idempotent-Replayed"), again.body, first.body)
	}
}
