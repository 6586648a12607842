package main

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

//go:embed flood.lua
var floodLua string

// floodResult is what wrk saw of the anonymous flood.
type floodResult struct {
	requests     int
	rate         float64
	counts       map[string]int // 2xx, 3xx, 429, 503, other
	noRetryAfter int            // 429 or 503 without Retry-After
	socketErrors string         // wrk's connect, read, write and timeout errors, if any
	p99          time.Duration
}

// failures are the answers that are neither served nor a promised refusal.
func (f floodResult) failures() int {
	n := f.counts["other"] + f.noRetryAfter
	if f.socketErrors != "" {
		for _, s := range regexp.MustCompile(`\d+`).FindAllString(f.socketErrors, -1) {
			v, _ := strconv.Atoi(s)
			n += v
		}
	}
	return n
}

// startFlood runs wrk with conns connections asking for paths at rate requests a second in
// all, for d; wait returns what it saw.
func startFlood(ctx context.Context, pin pinning, runDir, base string, paths []string, conns, rate int, d time.Duration) (wait func() (floodResult, error), err error) {
	script := filepath.Join(runDir, "flood.lua")
	if err := os.WriteFile(script, []byte(floodLua), 0o600); err != nil {
		return nil, err
	}
	pause := max(1, conns*1000/max(1, rate))
	cmd := pin.command(ctx, true, "wrk", "-t", "2", "-c", strconv.Itoa(conns), "-d", fmt.Sprintf("%ds", int(d.Seconds())),
		"--timeout", "10s", "--latency", "-s", script, base)
	cmd.Env = append(os.Environ(), "FLOOD_PATHS="+strings.Join(paths, ","), "FLOOD_DELAY_MS="+strconv.Itoa(pause))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("wrk: %w", err)
	}
	return func() (floodResult, error) {
		if err := cmd.Wait(); err != nil {
			return floodResult{}, fmt.Errorf("wrk: %w: %s", err, out.String())
		}
		return parseFlood(out.String())
	}, nil
}

func parseFlood(text string) (floodResult, error) {
	r := floodResult{counts: map[string]int{}}
	m := regexp.MustCompile(`(\d+) requests in ([0-9.]+)(m|s)`).FindStringSubmatch(text)
	if m == nil {
		return r, fmt.Errorf("no request count in wrk's output:\n%s", text)
	}
	r.requests, _ = strconv.Atoi(m[1])
	secs, _ := strconv.ParseFloat(m[2], 64)
	if m[3] == "m" {
		secs *= 60
	}
	r.rate = float64(r.requests) / secs
	for _, m := range regexp.MustCompile(`(?m)^flood n_(\w+) (\d+)$`).FindAllStringSubmatch(text, -1) {
		v, _ := strconv.Atoi(m[2])
		if m[1] == "no_retry_after" {
			r.noRetryAfter = v
		} else {
			r.counts[m[1]] = v
		}
	}
	if m := regexp.MustCompile(`Socket errors: (.*)`).FindStringSubmatch(text); m != nil {
		r.socketErrors = strings.TrimSpace(m[1])
	}
	if m := regexp.MustCompile(`(?m)^\s+99%\s+([0-9.]+)(us|ms|s)\s*$`).FindStringSubmatch(text); m != nil {
		v, _ := strconv.ParseFloat(m[1], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[2]]
		r.p99 = time.Duration(v * float64(unit)).Round(100 * time.Microsecond)
	}
	return r, nil
}
