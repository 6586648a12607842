package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

// The waiting room's contract, as the clients see it: when the room is open, GET /connexion
// without an admitted ticket is answered 503 with Retry-After and the ticket in a cookie
// `salle` (`__Host-salle` with Secure cookies, as the processes run here); GET
// /salle-attente/etat tells the ticket's state.
const (
	roomEntry     = "/connexion"
	roomStatePath = "/salle-attente/etat"
	roomCookie    = "salle"
	roomCookieTLS = "__Host-salle"
)

// roomWork is how long an admitted parent goes on asking for pages (logging in, booking) before
// leaving: the room counts a place as taken while its parent comes back.
const roomWork = 2 * time.Second

type roomState struct {
	Admitted    bool `json:"admitted"`
	Position    int  `json:"position"`
	WaitSeconds int  `json:"wait_seconds"`
}

// visitor is one simulated parent, its times measured from the start of the phase.
type visitor struct {
	arriveSend, arriveRecv time.Duration
	arrived                bool
	ticket                 string
	cookie                 string // the ticket cookie's name
	direct                 bool   // let in at once: the room was closed
	told                   bool   // the room told them a position (or let them in at first ask)
	lastWaiting            time.Duration
	admitted               time.Duration // when the answer saying so came back; -1: never
	passed                 bool          // GET /connexion answered 200 once admitted
	answers                []answer
}

type roomResult struct {
	available                                 bool
	parents, direct, ticketed, admitted, lost int
	duplicates, untold, overtaken, turnedBack int
	elapsed                                   time.Duration
	answers                                   []answer
	example                                   string
}

// roomRun has parents arrive evenly over window, each asking for the login page, taking the
// ticket the room gives, asking the room's state until admitted, then going on with the
// journey as a parent does: the login page again, and once more after roomWork, with the
// ticket (a place is held while its parent is active, and for the stay after); until the
// deadline. A parent asks again after half the wait it is told, at least 1 s and at most a
// quarter of the stay (or 5 s), so that an admitted parent learns it well before the place it
// was kept lapses.
func roomRun(ctx context.Context, base string, parents int, window, stay, deadline time.Duration) (roomResult, error) {
	maxPoll := min(max(stay/4, time.Second), 5*time.Second)
	probe := clientFrom(sourceAddr(2, 255*250-1), 1)
	res, err := probe.Get(base + roomStatePath)
	if err != nil {
		return roomResult{}, err
	}
	res.Body.Close()
	probe.CloseIdleConnections()
	if res.StatusCode == http.StatusNotFound {
		return roomResult{available: false}, nil
	}
	start := time.Now()
	visitors := make([]visitor, parents)
	var wg sync.WaitGroup
	for i := range visitors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := &visitors[i]
			v.admitted, v.lastWaiting = -1, -1
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Until(start.Add(window * time.Duration(i) / time.Duration(parents)))):
			}
			client := clientFrom(sourceAddr(2, i), 1)
			defer client.CloseIdleConnections()
			v.visit(ctx, client, base, start, deadline, maxPoll)
		}()
	}
	wg.Wait()
	return judgeRoom(visitors, time.Since(start)), nil
}

// get asks for path with the ticket, if any, and records the answer.
func (v *visitor) get(ctx context.Context, client *http.Client, url string, start time.Time) (answer, *http.Response, []byte) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if v.ticket != "" {
		req.Header.Set("Cookie", v.cookie+"="+v.ticket)
	}
	a := answer{sent: time.Since(start)}
	res, err := client.Do(req)
	var body []byte
	if err == nil {
		body, err = io.ReadAll(res.Body)
		res.Body.Close()
	}
	a.got = time.Since(start)
	if err != nil {
		a.err = err.Error()
		v.answers = append(v.answers, a)
		return a, nil, nil
	}
	a.status, a.retryAfter = res.StatusCode, res.Header.Get("Retry-After") != ""
	v.answers = append(v.answers, a)
	return a, res, body
}

