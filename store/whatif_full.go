package store

import (
	"context"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/geo"
)

// The full view of a what-if (see whatif.go): the days as a problem file solved from scratch,
// before and after the changes, with the report's bounds.

// solveFull solves before and after with the same seed, each a whole solve with the report's
// figures (the week bound the page shows needs them: about two thirds of a what-if's processor
// time on the demo week). Solving the two side by side was tried and showed no gain
// beyond the noise on 2 shared cores (each solve already runs its bounds beside the result).
func solveFull(ctx context.Context, before, after alloc.Problem, seed uint64) (rb, ra alloc.Report, err error) {
	before.Params.Seed, after.Params.Seed = seed, seed
	if rb, err = solveReport(ctx, before); err != nil {
		return rb, ra, err
	}
	ra, err = solveReport(ctx, after)
	return rb, ra, err
}

func solveReport(ctx context.Context, p alloc.Problem) (alloc.Report, error) {
	r, err := alloc.Solve(ctx, p)
	if err != nil {
		return alloc.Report{}, fmt.Errorf("what-if: %w", err)
	}
	return r.Report, nil
}

// whatIfSeed is the seed of the full view: the same days solve the same before and after.
func whatIfSeed(days []time.Time) uint64 {
	h := fnv.New64a()
	for _, d := range days {
		fmt.Fprintf(h, "%s|", d.Format(time.DateOnly))
	}
	return h.Sum64()
}

// changed is a copy of the problem file full with the seats of the copy after the changes: the
// hubs changed take their new seats (a new hub is added), and the confirmed seats that no longer
// fit a changed hub are given again.
func (sim *whatIfSim) changed(full alloc.Problem) alloc.Problem {
	out := full
	out.Hubs = nil
	changedHub := map[int64]bool{}
	for _, id := range sim.changeHub {
		changedHub[id] = true
	}
	for _, h := range full.Hubs {
		if !changedHub[h.ID] {
			out.Hubs = append(out.Hubs, h)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(changedHub)) {
		h := sim.hubs[id]
		if !h.open {
			continue
		}
		hub := alloc.Hub{ID: id, Name: sim.newHubs[id], Location: geo.Point{Lat: h.lat, Lon: h.lon}}
		for _, day := range sim.days {
			hd := alloc.HubDay{Day: alloc.DayOf(day), Seats: map[alloc.Level]int{}}
			for _, l := range Levels {
				if s := sim.seats[seatKey{id, day.Format(time.DateOnly), alloc.Level(l)}]; s != nil && s.capacity > 0 {
					hd.Seats[alloc.Level(l)] = s.capacity
				}
			}
			if len(hd.Seats) > 0 {
				hub.Days = append(hub.Days, hd)
			}
		}
		if len(hub.Days) > 0 {
			out.Hubs = append(out.Hubs, hub)
		}
	}
	level := map[int64]alloc.Level{}
	for _, r := range full.Requests {
		level[r.ChildID] = r.Level
	}
	fixed := map[seatKey]int{}
	out.Fixed = nil
	for _, f := range full.Fixed {
		k := seatKey{f.HubID, string(f.Day), level[f.ChildID]}
		if changedHub[f.HubID] {
			s := sim.seats[k]
			if !sim.hubs[f.HubID].open || s == nil || fixed[k] >= s.capacity {
				continue
			}
		}
		fixed[k]++
		out.Fixed = append(out.Fixed, f)
	}
	return out
}
