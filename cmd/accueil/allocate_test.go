package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"runtime/debug"
	"testing"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// A generated week is solved with the collector's limit of an allocation run, and the process's
// own limit is back afterwards (tests and `serve` share the process with the command).
func TestAllocateGeneratedKeepsTheMemoryLimit(t *testing.T) {
	if os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOMEMLIMIT set: the command leaves the limit alone")
	}
	before := debug.SetMemoryLimit(-1)
	var out bytes.Buffer
	err := run(context.Background(), []string{"allocate", "--generate", "academie", "--seed", "1"},
		func(string) string { return "" }, pgtest.Now, nil, &out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if after := debug.SetMemoryLimit(-1); after != before {
		t.Errorf("memory limit after the run %d, want %d as before", after, before)
	}
	var r alloc.Report
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Children != 3500 || r.Violations != 0 || r.ChildDaysPlaced == 0 {
		t.Errorf("report: %d children, %d placed, %d violations", r.Children, r.ChildDaysPlaced, r.Violations)
	}
}
