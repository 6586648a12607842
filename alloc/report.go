package alloc

import (
	"math"
	"slices"
)

// report fills r.Report from the result's own lists, so every figure can be recounted from the file.
func (m *model) report(r *Result, f distanceFigures, violations []Violation) {
	rep := &r.Report
	rep.Seed = m.params.Seed
	rep.Hubs = len(m.hubIDs)
	rep.Children = len(m.children)
	rep.ChildDaysRequested = len(m.cds)
	rep.ChildDaysPlaced = len(r.Placements)
	rep.ChildDaysWaitlist = len(r.Waitlist)

	// Siblings who should share a hub: a family group (household, day and class), or all the
	// children of an all-or-none household booked that day (class 0).
	type householdDay struct {
		household int32
		day       Day
		class     int
	}
	hubsOf := map[int64][]int64{}                 // child → hubs
	hubsOfHousehold := map[householdDay][]int64{} // household-day → hubs
	placedHubs := map[int64][]int32{}             // child → the hub of each placed day
	var dists []float64
	var total float64
	for _, p := range r.Placements {
		ci := m.childIdx[p.ChildID]
		placedHubs[p.ChildID] = append(placedHubs[p.ChildID], m.hubIdx[p.HubID])
		if !slices.Contains(hubsOf[p.ChildID], p.HubID) {
			hubsOf[p.ChildID] = append(hubsOf[p.ChildID], p.HubID)
		}
		hh := m.children[ci].household
		k := householdDay{hh, p.Day, 0}
		if !m.households[hh].allOrNone {
			k.class = familyClass(m.children[ci].level)
		}
		if !slices.Contains(hubsOfHousehold[k], p.HubID) {
			hubsOfHousehold[k] = append(hubsOfHousehold[k], p.HubID)
		}
		if p.Fixed {
			rep.ChildDaysFixed++
			continue
		}
		dists = append(dists, p.DistanceKm)
		total += p.DistanceKm
	}
	for _, hs := range hubsOf {
		if len(hs) > 1 {
			rep.ChildrenMultiHub++
		}
	}
	for k, hs := range hubsOfHousehold {
		if len(hs) > 1 {
			if m.households[k.household].allowSplit {
				rep.SplitsAllowed++
			} else {
				rep.SiblingSplits++
			}
		}
	}

	rep.TotalDistanceKm = roundMetre(total)
	if len(dists) > 0 {
		slices.Sort(dists)
		rep.MeanDistanceKm = roundMetre(total / float64(len(dists)))
		rep.P95DistanceKm = dists[int(math.Ceil(0.95*float64(len(dists))))-1] // nearest rank
		rep.MaxDistanceKm = dists[len(dists)-1]
	}
	changes := 0
	for _, hs := range placedHubs {
		changes += len(hs) - mostFrequent(hs)
	}
	rep.HubChangeCostKm = roundMetre(float64(m.penalty*int64(changes)) / 1000)
	rep.ObjectiveKm = roundMetre(rep.TotalDistanceKm + rep.HubChangeCostKm)
	rep.LowerBoundKm = float64(f.relaxedBound) / 1000
	rep.GapPercent = gapPercent(rep.TotalDistanceKm, rep.LowerBoundKm)
	if f.computed {
		rep.SiblingBoundKm = float64(f.siblingBound) / 1000
		rep.SiblingGapPercent = gapPercent(rep.TotalDistanceKm, rep.SiblingBoundKm)
		rep.WithoutSiblingsKm = float64(f.withoutSiblings) / 1000
		rep.SiblingsCostKm = float64(max(0, f.siblingBound-f.withoutSiblings)) / 1000
		rep.PerDayDistanceKm = f.perDayKm
		rep.PerDayChildDaysPlaced = f.perDayPlaced
		rep.PerDayChildrenMultiHub = f.perDayMultiHub
		rep.OneHubWeekKm = roundMetre(rep.TotalDistanceKm - f.perDayKm)
		// Both bounds hold for the objective (the distance is part of it); the larger is given.
		rep.WeekBoundKm = float64(max(f.weekBound, f.siblingBound)) / 1000
		rep.WeekGapPercent = gapPercent(rep.ObjectiveKm, rep.WeekBoundKm)
	}

	waitlisted := map[int64]bool{}
	rep.WaitlistReasons = map[Reason]int{}
	for _, w := range r.Waitlist {
		waitlisted[w.ChildID] = true
		rep.WaitlistReasons[w.Reason]++
	}
	rep.ChildrenWaitlisted = len(waitlisted)
	rep.ChildrenFullyPlaced = len(m.children) - len(waitlisted)

	var tiers []TierReport
	tier := func(t int) *TierReport {
		i, found := slices.BinarySearchFunc(tiers, t, func(tr TierReport, t int) int { return tr.Tier - t })
		if !found {
			tiers = slices.Insert(tiers, i, TierReport{Tier: t})
		}
		return &tiers[i]
	}
	placed := map[[2]int64]bool{}
	for _, p := range r.Placements {
		placed[[2]int64{p.ChildID, int64(m.dayIdx[p.Day])}] = true
	}
	for _, cd := range m.cds {
		t := tier(m.reqs[cd.req].key.tier)
		t.ChildDaysRequested++
		if placed[[2]int64{m.children[cd.child].id, int64(cd.day)}] {
			t.ChildDaysPlaced++
		} else {
			t.ChildDaysWaitlist++
		}
	}
	rep.Tiers = tiers
	for _, t := range tiers {
		if t.ChildDaysWaitlist > 0 {
			break
		}
		rep.TiersFullyServed++
	}

	rep.Violations = len(violations)
	for _, v := range violations {
		if v.Rule == RulePriority {
			rep.PriorityInversions++
		}
	}
}

// gapPercent is (total − bound) / bound × 100, to four decimals, or 0 without a bound.
func gapPercent(total, bound float64) float64 {
	if bound <= 0 {
		return 0
	}
	return math.Round((total-bound)/bound*1e6) / 1e4
}
