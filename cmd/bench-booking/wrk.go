package main

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/accueil-prioritaire/accueil/cmd/internal/benchkit"
)

// bookingsLua drives wrk: each request books the next household (its session cookie, CSRF token
// and children) on a day of the second week, with a key of its own.
//
//go:embed bookings.lua
var bookingsLua string

// loadWrk runs the same booking load as load, from wrk (a C client like pgbench, lighter on
// the shared cores than Go's HTTP client).
func loadWrk(base string, hh []benchkit.Household, days []time.Time, clients int, d time.Duration) (result, error) {
	if _, err := exec.LookPath("wrk"); err != nil {
		return result{}, errors.New("wrk not found (apt-get install wrk)")
	}
	dir, err := os.MkdirTemp("", "bench-booking")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	var lines []string
	for _, h := range hh {
		ids := make([]string, len(h.Children))
		for i, c := range h.Children {
			ids[i] = strconv.FormatInt(c, 10)
		}
		lines = append(lines, strings.Join([]string{h.Cookie, h.CSRF, strings.Join(ids, ",")}, "\t"))
	}
	var ds []string
	for _, day := range days {
		ds = append(ds, day.Format(time.DateOnly))
	}
	data := filepath.Join(dir, "households.tsv")
	if err := os.WriteFile(data, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		return result{}, err
	}
	script := filepath.Join(dir, "bookings.lua")
	if err := os.WriteFile(script, []byte(bookingsLua), 0o600); err != nil {
		return result{}, err
	}
	threads := 2
	cmd := exec.Command("wrk", "-t", strconv.Itoa(threads), "-c", strconv.Itoa(clients), "-d", fmt.Sprintf("%ds", int(d.Seconds())),
		"--latency", "-s", script, base+"/api/bookings")
	cmd.Env = append(os.Environ(), "BENCH_HOUSEHOLDS="+data, "BENCH_DAYS="+strings.Join(ds, ","), "BENCH_THREADS="+strconv.Itoa(threads))
	out, err := cmd.CombinedOutput()
	if err != nil {
		return result{}, fmt.Errorf("wrk: %w: %s", err, out)
	}
	text := string(out)
	num := func(re string) (float64, bool) {
		m := regexp.MustCompile(re).FindStringSubmatch(text)
		if m == nil {
			return 0, false
		}
		v, err := strconv.ParseFloat(m[1], 64)
		return v, err == nil
	}
	dur := func(pct string) time.Duration {
		m := regexp.MustCompile(`(?m)^\s+` + pct + `%\s+([0-9.]+)(us|ms|s)\s*$`).FindStringSubmatch(text)
		if m == nil {
			return 0
		}
		v, _ := strconv.ParseFloat(m[1], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[2]]
		return time.Duration(v * float64(unit)).Round(100 * time.Microsecond)
	}
	total, ok := num(`(\d+) requests in`)
	if !ok {
		return result{}, fmt.Errorf("no request count in wrk's output:\n%s", text)
	}
	bad, ok := num(`not created: (\d+)`)
	if !ok {
		return result{}, fmt.Errorf("no count of refused bookings in wrk's output:\n%s", text)
	}
	sockErr := 0.0
	if m := regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`).FindStringSubmatch(text); m != nil {
		for _, s := range m[1:] {
			v, _ := strconv.ParseFloat(s, 64)
			sockErr += v
		}
	}
	if total > float64(len(hh)*len(days)) {
		return result{}, fmt.Errorf("wrk sent %.0f bookings, more than the %d household-days to book: run it shorter", total, len(hh)*len(days))
	}
	done := int(total - bad)
	return result{n: done, errors: int(bad + sockErr), rate: float64(done) / d.Seconds(), p50: dur("50"), p99: dur("99"), took: d}, nil
}
