package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store"
)

func loadDemo(ctx context.Context, e env, args []string) error {
	fs := newFlags("demo")
	seed := fs.Uint64("seed", e.cfg.DemoSeed, "seed of the generator")
	if err := fs.Parse(args); err != nil {
		return err
	}
	e.cfg.DemoSeed = *seed
	st, closeDB, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	defer closeDB()
	empty, err := st.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return errors.New("the database already holds an académie: the demo loads into an empty database only")
	}
	return loadDemoInto(ctx, e, st)
}

// demoIfEmpty loads the demo into an empty database and prints the demo logins either way, so
// that `make run` always shows how to log in.
func demoIfEmpty(ctx context.Context, e env, st *store.Store) error {
	empty, err := st.IsEmpty(ctx)
	if err != nil {
		return err
	}
	if empty {
		return loadDemoInto(ctx, e, st)
	}
	_, logins := demo.Generate(e.cfg.DemoSeed, today(st.Now()))
	printLogins(e.stdout, logins)
	return nil
}

func loadDemoInto(ctx context.Context, e env, st *store.Store) error {
	start := time.Now()
	seed, logins := demo.Generate(e.cfg.DemoSeed, today(st.Now()))
	if err := st.LoadSeed(ctx, seed); err != nil {
		return fmt.Errorf("loading the demo: %w", err)
	}
	children := 0
	for _, h := range seed.Households {
		children += len(h.Children)
	}
	// The families booked over the last days: each got an answer then. One batch over the open
	// days gives the same picture (days past their cutoff get confirmed seats).
	run, err := st.AllocateDays(ctx, store.DefaultAllocationPolicy(), seed.OpenDays, false, e.cfg.DemoSeed, 0)
	if err != nil {
		return fmt.Errorf("placing the demo requests: %w", err)
	}
	e.log.Info("demo académie loaded", slog.Int("hubs", len(seed.Hubs)), slog.Int("households", len(seed.Households)),
		slog.Int("children", children), slog.Int("child_days_placed", run.Report.ChildDaysPlaced),
		slog.Int("child_days_waitlisted", run.Report.ChildDaysWaitlist), slog.Duration("took", time.Since(start)))
	fmt.Fprintf(e.stdout, "Demo académie loaded: %d hubs, %d households, %d children; %d child-days placed, %d waitlisted.\n",
		len(seed.Hubs), len(seed.Households), children, run.Report.ChildDaysPlaced, run.Report.ChildDaysWaitlist)
	printLogins(e.stdout, logins)
	return nil
}

func printLogins(w io.Writer, logins []demo.Login) {
	fmt.Fprintln(w, "\nDemo logins / comptes de démonstration:")
	for _, l := range logins {
		fmt.Fprintf(w, "  %-11s %-28s %-20s %s\n", l.Role, l.Email, l.Password, l.Description)
	}
	fmt.Fprintln(w)
}
