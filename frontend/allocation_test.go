package frontend

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
)

// The runs table shows the gap to the bound that keeps brothers and sisters together, and the
// older gap for runs stored before that bound existed.
func TestAllocationRunsShowTheSiblingGap(t *testing.T) {
	v, err := NewViews()
	if err != nil {
		t.Fatal(err)
	}
	type run struct {
		ID             int64
		Kind           string
		DayFrom, DayTo time.Time
		Report         alloc.Report
		Seed           int64
	}
	day := time.Date(2021, 4, 12, 0, 0, 0, 0, time.UTC)
	data := struct {
		Runs                        []run
		From, To                    string
		Rebalance                   bool
		Preview                     *run
		Fields                      map[string]string
		Done, Placed, Waiting, Told int64
		Nothing                     bool
		Confirmed                   []time.Time
	}{Runs: []run{
		{ID: 2, Kind: "manual", DayFrom: day, DayTo: day, Report: alloc.Report{GapPercent: 27.47, SiblingBoundKm: 68035, SiblingGapPercent: 25.52}},
		{ID: 1, Kind: "manual", DayFrom: day, DayTo: day, Report: alloc.Report{LowerBoundKm: 54493, GapPercent: 2.57}},
		// A run on the booking path computes no bound (alloc.Params.NoFigures): no gap to show.
		{ID: 3, Kind: "instant", DayFrom: day, DayTo: day, Report: alloc.Report{ChildDaysPlaced: 1}},
	}}
	var b bytes.Buffer
	if err := v.Render(&b, "allocation", Page{Lang: French, Title: "Attribution", Data: data}); err != nil {
		t.Fatal(err)
	}
	body := b.String()
	for _, want := range []string{"<td>25,5\u202f%</td>", "<td>2,6\u202f%</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("no %q in the runs table", want)
		}
	}
	if !strings.Contains(body, "<td>—</td>") || strings.Contains(body, "<td>0,0\u202f%</td>") {
		t.Error("a run without bounds shows a gap instead of a dash")
	}
	if strings.Contains(body, "27,5") {
		t.Error("the relaxed gap is shown for a run that has the sibling bound")
	}
}
