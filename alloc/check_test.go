package alloc

import (
	"slices"
	"strings"
	"testing"
)

// The checkers must see broken results, or the property tests would prove nothing. Each case
// breaks a valid result in one way; both Check and the independent checker must object.
func TestCheckersCatchBrokenResults(t *testing.T) {
	a, b := lone(1, km(0, 0)), lone(2, km(0, 0))
	b.HouseholdID = 1
	a.AllOrNone, b.AllOrNone = true, true // only all-or-none siblings must share a hub
	c := lone(3, km(0, 0))
	c.Tier = 3
	p := Problem{
		Hubs:     []Hub{hub(10, km(1, 0), 2), hub(20, km(2, 0), 2), hub(30, km(40, 0), 5)},
		Requests: []Request{a, b, c, lone(4, km(0, 0))},
		Fixed:    []FixedPlacement{{ChildID: 4, Day: monday, HubID: 20}},
	}
	good := solve(t, p)

	at := func(r *Result, child int64) *Placement {
		i := slices.IndexFunc(r.Placements, func(p Placement) bool { return p.ChildID == child })
		return &r.Placements[i]
	}
	waitlist := func(r *Result, child int64) {
		i := slices.IndexFunc(r.Placements, func(p Placement) bool { return p.ChildID == child })
		r.Placements = slices.Delete(r.Placements, i, i+1)
		r.Waitlist = append(r.Waitlist, WaitlistEntry{ChildID: child, Day: monday, Reason: ReasonHigherPriority})
	}
	cases := map[Rule]func(r *Result){
		RuleCoverage: func(r *Result) { r.Placements = r.Placements[1:] },
		RuleHub:      func(r *Result) { at(r, 3).HubID = 99 },
		RuleDistance: func(r *Result) { at(r, 3).HubID = 30 },
		RuleCapacity: func(r *Result) {
			for i := range r.Placements {
				if !r.Placements[i].Fixed {
					r.Placements[i].HubID = 10
				}
			}
		},
		RuleFixed: func(r *Result) { at(r, 4).HubID = 10 },
		RuleSiblings: func(r *Result) {
			other := int64(10)
			if at(r, 1).HubID == 10 {
				other = 20
			}
			at(r, 2).HubID = other
		},
		RulePriority: func(r *Result) { waitlist(r, 3) }, // a seat left empty is an inversion too
	}
	for rule, breakIt := range cases {
		r := good
		r.Placements = slices.Clone(good.Placements)
		r.Waitlist = slices.Clone(good.Waitlist)
		breakIt(&r)
		vs, err := Check(p, r)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(vs, func(v Violation) bool { return v.Rule == rule }) {
			t.Errorf("%s: Check found only %v", rule, vs)
		}
		if len(independentCheck(p, r)) == 0 {
			t.Errorf("%s: the independent checker found nothing", rule)
		}
	}
}

// A waitlisted tier-1 child whose seat went to a tier-3 child is the inversion the rule forbids.
func TestCheckersCatchAPriorityInversion(t *testing.T) {
	high, low := lone(1, km(0, 0)), lone(2, km(0, 0))
	high.Tier, low.Tier = 1, 3
	p := Problem{Hubs: []Hub{hub(10, km(1, 0), 1)}, Requests: []Request{high, low}}
	r := solve(t, p)
	r.Placements[0].ChildID = 2
	r.Waitlist[0].ChildID = 1
	vs, _ := Check(p, r)
	if len(vs) != 1 || vs[0].Rule != RulePriority || vs[0].ChildID != 1 {
		t.Errorf("Check: %v", vs)
	}
	bad := independentCheck(p, r)
	if len(bad) != 1 || !strings.Contains(bad[0], "priority inversion") {
		t.Errorf("independent checker: %v", bad)
	}
}
