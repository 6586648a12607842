package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/store"
)

const allocateUsage = "usage: accueil allocate --from YYYY-MM-DD [--to YYYY-MM-DD] [--rebalance] [--seed N] [--export [--out FILE]]\n" +
	"       accueil allocate --problem FILE [--out FILE] [--seed N]\n" +
	"       accueil allocate --generate academie|national [--seed N] [--seat-ratio R]"

// allocateMemoryLimit is the collector's soft limit during an allocation run, unless GOMEMLIMIT
// is set. The national week's live data peaks near 300 MB; left alone, the collector lets the heap
// grow to twice the live data, past 600 MB, while this limit holds the run near 500 MB for a few
// more collections (measured: the same CPU time within the machine's noise).
const allocateMemoryLimit = 480 << 20

// allocate runs the allocator by hand: on the database for a range of days, or on a problem
// file (no database) to study or replay a run.
func allocate(ctx context.Context, e env, args []string) error {
	fs := newFlags("allocate")
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default: --from)")
	rebalance := fs.Bool("rebalance", false, "also give proposed (not confirmed) seats again, to cut distance or unmet demand")
	seed := fs.Uint64("seed", 0, "seed of the tie-breaking draw (default: a fresh one, recorded in the run)")
	problem := fs.String("problem", "", "solve this problem file instead of the database")
	out := fs.String("out", "", "with --problem or --export: write the file here (default: standard output)")
	export := fs.Bool("export", false, "with --from/--to: write the database's state of those days as a problem file instead of allocating")
	generate := fs.String("generate", "", "solve a generated week, academie or national, and print its report")
	seatRatio := fs.Float64("seat-ratio", 0, "with --generate: seats per child-day of each level (default 1.15; about 0.95 leaves an eighth of the demand unmet)")
	noFigures := fs.Bool("no-figures", false, "with --problem or --generate: skip the report's bounds and what the rules cost (about a second solve)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(allocateMemoryLimit))
	}
	if *problem != "" {
		return solveFile(ctx, e, *problem, *out, *seed, *noFigures)
	}
	if *generate != "" {
		return solveGenerated(ctx, e, *generate, *seed, *seatRatio, *noFigures)
	}
	if *from == "" {
		return errors.New(allocateUsage)
	}
	if *to == "" {
		to = from
	}
	first, err1 := time.Parse(time.DateOnly, *from)
	last, err2 := time.Parse(time.DateOnly, *to)
	if err1 != nil || err2 != nil || last.Before(first) || last.Sub(first) > 62*24*time.Hour {
		return errors.New("--from and --to must be dates YYYY-MM-DD, --to not before --from, at most two months apart")
	}
	if *seed == 0 {
		*seed = alloc.RandomSeed()
	}
	st, closeDB, err := openStore(ctx, e, false)
	if err != nil {
		return err
	}
	defer closeDB()
	var days []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	if *export {
		p, err := st.ExportProblem(ctx, store.DefaultAllocationPolicy(), days)
		if err != nil {
			return err
		}
		p.Params.Seed = *seed
		p.Description = fmt.Sprintf("Export of %s to %s", *from, *to)
		return writeTo(e, *out, func(w io.Writer) error { return alloc.WriteProblem(w, p) })
	}
	run, err := st.AllocateDays(ctx, store.DefaultAllocationPolicy(), days, *rebalance, *seed, 0)
	if err != nil {
		return err
	}
	if run.ID == 0 {
		fmt.Fprintln(e.stdout, "nothing to allocate: every request of those days is answered")
		return nil
	}
	fmt.Fprintf(e.stdout, "run %d (%s), seed %d\n", run.ID, run.Kind, run.Report.Seed)
	return printReport(e.stdout, run.Report)
}

func solveFile(ctx context.Context, e env, path, out string, seed uint64, noFigures bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	p, err := alloc.ReadProblem(f)
	if err != nil {
		return err
	}
	if seed != 0 {
		p.Params.Seed = seed
	}
	p.Params.NoFigures = p.Params.NoFigures || noFigures
	res, err := alloc.Solve(ctx, p)
	if err != nil {
		return err
	}
	if err := writeTo(e, out, func(w io.Writer) error { return alloc.WriteResult(w, res) }); err != nil {
		return err
	}
	if out != "" {
		return printReport(e.stdout, res.Report)
	}
	return nil
}

// writeTo writes a file with write, or standard output when path is empty.
func writeTo(e env, path string, write func(io.Writer) error) error {
	if path == "" {
		return write(e.stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// solveGenerated solves the académie or national benchmark week and prints its report.
func solveGenerated(ctx context.Context, e env, which string, seed uint64, seatRatio float64, noFigures bool) error {
	if seed == 0 {
		seed = 1
	}
	var sc alloc.Scenario
	switch which {
	case "academie":
		var err error
		if sc, err = alloc.AcademieScenario(seed); err != nil {
			return err
		}
	case "national":
		sc = alloc.NationalScenario(seed)
	default:
		return errors.New("--generate takes academie or national")
	}
	if seatRatio < 0 {
		return errors.New("--seat-ratio must be positive")
	}
	if seatRatio > 0 {
		sc.SeatRatio = seatRatio
	}
	p, err := alloc.Generate(sc)
	if err != nil {
		return err
	}
	p.Params.NoFigures = noFigures
	res, err := alloc.Solve(ctx, p)
	if err != nil {
		return err
	}
	return printReport(e.stdout, res.Report)
}

func printReport(w io.Writer, r alloc.Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
