package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// The timeline puts each answer in the second it came back, and tells bookings, promised
// refusals and anything else apart, with the latencies of that second's bookings.
func TestTimelineBySecond(t *testing.T) {
	ms := time.Millisecond
	r := loadResult{answers: []answer{
		{sent: 100 * ms, got: 200 * ms, status: http.StatusCreated},
		{sent: 300 * ms, got: 700 * ms, status: http.StatusCreated},
		{sent: 800 * ms, got: 900 * ms, status: http.StatusServiceUnavailable, retryAfter: true},
		{sent: 900 * ms, got: 2100 * ms, status: http.StatusCreated},
		{sent: 2000 * ms, got: 2050 * ms, status: http.StatusServiceUnavailable}, // no Retry-After
		{sent: 2000 * ms, got: 2060 * ms, status: 0},
	}}
	want := []string{
		"second\tbooked\trefused\tother\tp50\tp99",
		"0\t2\t1\t0\t400ms\t400ms",
		"1\t0\t0\t0\t0s\t0s",
		"2\t1\t0\t2\t1.2s\t1.2s",
	}
	if got := strings.Split(strings.TrimSpace(r.timeline()), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The rate counts the bookings answered while every client had work, over that time: the
// seconds after the households' days ran out do not dilute it.
func TestRateWhileEveryClientHadWork(t *testing.T) {
	ms := time.Millisecond
	r := loadResult{elapsed: 3000 * ms, busy: 2000 * ms, answers: []answer{
		{got: 500 * ms, status: http.StatusCreated},
		{got: 900 * ms, status: http.StatusServiceUnavailable, retryAfter: true},
		{got: 1900 * ms, status: http.StatusCreated},
		{got: 2000 * ms, status: http.StatusOK},
		{got: 2900 * ms, status: http.StatusCreated},
	}}
	if n, rate := r.busyAcks(), r.rate(); n != 3 || rate != 1.5 {
		t.Errorf("busy bookings %d at %v/s, want 3 at 1.5/s", n, rate)
	}
}

// The figures after the first seconds count the bookings answered from then until the clients'
// work ran out, over that time, with their latencies.
func TestFiguresAfterTheStart(t *testing.T) {
	ms := time.Millisecond
	r := loadResult{busy: 5000 * ms, answers: []answer{
		{sent: 100 * ms, got: 900 * ms, status: http.StatusCreated},   // before: left out
		{sent: 2900 * ms, got: 3100 * ms, status: http.StatusCreated}, // answered after: counted
		{sent: 3500 * ms, got: 3600 * ms, status: http.StatusServiceUnavailable, retryAfter: true},
		{sent: 4000 * ms, got: 4050 * ms, status: http.StatusOK},
		{sent: 4900 * ms, got: 5100 * ms, status: http.StatusCreated}, // after the work ran out
	}}
	rate, lat := r.after(3 * time.Second)
	if rate != 1 || len(lat) != 2 || lat[0] != 50*ms || lat[1] != 200*ms {
		t.Errorf("after 3 s: %v/s, latencies %v; want 1/s, [50ms 200ms]", rate, lat)
	}
	if rate, lat := (loadResult{busy: 2 * time.Second}).after(3 * time.Second); rate != 0 || lat != nil {
		t.Errorf("a run shorter than the start: %v/s %v, want nothing", rate, lat)
	}
}
