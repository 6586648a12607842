package alloc

import (
	"math"
	"slices"
)

// report fills r.Report from the result's own lists, so every figure can be recounted from the file.
// The rules it breaks are counted apart, by countViolations.
func (m *model) report(r *Result, f distanceFigures) {
	rep := &r.Report
	rep.Seed = m.params.Seed
	rep.Hubs = len(m.hubIDs)
	rep.Children = len(m.children)
	rep.ChildDaysRequested = len(m.cds)
	rep.ChildDaysPlaced = len(r.Placements)
	rep.ChildDaysWaitlist = len(r.Waitlist)

	// Siblings who should share a hub: a family group (household, day and class), or all the
	// children of an all-or-none household booked that day (class 0). Counted in dense arrays,
	// not maps: a national week has 400,000 placements.
	groupKey := func(hh int32, day int32, class int) int {
		return (int(day)*len(m.households)+int(hh))*2 + class
	}
	groupHub := make([]int32, len(m.days)*len(m.households)*2) // the group's first hub + 1, 0: none
	groupSplit := make([]bool, len(groupHub))
	childHub := make([]int32, len(m.children)) // the child's first hub + 1, 0: none
	childMulti := make([]bool, len(m.children))
	// The hub of each child's i-th placed day is placedHubs[its i-th child-day].
	placedHubs := make([]int32, len(m.cds))
	placedN := make([]int32, len(m.children))
	placedCD := make([]bool, len(m.cds))
	var dists []float64
	var total float64
	for _, p := range r.Placements {
		ci := m.childIdx[p.ChildID]
		c := &m.children[ci]
		h := m.hubIdx[p.HubID]
		placedHubs[c.cds[placedN[ci]]] = h
		placedN[ci]++
		id := h + 1
		switch {
		case childHub[ci] == 0:
			childHub[ci] = id
		case childHub[ci] != id:
			childMulti[ci] = true
		}
		hh := c.household
		class := 0
		if !m.households[hh].allOrNone {
			class = familyClass(c.level)
		}
		d := m.dayIdx[p.Day]
		placedCD[m.childDayOf(ci, d)] = true
		k := groupKey(hh, d, class)
		switch {
		case groupHub[k] == 0:
			groupHub[k] = id
		case groupHub[k] != id:
			groupSplit[k] = true
		}
		if p.Fixed {
			rep.ChildDaysFixed++
			continue
		}
		dists = append(dists, p.DistanceKm)
		total += p.DistanceKm
	}
	for _, multi := range childMulti {
		if multi {
			rep.ChildrenMultiHub++
		}
	}
	for k, split := range groupSplit {
		if split {
			if m.households[k/2%len(m.households)].allowSplit {
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
	var hubs []int32
	for ci, n := range placedN {
		hubs = hubs[:0]
		for _, cd := range m.children[ci].cds[:n] {
			hubs = append(hubs, placedHubs[cd])
		}
		changes += int(n) - mostFrequent(hubs)
	}
	rep.HubChangeCostKm = roundMetre(float64(m.penalty*int64(changes)) / 1000)
	rep.ObjectiveKm = roundMetre(rep.TotalDistanceKm + rep.HubChangeCostKm)
	if f.computed {
		rep.LowerBoundKm = float64(f.relaxedBound) / 1000
		rep.GapPercent = gapPercent(rep.TotalDistanceKm, rep.LowerBoundKm)
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
	for i, cd := range m.cds {
		t := tier(m.reqs[cd.req].key.tier)
		t.ChildDaysRequested++
		if placedCD[i] {
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
}

// countViolations counts in the report the rules the result breaks (Check's violations).
func countViolations(rep *Report, violations []Violation) {
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
