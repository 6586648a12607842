package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/store"
)

// allocate runs the allocator by hand: on the database for a range of days, or on a problem
// file (no database) to study or replay a run.
func allocate(ctx context.Context, e env, args []string) error {
	fs := newFlags("allocate")
	from := fs.String("from", "", "first day, YYYY-MM-DD")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default: --from)")
	rebalance := fs.Bool("rebalance", false, "also give proposed (not confirmed) seats again, to cut distance or unmet demand")
	seed := fs.Uint64("seed", 0, "seed of the tie-breaking draw (default: a fresh one, recorded in the run)")
	problem := fs.String("problem", "", "solve this problem file instead of the database")
	out := fs.String("out", "", "with --problem: write the result file here (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *problem != "" {
		return solveFile(ctx, e, *problem, *out, *seed)
	}
	if *from == "" {
		return errors.New("usage: accueil allocate --from YYYY-MM-DD [--to YYYY-MM-DD] [--rebalance] [--seed N] | --problem FILE [--out FILE]")
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
	db, closeDB, err := database(ctx, e)
	if err != nil {
		return err
	}
	defer closeDB()
	st := store.New(db)
	var days []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
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

func solveFile(ctx context.Context, e env, path, out string, seed uint64) error {
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
	res, err := alloc.Solve(ctx, p)
	if err != nil {
		return err
	}
	w := e.stdout
	if out != "" {
		of, err := os.Create(out)
		if err != nil {
			return err
		}
		defer of.Close()
		w = of
		defer printReport(e.stdout, res.Report)
	}
	return alloc.WriteResult(w, res)
}

func printReport(w io.Writer, r alloc.Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
