package alloc

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestWriteWeekLP writes the exact weekly model of a generated académie week as CPLEX LP files,
// for an outside MIP solver (Debian's cbc) to measure how far the allocator and weekBound are
// from the optimum. It is a measurement tool, not a check: it runs only when ALLOC_WRITE_LP names
// the file to write, e.g.
//
//	ALLOC_WRITE_LP=/tmp/week.lp ALLOC_LP_SEED=1 go test -count=1 -run WriteWeekLP -v ./alloc
//	nice -n 10 cbc /tmp/week.lp -sec 1500 -solve -solu /tmp/week.sol
//
// The model is the one weekBound relaxes, over the run's placed child-days, objective in metres:
//
//	min  Σ cost[U,h]·x[U,h] + P·(placed child-days) − P·Σ w[U,i,h] − P·Σ_fixed u[c,hub]
//	     Σ_h x[U,h] = 1                       each unit U the run placed (a kept-together unit,
//	                                          or a child alone) takes one hub it could use
//	     w[U,i,h] ≤ x[U,h], w[U,i,h] ≤ u[c,h]  member i (child c) of U is at its usual hub
//	     Σ_h u[c,h] = 1                       one usual hub per child
//	     Σ_U need[U,l]·x[U,h,d] ≤ seats left  per hub, day and level, after fixed seats
//
// x binary, u and w continuous in [0, 1] (for binary x the best u is a vertex, so this is exact).
// The constant P·(placed child-days) cannot be written in an LP file: the test prints it, and the
// true objective is cbc's plus that constant. A second file, "-run" before ".lp", fixes x to the
// run's placement: its optimum plus the constant must equal the run's objective (weekProblem.upper),
// which validates the model. ALLOC_LP_BOX="minLat,maxLat,minLon,maxLon" cuts the week to the
// households whose first request lies in that box and the hubs in it, and solves the cut again.
func TestWriteWeekLP(t *testing.T) {
	path := os.Getenv("ALLOC_WRITE_LP")
	if path == "" {
		t.Skip("ALLOC_WRITE_LP not set: a measurement, not a test")
	}
	seed := uint64(1)
	if s := os.Getenv("ALLOC_LP_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		seed = v
	}
	sc, err := AcademieScenario(seed)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Generate(sc)
	if err != nil {
		t.Fatal(err)
	}
	if box := os.Getenv("ALLOC_LP_BOX"); box != "" {
		p = cutToBox(t, p, box)
	}
	res, err := Solve(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	m := compile(&p)
	hubOf := slices.Repeat([]int32{-1}, len(m.cds)) // the run's placement
	for _, pl := range res.Placements {
		hubOf[m.childDayOf(m.childIdx[pl.ChildID], m.dayIdx[pl.Day])] = m.hubIdx[pl.HubID]
	}
	wm := newWeekMIP(m, hubOf)
	t.Logf("week: %d hubs, %d children, %d child-days requested, %d placed", res.Report.Hubs, res.Report.Children,
		res.Report.ChildDaysRequested, res.Report.ChildDaysPlaced)
	t.Logf("run: objective %.3f km, distance %.3f km, hub changes %.3f km, week bound %.3f km (gap %.2f %%)",
		res.Report.ObjectiveKm, res.Report.TotalDistanceKm, res.Report.HubChangeCostKm, res.Report.WeekBoundKm, res.Report.WeekGapPercent)
	t.Logf("run objective in whole metres (weekProblem.upper) %d; MIP at the run's placement %d", m.newWeekProblem(hubOf).upper, wm.at(hubOf))
	t.Logf("model: %d units, %d x (binary), %d u, %d w, %d capacity rows; constant to add %d m",
		len(wm.units), wm.nx, wm.nu, wm.nw, len(wm.caps), wm.konst)
	for _, fix := range []bool{false, true} {
		out := path
		if fix {
			out = strings.TrimSuffix(path, ".lp") + "-run.lp"
		}
		if err := wm.write(out, fix); err != nil {
			t.Fatal(err)
		}
	}
	if sol := os.Getenv("ALLOC_READ_SOL"); sol != "" {
		compareSolution(t, m, wm, hubOf, sol)
	}
}

// compareSolution reads a cbc solution of the model (-solu file) and logs, child by child, where it
// places the week differently from the run, with each side's distance and days away.
func compareSolution(t *testing.T, m *model, wm *weekMIP, hubOf []int32, path string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opt := slices.Clone(hubOf)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 || !strings.HasPrefix(fields[1], "x") {
			continue
		}
		if v, err := strconv.ParseFloat(fields[2], 64); err != nil || v < 0.5 {
			continue
		}
		var ui, h int
		if _, err := fmt.Sscanf(fields[1], "x%d_%d", &ui, &h); err != nil {
			t.Fatal(err)
		}
		for _, c := range wm.units[ui].children {
			for _, cd := range m.children[c].cds {
				if m.cds[cd].day == wm.unitDay[ui] && hubOf[cd] >= 0 && m.cds[cd].fixedHub < 0 {
					opt[cd] = int32(h)
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("run: objective %d m, %d days away; solution: objective %d m, %d days away",
		m.objectiveMetres(hubOf), m.hubChangeDays(hubOf), m.objectiveMetres(opt), m.hubChangeDays(opt))
	vs := m.check(ptr(m.result(opt)))
	t.Logf("the solution breaks %d rules (the model has no priority rule)", len(vs))
	for i, v := range vs {
		if i < 5 {
			t.Logf("  %v", v)
		}
	}
	week := func(ci int, hubOf []int32) (string, int64, int) {
		var b strings.Builder
		var dist int64
		var hubs []int32
		for _, cd := range m.children[ci].cds {
			h := hubOf[cd]
			if h < 0 {
				b.WriteString(" -")
				continue
			}
			fmt.Fprintf(&b, " %d", h)
			if m.cds[cd].fixedHub >= 0 {
				b.WriteString("F")
			} else {
				dist += int64(m.distM(int32(cd), h))
			}
			hubs = append(hubs, h)
		}
		return b.String(), dist, len(hubs) - mostFrequent(hubs)
	}
	for ci, c := range m.children {
		a, da, ca := week(ci, hubOf)
		b, db, cb := week(ci, opt)
		if a != b {
			t.Logf("child %d (household %d, level %d, tier %d): run%s (%.1f km, %d away) | solution%s (%.1f km, %d away)",
				ci, c.household, c.level, m.reqs[m.cds[c.cds[0]].req].key.tier, a, float64(da)/1000, ca, b, float64(db)/1000, cb)
		}
	}
}

// cutToBox keeps the hubs of p in box and the households whose first request lies in it, with
// their fixed placements when the hub is kept (the others become ordinary requests).
func cutToBox(t *testing.T, p Problem, box string) Problem {
	var b [4]float64
	parts := strings.Split(box, ",")
	if len(parts) != 4 {
		t.Fatalf("ALLOC_LP_BOX: want minLat,maxLat,minLon,maxLon, got %q", box)
	}
	for i, s := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			t.Fatal(err)
		}
		b[i] = v
	}
	in := func(lat, lon float64) bool { return lat >= b[0] && lat <= b[1] && lon >= b[2] && lon <= b[3] }
	cut := p
	cut.Hubs, cut.Requests, cut.Fixed = nil, nil, nil
	hubs := map[int64]bool{}
	for _, h := range p.Hubs {
		if in(h.Location.Lat, h.Location.Lon) {
			cut.Hubs = append(cut.Hubs, h)
			hubs[h.ID] = true
		}
	}
	households := map[int64]bool{}
	for _, r := range p.Requests {
		if _, seen := households[r.HouseholdID]; !seen {
			households[r.HouseholdID] = in(r.Location.Lat, r.Location.Lon)
		}
	}
	children := map[int64]bool{}
	for _, r := range p.Requests {
		if households[r.HouseholdID] {
			cut.Requests = append(cut.Requests, r)
			children[r.ChildID] = true
		}
	}
	for _, f := range p.Fixed {
		if children[f.ChildID] && hubs[f.HubID] {
			cut.Fixed = append(cut.Fixed, f)
		}
	}
	if err := cut.Validate(); err != nil {
		t.Fatal(err)
	}
	return cut
}

// weekMIP is the exact weekly model described at TestWriteWeekLP.
type weekMIP struct {
	m       *model
	penalty int64
	units   []mipUnit
	usual   map[int32][]int32 // child → hubs it may take as its usual hub
	fixedAt map[[2]int32]int  // (child, hub) → fixed days there
	caps    map[int][]capTerm // slot → units using it
	konst   int64
	nx, nu  int
	nw      int
	runHub  []int32 // the run's hub for each unit
	unitDay []int32 // each unit's day
}

type mipUnit struct {
	children []int32
	hubs     []int32
	cost     []int64
}

type capTerm struct {
	unit int
	n    int32
}

func newWeekMIP(m *model, hubOf []int32) *weekMIP {
	wm := &weekMIP{m: m, penalty: m.penalty, usual: map[int32][]int32{}, fixedAt: map[[2]int32]int{}, caps: map[int][]capTerm{}}
	addUsual := func(c, h int32) {
		if !slices.Contains(wm.usual[c], h) {
			wm.usual[c] = append(wm.usual[c], h)
		}
	}
	for cd, h := range hubOf {
		if h >= 0 {
			wm.konst += wm.penalty
			if f := m.cds[cd].fixedHub; f >= 0 {
				c := m.cds[cd].child
				wm.fixedAt[[2]int32{c, f}]++
				addUsual(c, f)
			}
		}
	}
	dus, _ := m.weekPieces(hubOf)
	for _, du := range dus {
		mu := mipUnit{}
		for _, cd := range du.members {
			mu.children = append(mu.children, m.cds[cd].child)
		}
		ui := len(wm.units)
	hubs:
		for _, h := range m.commonHubs(du.day, &du.u) {
			for l, n := range du.u.need {
				s := m.slot(du.day, h, int8(l))
				if n > m.seats[s]-m.fixedN[s] {
					continue hubs
				}
			}
			var c int64
			for _, cd := range du.members {
				c += int64(m.distM(cd, h))
			}
			mu.hubs = append(mu.hubs, h)
			mu.cost = append(mu.cost, c)
			for l, n := range du.u.need {
				if n > 0 {
					s := m.slot(du.day, h, int8(l))
					wm.caps[s] = append(wm.caps[s], capTerm{ui, n})
				}
			}
			for _, c := range mu.children {
				addUsual(c, h)
			}
		}
		if !slices.Contains(mu.hubs, hubOf[du.members[0]]) {
			panic("weekMIP: the run's hub is not among the unit's hubs")
		}
		wm.runHub = append(wm.runHub, hubOf[du.members[0]])
		wm.unitDay = append(wm.unitDay, du.day)
		wm.nx += len(mu.hubs)
		wm.nw += len(mu.hubs) * len(mu.children)
		wm.units = append(wm.units, mu)
	}
	for c := range wm.usual {
		slices.Sort(wm.usual[c])
		wm.nu += len(wm.usual[c])
	}
	return wm
}

// at is the model's objective, constant included, at placement hubOf with each child's usual hub
// chosen at best: it must equal the run's objective.
func (wm *weekMIP) at(hubOf []int32) int64 {
	v := wm.konst
	for i, u := range wm.units {
		v += u.cost[slices.Index(u.hubs, wm.runHub[i])]
	}
	for c := range wm.usual {
		var hubs []int32
		for _, cd := range wm.m.children[c].cds {
			if h := hubOf[cd]; h >= 0 {
				hubs = append(hubs, h)
			}
		}
		v -= wm.penalty * int64(mostFrequent(hubs))
	}
	return v
}

// write writes the model in CPLEX LP format; with fix, x is fixed to the run's placement.
func (wm *weekMIP) write(path string, fix bool) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	children := make([]int32, 0, len(wm.usual))
	for c := range wm.usual {
		children = append(children, c)
	}
	slices.Sort(children)

	// The objective, a few terms a line.
	fmt.Fprintf(w, "\\ exact weekly model, constant %d m to add\nMinimize\n obj:", wm.konst)
	n := 0
	term := func(coef int64, name string) {
		if coef == 0 {
			return
		}
		fmt.Fprintf(w, " %+d %s", coef, name)
		if n++; n%8 == 0 {
			w.WriteString("\n")
		}
	}
	for i, u := range wm.units {
		for j, h := range u.hubs {
			term(u.cost[j], fmt.Sprintf("x%d_%d", i, h))
			for k := range u.children {
				term(-wm.penalty, fmt.Sprintf("w%d_%d_%d", i, k, h))
			}
		}
	}
	for _, c := range children {
		for _, h := range wm.usual[c] {
			term(-wm.penalty*int64(wm.fixedAt[[2]int32{c, h}]), fmt.Sprintf("u%d_%d", c, h))
		}
	}
	w.WriteString("\nSubject To\n")
	for i, u := range wm.units {
		fmt.Fprintf(w, " a%d:", i)
		for _, h := range u.hubs {
			fmt.Fprintf(w, " + x%d_%d", i, h)
		}
		w.WriteString(" = 1\n")
		for _, h := range u.hubs {
			for k, c := range u.children {
				fmt.Fprintf(w, " wx%d_%d_%d: w%d_%d_%d - x%d_%d <= 0\n", i, k, h, i, k, h, i, h)
				fmt.Fprintf(w, " wu%d_%d_%d: w%d_%d_%d - u%d_%d <= 0\n", i, k, h, i, k, h, c, h)
			}
		}
	}
	for _, c := range children {
		fmt.Fprintf(w, " h%d:", c)
		for _, h := range wm.usual[c] {
			fmt.Fprintf(w, " + u%d_%d", c, h)
		}
		w.WriteString(" = 1\n")
	}
	slots := make([]int, 0, len(wm.caps))
	for s := range wm.caps {
		slots = append(slots, s)
	}
	slices.Sort(slots)
	for _, s := range slots {
		fmt.Fprintf(w, " s%d:", s)
		for _, ct := range wm.caps[s] {
			fmt.Fprintf(w, " + %d x%d_%d", ct.n, ct.unit, int32(s/numLevels%len(wm.m.hubIDs)))
		}
		fmt.Fprintf(w, " <= %d\n", wm.m.seats[s]-wm.m.fixedN[s])
	}
	w.WriteString("Bounds\n")
	if fix {
		for i, u := range wm.units {
			for _, h := range u.hubs {
				v := 0
				if h == wm.runHub[i] {
					v = 1
				}
				fmt.Fprintf(w, " x%d_%d = %d\n", i, h, v)
			}
		}
	}
	// u and w: continuous, 0 ≤ · by default, ≤ 1 implied by the rows.
	w.WriteString("Binaries\n")
	for i, u := range wm.units {
		for _, h := range u.hubs {
			fmt.Fprintf(w, " x%d_%d\n", i, h)
		}
	}
	w.WriteString("End\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
