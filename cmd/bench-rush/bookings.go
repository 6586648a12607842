package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accueil-prioritaire/accueil/cmd/internal/benchkit"
)

// answer is one request and what came back, its times measured from the start of its phase.
type answer struct {
	sent, got  time.Duration
	status     int // 0: no answer (connection error or the client's 10 s timeout)
	retryAfter bool
	err        string
}

func (a answer) ok() bool { return a.status >= 200 && a.status < 300 }

// refused is a refusal the clients are promised: 503 or 429 telling when to come back.
func (a answer) refused() bool {
	return (a.status == http.StatusServiceUnavailable || a.status == http.StatusTooManyRequests) && a.retryAfter
}

// ack is a booking the service acknowledged (2xx): the client-side ledger checked against the
// database after the run.
type ack struct {
	household int
	key       string
	day       time.Time
	status    int
	body      []byte
	attempts  int
}

type loadResult struct {
	name    string
	clients int
	elapsed time.Duration
	// busy is how long every client had a booking to make: the run's length, or less when
	// the households' open days ran out before it (at ten times the clients the last seconds
	// had a few clients left retrying and the rate fell for want of work, not of service).
	busy    time.Duration
	answers []answer
	acks    []ack
}

// busyAcks counts the bookings acknowledged while every client had work.
func (r loadResult) busyAcks() int {
	_, lat := r.after(0)
	return len(lat)
}

// rate is the bookings acknowledged per second while every client had work.
func (r loadResult) rate() float64 {
	rate, _ := r.after(0)
	return rate
}

// after is the rate and the latencies (sorted) of the bookings answered from time from until
// every client's work ran out: the steady run once its first seconds (every client asking at
// once, a flood's connections) are over. The figures of the targets are the whole run's; this
// tells the start from the rest.
func (r loadResult) after(from time.Duration) (rate float64, lat []time.Duration) {
	if r.busy <= from {
		return 0, nil
	}
	for _, a := range r.answers {
		if a.ok() && a.got >= from && a.got <= r.busy {
			lat = append(lat, a.got-a.sent)
		}
	}
	slices.Sort(lat)
	return float64(len(lat)) / (r.busy - from).Seconds(), lat
}

// admitted are the latencies of the answers that booked, sorted.
func (r loadResult) admitted() []time.Duration {
	var lat []time.Duration
	for _, a := range r.answers {
		if a.ok() {
			lat = append(lat, a.got-a.sent)
		}
	}
	slices.Sort(lat)
	return lat
}

func percentile(lat []time.Duration, p int) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	return lat[min(len(lat)-1, len(lat)*p/100)].Round(100 * time.Microsecond)
}

// tally counts answers by status ("no answer" for none) and the failures: anything that is
// neither a booking nor a promised refusal.
func tally(answers []answer) (byStatus map[string]int, refused, failed int, firstFailure string) {
	byStatus = map[string]int{}
	for _, a := range answers {
		switch {
		case a.status == 0:
			byStatus["no answer"]++
		case a.status == http.StatusServiceUnavailable || a.status == http.StatusTooManyRequests:
			if a.retryAfter {
				byStatus[strconv.Itoa(a.status)]++
			} else {
				byStatus[strconv.Itoa(a.status)+" without Retry-After"]++
			}
		default:
			byStatus[strconv.Itoa(a.status)]++
		}
		if a.refused() {
			refused++
		} else if !a.ok() {
			failed++
			if firstFailure == "" {
				firstFailure = fmt.Sprintf("%d %s", a.status, a.err)
			}
		}
	}
	return byStatus, refused, failed, firstFailure
}

func formatStatuses(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s: %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// booker sends bookings for the demo households.
type booker struct {
	hh []benchkit.Household
	// retryCap bounds the pause a client takes before asking again with the same key, whatever
	// Retry-After says, so that a run stays short and outages are probed often: 3 s, what a
	// process's refusal for overload says at most (the database down says 5 s, HAProxy's
	// refusals 5 and 10 s).
	retryCap time.Duration
}

// sourceAddr gives client n of a group an address of its own on the loopback network (Linux
// routes all of 127.0.0.0/8 there), so that per-address limits see many clients, as they
// would at a real rush, rather than one.
func sourceAddr(group, n int) *net.TCPAddr {
	return &net.TCPAddr{IP: net.IPv4(127, byte(group), byte(n/250), byte(n%250+1))}
}

func clientFrom(addr *net.TCPAddr, conns int) *http.Client {
	d := &net.Dialer{LocalAddr: addr, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: d.DialContext, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: 30 * time.Second}}
}

func (b *booker) body(h benchkit.Household, day time.Time) []byte {
	ids := make([]string, len(h.Children))
	for k, c := range h.Children {
		ids[k] = strconv.FormatInt(c, 10)
	}
	return fmt.Appendf(nil, `{"child_ids":[%s],"days":["%s"],"location":"home","arrive_at":"08:00","depart_at":"17:30"}`,
		strings.Join(ids, ","), day.Format(time.DateOnly))
}

