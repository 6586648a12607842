package waitingroom_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/waitingroom"
)

// rushVisitor is one parent of TestTwoProcessesOpenTheRoomTogether, its times in ticks.
type rushVisitor struct {
	first, cookie string // the ticket first given, the browser's latest one
	arrived       int
	admitted      int // the tick they were first told they pass; -1: not yet
	lastWaiting   int // the last tick they were told to wait; -1: never
	journey       int // requests made since admitted
	refusedAfter  bool
}

// TestTwoProcessesOpenTheRoomTogether: parents arrive every 100 ms, two out of three through
// one process and the third through the other (a load balancer is never even), at a room of
// capacity 4, the processes syncing every second as they do in production, at the same moment
// or half a second apart. Every waiting
// parent asks again each tick through the other process than last time; every parent let in
// makes 20 more requests (2 s), alternating too. Across the moment the room opens:
//   - no parent is let in before an earlier one who was already told to wait (strict arrival
//     order across processes: both processes must start queuing at the same instant);
//   - no parent told they pass is refused afterwards, by either process, neither with the
//     ticket their browser keeps nor with the one first given (a client that keeps its first
//     cookie, as the load run's do).
func TestTwoProcessesOpenTheRoomTogether(t *testing.T) {
	for _, c := range []struct{ keepFirst, staggered bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		keepFirst := c.keepFirst
		t.Run(fmt.Sprintf("first cookie kept %v, syncs staggered %v", c.keepFirst, c.staggered), func(t *testing.T) {
			rs, _, clk := rooms(t, 2, waitingroom.Config{Capacity: 4, Stay: 5 * time.Second})
			syncAll(t, rs...)
			admittedByQueue := 0
			const tick = 100 * time.Millisecond
			var vs []*rushVisitor
			visit := func(v *rushVisitor, r *waitingroom.Room) waitingroom.Pass {
				cookie := v.cookie
				if keepFirst && v.first != "" {
					cookie = v.first
				}
				p := r.Visit(cookie, "192.0.2.1")
				v.cookie = p.Ticket
				if v.first == "" {
					v.first = p.Ticket
				}
				return p
			}
			for k := range 300 {
				if k < 150 {
					v := &rushVisitor{arrived: k, admitted: -1, lastWaiting: -1}
					vs = append(vs, v)
					process := 0
					if k%3 == 2 {
						process = 1
					}
					if p := visit(v, rs[process]); p.Admitted {
						v.admitted = k
					} else {
						v.lastWaiting = k
					}
				}
				for i, v := range vs {
					if v.arrived == k || v.journey >= 20 {
						continue
					}
					p := visit(v, rs[(k+i)%2])
					switch {
					case v.admitted >= 0:
						v.journey++
						if !p.Admitted {
							v.refusedAfter = true
						}
					case p.Admitted:
						v.admitted = k
						if v.lastWaiting >= 0 {
							admittedByQueue++
						}
					default:
						v.lastWaiting = k
					}
				}
				clk.add(tick)
				switch {
				case k%10 == 9 && !c.staggered:
					syncAll(t, rs...)
				case k%10 == 4 && c.staggered:
					syncAll(t, rs[0])
				case k%10 == 9 && c.staggered:
					syncAll(t, rs[1])
				}
			}
			queued, refused := 0, 0
			for i, v := range vs {
				if v.refusedAfter {
					refused++
				}
				if v.lastWaiting < 0 {
					continue
				}
				queued++
				for j, w := range vs[i+1:] {
					if w.admitted >= 0 && w.admitted < v.lastWaiting {
						t.Errorf("parent %d (arrived at tick %d) let in at tick %d while parent %d (arrived at tick %d) still waited at tick %d",
							i+1+j, w.arrived, w.admitted, i, v.arrived, v.lastWaiting)
						break
					}
				}
			}
			if refused > 0 {
				t.Errorf("%d parents let in were refused afterwards", refused)
			}
			if admittedByQueue == 0 {
				t.Fatal("the queue let no one in")
			}
			if queued == 0 || queued == len(vs) {
				t.Fatalf("%d of %d parents queued: the room never opened, or was never free", queued, len(vs))
			}
		})
	}
}
