package alloc

import (
	"context"
	"testing"
)

// The benchmarks solve generated weeks; see AcademieScenario and NationalScenario. Each reports,
// besides the time, what the run achieved: child-days placed and waitlisted, children with more
// than one hub, the gap to the lower bound, and priority inversions (always 0).

func BenchmarkAcademie(b *testing.B) {
	s, err := AcademieScenario(1)
	if err != nil {
		b.Fatal(err)
	}
	benchmarkScenario(b, s)
}

func BenchmarkNational(b *testing.B) {
	benchmarkScenario(b, NationalScenario(1))
}

func benchmarkScenario(b *testing.B, s Scenario) {
	p, err := Generate(s)
	if err != nil {
		b.Fatal(err)
	}
	var r Result
	for b.Loop() {
		if r, err = Solve(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(r.Report.ChildDaysPlaced), "placed")
	b.ReportMetric(float64(r.Report.ChildDaysWaitlist), "waitlisted")
	b.ReportMetric(float64(r.Report.ChildrenMultiHub), "multi-hub")
	b.ReportMetric(r.Report.GapPercent, "gap-%")
	b.ReportMetric(float64(r.Report.PriorityInversions), "inversions")
}