// send posts one booking and reads the answer.
func (b *booker) send(ctx context.Context, client *http.Client, base string, h benchkit.Household, key string, day time.Time) (status int, retryAfter time.Duration, hasRetryAfter bool, body []byte, err error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/bookings", bytes.NewReader(b.body(h, day)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Cookie", h.Cookie)
	req.Header.Set("X-CSRF-Token", h.CSRF)
	req.Header.Set("Idempotency-Key", key)
	res, err := client.Do(req)
	if err != nil {
		return 0, 0, false, nil, err
	}
	defer res.Body.Close()
	body, err = io.ReadAll(res.Body)
	if err != nil {
		return 0, 0, false, nil, err
	}
	ra := res.Header.Get("Retry-After")
	if ra != "" {
		secs, _ := strconv.Atoi(ra)
		retryAfter = time.Duration(secs) * time.Second
	}
	return res.StatusCode, retryAfter, ra != "", body, nil
}

// run has clients workers book for distinct households in turn (keys name-N), each on a day of
// days it has not booked yet, for d or until every household has booked every day. A client
// refused or left without an answer asks again with the same key (as the service asks it to),
// after Retry-After or 100 ms, capped by retryCap, until it is answered or its time is up.
func (b *booker) run(ctx context.Context, base, name string, group, clients int, days []time.Time, d time.Duration, during func(start time.Time)) loadResult {
	var next, poolOut atomic.Int64
	var mu sync.Mutex
	res := loadResult{name: name, clients: clients}
	start := time.Now()
	deadline := start.Add(d)
	pool := int64(len(b.hh) * len(days))
	var wg sync.WaitGroup
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := clientFrom(sourceAddr(group, w), 1)
			defer client.CloseIdleConnections()
			var answers []answer
			var acks []ack
			for time.Now().Before(deadline) {
				i := next.Add(1) - 1
				if i >= pool {
					poolOut.CompareAndSwap(0, int64(time.Since(start)))
					break
				}
				hi := int(i) % len(b.hh)
				day := days[(int(i)/len(b.hh))%len(days)]
				key := fmt.Sprintf("%s-%08d", name, i)
				for attempt := 1; time.Now().Before(deadline); attempt++ {
					sent := time.Since(start)
					status, wait, hasRA, body, err := b.send(ctx, client, base, b.hh[hi], key, day)
					a := answer{sent: sent, got: time.Since(start), status: status, retryAfter: hasRA}
					if err != nil {
						a.err = err.Error()
					} else if status >= 300 {
						a.err = strings.TrimSpace(string(body[:min(len(body), 200)]))
					}
					answers = append(answers, a)
					if a.ok() {
						acks = append(acks, ack{household: hi, key: key, day: day, status: status, body: body, attempts: attempt})
						break
					}
					if status != 0 && status < 500 && status != http.StatusTooManyRequests {
						break // refused for good: asking again would not change the answer
					}
					if wait <= 0 {
						wait = 100 * time.Millisecond
					}
					select {
					case <-ctx.Done():
						return
					case <-time.After(min(wait, b.retryCap, time.Until(deadline))):
					}
				}
			}
			mu.Lock()
			res.answers = append(res.answers, answers...)
			res.acks = append(res.acks, acks...)
			mu.Unlock()
		}()
	}
	if during != nil {
		during(start)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.busy = res.elapsed
	if out := time.Duration(poolOut.Load()); out > 0 && out < res.busy {
		res.busy = out
	}
	return res
}

// bookedDay is one day of a booking answer, as POST /api/bookings gives it (api/answers.go).
type bookedDay struct {
	ChildID int64     `json:"child_id"`
	Day     time.Time `json:"day"`
	Status  string    `json:"status"`
	HubID   int64     `json:"hub_id"`
}

func parseBooking(body []byte) ([]bookedDay, error) {
	var b struct {
		Days []bookedDay `json:"days"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return nil, err
	}
	return b.Days, nil
}

// timeline is the run second by second, by when answers came: bookings, refusals, other
// answers, and the p50 and p99 of the bookings' latencies. A rate lost in a few seconds (a
// burst) reads differently from one lost all along.
func (r loadResult) timeline() string {
	type second struct {
		lat              []time.Duration
		refused, failing int
	}
	var secs []second
	for _, a := range r.answers {
		i := int(a.got / time.Second)
		for len(secs) <= i {
			secs = append(secs, second{})
		}
		switch {
		case a.ok():
			secs[i].lat = append(secs[i].lat, a.got-a.sent)
		case a.refused():
			secs[i].refused++
		default:
			secs[i].failing++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "second\tbooked\trefused\tother\tp50\tp99\n")
	for i, s := range secs {
		slices.Sort(s.lat)
		fmt.Fprintf(&b, "%d\t%d\t%d\t%d\t%v\t%v\n", i, len(s.lat), s.refused, s.failing, percentile(s.lat, 50), percentile(s.lat, 99))
	}
	return b.String()
}
