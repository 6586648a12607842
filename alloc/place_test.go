package alloc

import (
	"context"
	"slices"
	"testing"
)

// Placing each class of levels of a day on its own (placeJobs) must give exactly the placement of
// the whole day at once, and a day on which an all-or-none unit spans both classes must stay whole.
func TestPlaceJobsGiveTheWholeDaysPlacement(t *testing.T) {
	s, err := AcademieScenario(3)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Generate(s)
	if err != nil {
		t.Fatal(err)
	}
	// One household with a collégien and a younger child chooses all-or-none.
	levels := map[int64][2]bool{}
	for _, r := range p.Requests {
		l := levels[r.HouseholdID]
		l[familyClass(int8(r.Level.index()))] = true
		levels[r.HouseholdID] = l
	}
	mixed := int64(-1)
	for _, r := range p.Requests {
		if l := levels[r.HouseholdID]; l[0] && l[1] && !r.AllowSplit {
			mixed = r.HouseholdID
			break
		}
	}
	if mixed < 0 {
		t.Fatal("no household with children of both classes")
	}
	for i := range p.Requests {
		if p.Requests[i].HouseholdID == mixed {
			p.Requests[i].AllOrNone = true
		}
	}
	m := compile(&p)
	jobs := m.placeJobs()
	whole, split := 0, 0
	for _, j := range jobs {
		if j.class < 0 {
			whole++
		} else {
			split++
		}
	}
	if whole == 0 || split == 0 {
		t.Fatalf("jobs %+v: want both whole days and split ones", jobs)
	}
	if !slices.IsSortedFunc(jobs, func(a, b placeJob) int { return b.size - a.size }) {
		t.Errorf("jobs not largest first: %+v", jobs)
	}

	homes := m.homes(nil)
	got, err := m.placeAll(context.Background(), homes, m.penalty)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int32, len(m.cds))
	for i, cd := range m.cds {
		want[i] = cd.fixedHub
	}
	for d := range m.days {
		dp := &dayPlacer{m: m, homes: homes, penalty: m.penalty, class: -1}
		if err := dp.placeDay(context.Background(), int32(d), want); err != nil {
			t.Fatal(err)
		}
	}
	diff := 0
	for i := range want {
		if got[i] != want[i] {
			diff++
		}
	}
	if diff > 0 {
		t.Errorf("%d of %d child-days placed differently by the split jobs", diff, len(want))
	}
}
