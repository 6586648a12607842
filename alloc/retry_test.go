package alloc

import (
	"context"
	"slices"
	"testing"
)

// weeklyHomes and relocate skip, in their later rounds, the units and pieces whose search reads
// nothing that changed since their last try. The skip must never change a move: on generated
// weeks, crowded and scarce, both give the same hubs as when every one is tried every round.
func TestSkippedRetriesChangeNothing(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		seed  uint64
		ratio float64
	}{{1, 0}, {2, 0}, {3, 0.9}} {
		s, err := AcademieScenario(c.seed)
		if err != nil {
			t.Fatal(err)
		}
		if c.ratio > 0 {
			s.SeatRatio = c.ratio
		}
		p, err := Generate(s)
		if err != nil {
			t.Fatal(err)
		}
		run := func(retryAll bool) (homes, relocated []int32, moved int) {
			m := compile(&p)
			m.retryAll = retryAll
			homes, err := m.weeklyHomes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			hubOf := firstPass(ctx, t, m)
			m.improve(hubOf)
			before := slices.Clone(hubOf)
			m.relocate(hubOf)
			for i := range hubOf {
				if hubOf[i] != before[i] {
					moved++
				}
			}
			return homes, hubOf, moved
		}
		homes, relocated, moved := run(false)
		wantHomes, wantRelocated, _ := run(true)
		if !slices.Equal(homes, wantHomes) {
			t.Errorf("seed %d, seats %v: weeklyHomes differs when every unit is tried every round", c.seed, c.ratio)
		}
		if !slices.Equal(relocated, wantRelocated) {
			t.Errorf("seed %d, seats %v: relocate differs when every piece is tried every round", c.seed, c.ratio)
		}
		if moved == 0 {
			t.Errorf("seed %d, seats %v: relocate moved nobody, the test proves nothing", c.seed, c.ratio)
		}
		t.Logf("seed %d, seats %v: relocate moved %d child-days", c.seed, c.ratio, moved)
	}
}
