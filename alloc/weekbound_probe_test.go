package alloc

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestWeekBoundProbe measures the week bound's search on a generated académie week or a cut of it
// (ALLOC_WB_PROBE=seed, ALLOC_LP_BOX as TestWriteWeekLP): a measurement, not a check. With
// ALLOC_WB_DUALS naming a CBC solution of TestWriteWeekLP's model's linear relaxation, written
// with its row duals (cbc week.lp -initialSolve -printingOptions all -solu week-lp.sol), it also
// evaluates the bound at the relaxation's seat prices, piece by piece against enumeration: there
// it must be at least the relaxation's value, as every piece is priced exactly.
//
//	ALLOC_WB_PROBE=1 ALLOC_LP_BOX=46.5,46.9,5.3,5.9 go test -count=1 -run WeekBoundProbe -v ./alloc
func TestWeekBoundProbe(t *testing.T) {
	env := os.Getenv("ALLOC_WB_PROBE")
	if env == "" {
		t.Skip("ALLOC_WB_PROBE not set: a measurement, not a test")
	}
	seed, err := strconv.ParseUint(env, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := AcademieScenario(seed)
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("ALLOC_WB_NATIONAL") != "" {
		sc = NationalScenario(seed)
	}
	p, err := Generate(sc)
	if err != nil {
		t.Fatal(err)
	}
	if box := os.Getenv("ALLOC_LP_BOX"); box != "" {
		p = cutToBox(t, p, box)
	}
	p.Params.NoFigures = true
	ctx := context.Background()
	m, hubOf := solvedModel(t, p)
	prices := make([]float64, len(m.seats))
	kept, err := m.lowerBound(ctx, hubOf, keptTogether, boundOut{prices: prices})
	if err != nil {
		t.Fatal(err)
	}
	sib, err := m.siblingBound(ctx, hubOf, kept, prices, nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	wb := m.newWeekProblem(hubOf)
	t1 := time.Now()
	b, err := wb.search(ctx, slices.Clone(prices))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("search alone %v", time.Since(t1))
	bySize := map[int8]int{}
	multi := 0
	for _, pc := range wb.pieces {
		bySize[pc.n]++
		for _, u := range wb.units[pc.unitFrom:pc.unitTo] {
			if u.size > 1 {
				multi++
			}
		}
	}
	t.Logf("pieces by children: %v; units of several children %d of %d", bySize, multi, len(wb.units))
	if f := os.Getenv("ALLOC_WB_DUALS"); f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lp := make([]float64, len(prices))
		for _, line := range strings.Split(string(data), "\n") {
			fs := strings.Fields(line)
			if len(fs) == 4 && strings.HasPrefix(fs[1], "s") {
				slot, err1 := strconv.Atoi(fs[1][1:])
				dual, err2 := strconv.ParseFloat(fs[3], 64)
				if err1 == nil && err2 == nil {
					lp[slot] = max(0, -dual)
				}
			}
		}
		v, _ := wb.newWeekEval().value(lp)
		t.Logf("at the LP's duals: %.1f km", (v+float64(wb.konst))/1000)
		probeCompare(t, wb, lp)
	}
	if os.Getenv("ALLOC_WB_TRACE") != "" {
		probeTrace(t, wb, prices)
	}
	t0 := time.Now()
	former := formerWeekBound(wb, slices.Clone(prices))
	t.Logf("former search: %.1f km (gap %.2f %%) in %v", float64(former)/1000, 100*float64(wb.upper-former)/float64(former), time.Since(t0))
	t.Logf("sibling bound %.1f km; upper %.1f km; week bound %.1f km (gap %.2f %%) in %v",
		float64(sib)/1000, float64(wb.upper)/1000, float64(b)/1000, 100*float64(wb.upper-b)/float64(b), time.Since(start))
}

// probeCompare logs the pieces' values at the prices against enumeration (exactPiece).
func probeCompare(t *testing.T, wb *weekProblem, price []float64) {
	sc := newWeekScratch(wb.nHub)
	used := make([]int32, len(wb.seats))
	var ours, exact float64
	worse := 0
	for i := range wb.pieces {
		p := &wb.pieces[i]
		o := wb.piece(p, price, used, sc)
		e, ok := exactPiece(wb, p, price)
		if !ok {
			e = o
		}
		if o > e+1e-6 {
			t.Errorf("piece %d: ours %.1f above exact %.1f", i, o, e)
		}
		if e > o+1 {
			worse++
		}
		ours += o
		exact += e
	}
	seatsV := 0.0
	for s, p := range price {
		seatsV += wb.seats[s] * p
	}
	t.Logf("pieces: ours %.1f km, exact %.1f km (%d pieces below); as bounds %.1f vs %.1f km", ours/1000, exact/1000, worse,
		(ours-seatsV+float64(wb.konst))/1000, (exact-seatsV+float64(wb.konst))/1000)
}

// probeTrace logs the best value of the search and of the former one every 20 iterations, with
// the work done.
func probeTrace(t *testing.T, wb *weekProblem, start []float64) {
	weak := *wb
	weak.spanCombos = 0
	for _, variant := range []string{"deflected", "former"} {
		price := slices.Clone(start)
		ev := wb.newWeekEval()
		st := newWeekSteps(float64(wb.upper-wb.konst), price)
		pol := newPolyak(float64(wb.upper - wb.konst))
		if variant == "former" {
			ev = weak.newWeekEval()
		}
		var total int64
		for it := range weekBoundIters {
			value, priced := ev.value(price)
			total += priced
			var stop bool
			if variant == "former" {
				var norm float64
				for s, p := range price {
					if g := float64(ev.used[s]) - wb.seats[s]; p > 0 || g > 0 {
						norm += g * g
					}
				}
				var step float64
				step, stop = pol.next(value, norm)
				for s, p := range price {
					price[s] = max(0, p+step*(float64(ev.used[s])-wb.seats[s]))
				}
			} else {
				stop = st.next(value, price, ev.used, wb.seats)
			}
			best := max(st.best, pol.best)
			if it < 10 || it%20 == 0 || stop || total > weekBoundArcs {
				t.Logf("%s %d: best %.1f km, value %.1f km, work %d", variant, it, (best+float64(wb.konst))/1000, (value+float64(wb.konst))/1000, total)
			}
			if stop || total > weekBoundArcs {
				break
			}
		}
	}
}