func (v *visitor) visit(ctx context.Context, client *http.Client, base string, start time.Time, deadline, maxPoll time.Duration) {
	pause := func(d time.Duration) bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(min(d, deadline-time.Since(start))):
			return time.Since(start) < deadline
		}
	}
	// Arrival: the login page, or a ticket.
	for v.ticket == "" && !v.direct {
		a, res, _ := v.get(ctx, client, base+roomEntry, start)
		if a.status == http.StatusOK {
			v.arriveSend, v.arriveRecv, v.arrived, v.direct, v.admitted, v.told = a.sent, a.got, true, true, a.got, true
		}
		if res != nil && (a.refused() || a.status == http.StatusOK) {
			for _, c := range res.Cookies() {
				if (c.Name == roomCookie || c.Name == roomCookieTLS) && c.Value != "" {
					v.ticket, v.cookie = c.Value, c.Name
					v.arriveSend, v.arriveRecv, v.arrived = a.sent, a.got, true
				}
			}
		}
		if v.ticket == "" && !v.direct && !pause(time.Second) {
			return
		}
	}
	// The queue.
	for !v.direct {
		a, _, body := v.get(ctx, client, base+roomStatePath, start)
		wait := time.Second
		var st roomState
		if a.status == http.StatusOK && json.Unmarshal(body, &st) == nil {
			if st.Admitted {
				v.told, v.admitted = true, a.got
				break
			}
			if st.Position >= 1 {
				v.told = true
			}
			v.lastWaiting = a.sent
			wait = min(max(time.Duration(st.WaitSeconds)*time.Second/2, time.Second), maxPoll)
		}
		if !pause(wait) {
			return
		}
	}
	// The journey: pages now and after roomWork; every one must be served.
	v.passed = true
	for k := 0; k < 2; k++ {
		if k > 0 && !pause(roomWork) {
			return
		}
		if !v.direct || k > 0 {
			a, _, _ := v.get(ctx, client, base+roomEntry, start)
			v.passed = v.passed && a.status == http.StatusOK
		}
	}
}

// judgeRoom checks the order: a parent who got a ticket before another asked for one must not
// be seen waiting after the other was seen admitted. Only what the answers' times prove is
// counted: requests that overlap in time are not ordered.
func judgeRoom(vs []visitor, elapsed time.Duration) roomResult {
	r := roomResult{available: true, parents: len(vs), elapsed: elapsed}
	tickets := map[string]int{}
	for i, v := range vs {
		r.answers = append(r.answers, v.answers...)
		switch {
		case v.direct:
			r.direct++
		case v.ticket != "":
			r.ticketed++
			tickets[v.ticket]++
			if !v.told {
				r.untold++
			}
		}
		if v.admitted >= 0 {
			r.admitted++
			if !v.passed {
				r.turnedBack++
			}
		} else {
			r.lost++
		}
		for j, w := range vs {
			if i == j || !v.arrived || !w.arrived || v.lastWaiting < 0 || w.admitted < 0 {
				continue
			}
			if v.arriveRecv < w.arriveSend && w.admitted < v.lastWaiting {
				r.overtaken++
				if r.example == "" {
					r.example = fmt.Sprintf("parent %d (arrived at %v) was let in at %v while parent %d (arrived at %v) still waited at %v",
						j, w.arriveSend.Round(time.Millisecond), w.admitted.Round(time.Millisecond), i, v.arriveRecv.Round(time.Millisecond), v.lastWaiting.Round(time.Millisecond))
				}
				break
			}
		}
	}
	for _, n := range tickets {
		if n > 1 {
			r.duplicates += n
		}
	}
	return r
}

// atOnce is the figure of the parents let in at once (the door open) beside the capacity, and
// whether they stay within a fifth over it: every one of them holds a place once back, so
// beyond the capacity they overfill the room (the door closes on a prediction, see package
// waitingroom).
func (r roomResult) atOnce(capacity int) (value, target string, ok bool) {
	limit := capacity * 6 / 5
	return fmt.Sprintf("%d against %d (%.2f × the capacity)", r.direct, capacity, float64(r.direct)/float64(max(capacity, 1))),
		fmt.Sprintf("≤ %d (capacity × 1.2)", limit), r.direct <= limit
}

func (r roomResult) summary() string {
	if !r.available {
		return "waiting room not available (" + roomStatePath + " answers 404)"
	}
	return strings.TrimSpace(fmt.Sprintf("%d parents in %v: %d let in at once, %d given a ticket, %d admitted, %d lost",
		r.parents, r.elapsed.Round(time.Second), r.direct, r.ticketed, r.admitted, r.lost))
}
