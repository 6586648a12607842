// Command bench-rush puts the service through the 8 o'clock rush and its faults, on this
// machine's loopback only: two `accueil serve` processes behind HAProxy (deploy/haproxy.cfg)
// over a private PostgreSQL cluster it starts and stops, and prints each figure beside its
// target with PASS or FAIL. `make bench-rush` runs it.
//
// The phases, in order:
//   - overload: the usual booking clients (baseline), then ten times as many together with a
//     flood of anonymous requests (landing page, login page, a static file) from thousands of
//     connections (wrk);
//   - two processes: bookings sent with one key to both processes at once;
//   - database killed: PostgreSQL's postmaster SIGKILLed during a booking run, restarted later;
//     every acknowledged booking is then looked up in the database;
//   - database slowed: the processes reach PostgreSQL through a proxy of this run adding latency;
//   - waiting room: thousands of parents arriving within a minute against a small capacity.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/accueil-prioritaire/accueil/cmd/internal/benchkit"
	"github.com/accueil-prioritaire/accueil/store/pgcluster"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-rush:", err)
		os.Exit(1)
	}
}

// dbName is the run's database on its cluster; it is dropped at the end.
const dbName = "rush"

type options struct {
	pin                      pinning
	bin, haproxyCfg, dataDir string
	clients, rushClients     int
	d                        time.Duration
	floodConns, floodRate    int
	killAfter, down          time.Duration
	slow                     time.Duration
	parents, roomCapacity    int
	arrivals, roomStay       time.Duration
	cross                    int
	phases                   map[string]bool
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	o, err := parseOptions(args)
	if err != nil {
		return err
	}
	raiseFileLimit()
	if err := o.pin.self(); err != nil {
		return err
	}
	for _, tool := range []string{"haproxy", "wrk"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s not found (apt-get install %s)", tool, tool)
		}
	}

	// A cluster of the run's own: it is killed and slowed, so the one `make run` uses is left
	// alone. Full durability (fsync on): the run checks that no acknowledged booking is lost.
	c, err := pgcluster.Locate(o.dataDir, "postgres-rush", pgcluster.Options{})
	if err != nil {
		return err
	}
	if _, err := c.Start(ctx); err != nil {
		return err
	}
	if err := o.pin.postgres(c); err != nil {
		return err
	}
	defer c.Stop(context.WithoutCancel(ctx))
	benchkit.DropDatabase(c, dbName)
	if err := c.EnsureDatabase(ctx, dbName); err != nil {
		return err
	}
	defer benchkit.DropDatabase(c, dbName)
	db, err := sqlx.Open("postgres", c.URL(dbName))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(8)
	demo, err := benchkit.LoadDemo(ctx, db, time.Now().UTC().Truncate(24*time.Hour))
	if err != nil {
		return err
	}
	hh, err := benchkit.Sessions(ctx, demo.Store)
	if err != nil {
		return err
	}
	open := demo.Seed.OpenDays[1:] // today is past its cutoff at some hours: left out
	warm, days := open[0], open[1:]

	runDir := filepath.Join(o.dataDir, "bench-rush")
	_ = os.RemoveAll(runDir)
	if err := os.MkdirAll(filepath.Join(runDir, "data"), 0o700); err != nil {
		return err
	}
	// The households' sessions were signed with the database's key, which the processes read.
	sessionKey, err := demo.Store.SessionKey(ctx)
	if err != nil {
		return err
	}
	f, err := newFarm(o.bin, o.haproxyCfg, runDir, demo.HealthKey.Base64(), base64.StdEncoding.EncodeToString(sessionKey), o.pin)
	if err != nil {
		return err
	}
	defer f.stop()
	if err := f.start(ctx, c.URL(dbName)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "demo académie: %d households; two processes (%s, %s) behind HAProxy (%s); logs in %s\n",
		len(hh), f.serveAddr[0], f.serveAddr[1], f.proxyAddr, runDir)

	b := &booker{hh: hh, retryCap: 3 * time.Second}
	// Warm-up, as bench-booking: every household books the first day, then ANALYZE.
	if r := b.run(ctx, f.base(), "warm", 1, o.clients, []time.Time{warm}, time.Hour, nil); len(r.acks) != len(hh) {
		_, _, failed, first := tally(r.answers)
		return fmt.Errorf("warm-up: %d of %d households booked, %d failures (first: %s)", len(r.acks), len(hh), failed, first)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return err
	}

	rep := &report{w: stdout}
	ph := phases{ctx: ctx, o: o, db: db, c: c, f: f, b: b, rep: rep, warm: warm, days: days}
	steps := []struct {
		name string
		run  func() error
	}{
		{"overload", ph.overload},
		{"processes", ph.processes},
		{"killed", ph.killed},
		{"slowed", ph.slowed},
		{"room", ph.room},
	}
	for _, s := range steps {
		if !o.phases[s.name] {
			continue
		}
		if err := s.run(); err != nil {
			rep.print()
			return fmt.Errorf("%s: %w", s.name, err)
		}
	}
	rep.print()
	if rep.failed > 0 {
		return fmt.Errorf("%d targets not met", rep.failed)
	}
	return nil
}

// raiseFileLimit lets wrk and the clients hold thousands of connections. Setting the limit
// explicitly also keeps Go from restoring the lower one in the processes it starts.
func raiseFileLimit() {
	var l syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l) == nil {
		l.Cur = l.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l)
	}
}

type phases struct {
	ctx      context.Context
	o        options
	db       *sqlx.DB
	c        *pgcluster.Cluster
	f        *farm
	b        *booker
	rep      *report
	warm     time.Time
	days     []time.Time
	baseRate float64
	baseP99  time.Duration
	// The baseline's figures after its first seconds (steadyFrom).
	baseSteadyRate float64
	baseSteadyP99  time.Duration
}

// bookingFigures adds a run's rate, latencies and answers to the report, and its invariants.
func (p *phases) bookingFigures(phase string, r loadResult) error {
	lat := r.admitted()
	byStatus, refused, failed, first := tally(r.answers)
	if err := os.WriteFile(filepath.Join(p.f.runDir, r.name+"-timeline.tsv"), []byte(r.timeline()), 0o600); err != nil {
		return err
	}
	p.rep.add(phase, fmt.Sprintf("bookings, %d clients", r.clients),
		fmt.Sprintf("%d in %v while every client had work: %.0f/s (all: %d in %v); p50 %v, p99 %v", r.busyAcks(), r.busy.Round(100*time.Millisecond), r.rate(),
			len(r.acks), r.elapsed.Round(100*time.Millisecond), percentile(lat, 50), percentile(lat, 99)), "", none)
	p.rep.add(phase, "booking answers", formatStatuses(byStatus), "", none)
	failure := ""
	if failed > 0 {
		failure = " (first: " + first + ")"
	}
	p.rep.add(phase, "booking errors (neither booked nor 503/429 with Retry-After)", fmt.Sprintf("%d of %d; %d refused%s", failed, len(r.answers), refused, failure), "0", verdict(failed == 0))
	over, rows, counted, err := capacityCheck(p.ctx, p.db)
	if err != nil {
		return err
	}
	p.rep.add(phase, "hub-days over capacity; placements vs counters", fmt.Sprintf("%d; %d = %d", over, rows, counted), "0; equal", verdict(over == 0 && rows == counted))
	return nil
}

func (p *phases) baseline() error {
	r := p.b.run(p.ctx, p.f.base(), "base", 1, p.o.clients, p.days, p.o.d, nil)
	lat := r.admitted()
	p.baseRate, p.baseP99 = r.rate(), percentile(lat, 99)
	rate, steady := r.after(steadyFrom)
	p.baseSteadyRate, p.baseSteadyP99 = rate, percentile(steady, 99)
	if err := p.bookingFigures("baseline", r); err != nil {
		return err
	}
	return resetBookings(p.ctx, p.db, p.warm)
}

// steadyFrom is where the overload's report starts its figures of the steady run: in the run of
// 2026-12-06 08:27 the first three seconds ran at 64 % of the baseline's rate and held its p99.
const steadyFrom = 3 * time.Second

func (p *phases) overload() error {
	if err := p.baseline(); err != nil {
		return err
	}
	asset, err := staticAsset(p.f.base())
	if err != nil {
		return err
	}
	paths := []string{"/", roomEntry, asset}
	// -flood-conns 0 runs the clients alone, to tell what the flood costs from what they do.
	wait := func() (floodResult, error) { return floodResult{counts: map[string]int{}}, nil }
	if p.o.floodConns > 0 {
		if wait, err = startFlood(p.ctx, p.o.pin, p.f.runDir, p.f.base(), paths, p.o.floodConns, p.o.floodRate, p.o.d); err != nil {
			return err
		}
	}
	start := time.Now()
	r := p.b.run(p.ctx, p.f.base(), "rush", 1, p.o.rushClients, p.days, p.o.d, nil)
	flood, err := wait()
	if err != nil {
		return err
	}
	rss := p.f.peakRSS()
	if err := p.bookingFigures("overload", r); err != nil {
		return err
	}
	lat := r.admitted()
	p.rep.add("overload", "bookings/s vs baseline", fmt.Sprintf("%.0f/s = %.0f %% of %.0f/s", r.rate(), 100*r.rate()/p.baseRate, p.baseRate), "≥ 90 %", verdict(r.rate() >= 0.9*p.baseRate))
	p.rep.add("overload", "p99 of admitted bookings vs baseline", fmt.Sprintf("%v vs %v", percentile(lat, 99), p.baseP99), "< 2 × baseline", verdict(len(lat) > 0 && percentile(lat, 99) < 2*p.baseP99))
	// Where the loss is: the start, or the whole run (figures only, no target).
	if rate, steady := r.after(steadyFrom); len(steady) > 0 && p.baseSteadyRate > 0 {
		p.rep.add("overload", fmt.Sprintf("after the first %v, both runs", steadyFrom),
			fmt.Sprintf("%.0f/s = %.0f %% of %.0f/s; p99 %v vs %v", rate, 100*rate/p.baseSteadyRate, p.baseSteadyRate, percentile(steady, 99), p.baseSteadyP99), "", none)
	}
	p.rep.add("overload", fmt.Sprintf("anonymous flood, %d connections (%s)", p.o.floodConns, strings.Join(paths, " ")),
		fmt.Sprintf("%d requests, %.0f/s, p99 %v; 2xx %d, 3xx %d, 429 %d, 503 %d, other %d", flood.requests, flood.rate, flood.p99,
			flood.counts["2xx"], flood.counts["3xx"], flood.counts["429"], flood.counts["503"], flood.counts["other"]), "", none)
	p.rep.add("overload", "flood errors (other statuses, refusals without Retry-After, socket errors)",
		fmt.Sprintf("%d (other %d, no Retry-After %d, sockets: %s)", flood.failures(), flood.counts["other"], flood.noRetryAfter, orNone(flood.socketErrors)), "0", verdict(flood.failures() == 0))
	const gib = 1 << 30
	p.rep.add("overload", "peak memory (VmHWM) of each process", fmt.Sprintf("%d MiB, %d MiB", rss[0]>>20, rss[1]>>20), "< 1024 MiB", verdict(rss[0] > 0 && rss[0] < gib && rss[1] > 0 && rss[1] < gib))
	// A family's e-mails wait MAIL_GROUP_WINDOW (10 s) after the first, and the deliverers give
	// way to the bookings: the last ones go some 10 s after the run at best.
	queued, sentAtEnd, took, drained, err := outboxDrain(p.ctx, p.db, start, time.Minute)
	if err != nil {
		return err
	}
	p.rep.add("overload", "e-mails of the run: queued; sent when it ended; all sent after",
		fmt.Sprintf("%d; %d; %s", queued, sentAtEnd, map[bool]string{true: took.Round(100 * time.Millisecond).String(), false: "still waiting at " + took.Round(time.Second).String()}[drained]),
		"all within 1 min", verdict(drained))
	return resetBookings(p.ctx, p.db, p.warm)
}

// processes checks that one key sent to both processes at once books once.
func (p *phases) processes() error {
	good, example, err := crossProcessCheck(p.ctx, p.db, p.b, p.f, p.days[len(p.days)-1], p.o.cross)
	if err != nil {
		return err
	}
	p.rep.add("two processes", "one key sent to both at once: one 201, one identical 200 replay, one booking",
		fmt.Sprintf("%d of %d%s", good, p.o.cross, orExample(example)), "all", verdict(good == p.o.cross))
	over, rows, counted, err := capacityCheck(p.ctx, p.db)
	if err != nil {
		return err
	}
	p.rep.add("two processes", "hub-days over capacity; placements vs counters", fmt.Sprintf("%d; %d = %d", over, rows, counted), "0; equal", verdict(over == 0 && rows == counted))
	return resetBookings(p.ctx, p.db, p.warm)
}

func (p *phases) killed() error {
	length := p.o.killAfter + p.o.down + 10*time.Second
	var killAt, startAt, readyAt time.Duration
	var runErr error
	var leftover int
	r := p.b.run(p.ctx, p.f.base(), "kill", 1, p.o.clients, p.days, length, func(start time.Time) {
		time.Sleep(time.Until(start.Add(p.o.killAfter)))
		_, children, err := killPostmaster(p.c)
		killAt = time.Since(start)
		if err != nil {
			runErr = fmt.Errorf("killing PostgreSQL: %w", err)
			return
		}
		leftover = waitGone(children, p.o.down)
		time.Sleep(time.Until(start.Add(killAt + p.o.down)))
		startAt = time.Since(start)
		// pg_ctl start -w: it returns once the server, recovered from its WAL, takes connections.
		if _, err := p.c.Start(p.ctx); err != nil {
			runErr = fmt.Errorf("restarting PostgreSQL: %w", err)
		} else if err := p.o.pin.postgres(p.c); err != nil {
			runErr = err
		}
		readyAt = time.Since(start)
	})
	if runErr != nil {
		return runErr
	}
	if err := p.bookingFigures("database killed", r); err != nil {
		return err
	}
	p.rep.add("database killed", "postmaster SIGKILLed; restarted; recovered and taking connections (times into the run)",
		fmt.Sprintf("%v; %v; %v (%d processes of the old server still there at the restart, killed)", killAt.Round(time.Millisecond),
			startAt.Round(time.Millisecond), readyAt.Round(time.Millisecond), leftover), "", none)
	var during []answer
	var slowest time.Duration
	lastBad, firstGood := time.Duration(-1), time.Duration(-1)
	for _, a := range r.answers {
		switch {
		case a.sent >= killAt && a.sent < readyAt:
			during = append(during, a)
			slowest = max(slowest, a.got-a.sent)
		case a.sent >= readyAt && !a.ok():
			lastBad = max(lastBad, a.got)
		case a.sent >= readyAt && (firstGood < 0 || a.got < firstGood):
			firstGood = a.got
		}
	}
	// A booking may still succeed after the kill: a backend notices its postmaster's death only
	// at its next wait, and what it committed meanwhile is durable (the ledger check says so).
	byStatus, _, failed, _ := tally(during)
	p.rep.add("database killed", "answers to requests sent while it was down", fmt.Sprintf("%d: %s", len(during), formatStatuses(byStatus)),
		"503 with Retry-After (or booked)", verdict(len(during) > 0 && failed == 0))
	p.rep.add("database killed", "slowest of those answers", slowest.Round(time.Millisecond).String(), "≤ 1 s", verdict(len(during) > 0 && slowest <= time.Second))
	switch {
	case firstGood < 0:
		p.rep.add("database killed", "full service after PostgreSQL is back", "never (no booking after the restart)", "≤ 5 s", verdict(false))
	default:
		back := max(lastBad-readyAt, 0)
		p.rep.add("database killed", "full service after PostgreSQL is back (last failed answer)", back.Round(time.Millisecond).String(), "≤ 5 s", verdict(back <= 5*time.Second))
	}
	lost, example, err := ledgerCheck(p.ctx, p.db, p.b, r.acks)
	if err != nil {
		return err
	}
	p.rep.add("database killed", "acknowledged bookings missing from the database (ledger, row by row)",
		fmt.Sprintf("%d of %d%s", lost, len(r.acks), orExample(example)), "0", verdict(lost == 0))
	// The keys asked more than once, and a sample of the others, are asked once more.
	var again []ack
	retried := 0
	for i, a := range r.acks {
		if a.attempts > 1 {
			again = append(again, a)
			retried++
		} else if i%max(1, len(r.acks)/200) == 0 {
			again = append(again, a)
		}
	}
	sent, wrong, example, err := replayCheck(p.ctx, p.db, p.b, p.f.base(), again)
	if err != nil {
		return err
	}
	p.rep.add("database killed", "keys asked again (all retried ones + a sample): same answer, no new booking",
		fmt.Sprintf("%d wrong of %d (%d keys were retried during the run)%s", wrong, sent, retried, orExample(example)), "0", verdict(wrong == 0))
	return resetBookings(p.ctx, p.db, p.warm)
}

func (p *phases) slowed() error {
	proxy, err := startSlowProxy(p.c.Socket, p.o.slow)
	if err != nil {
		return err
	}
	defer proxy.close()
	rtt, err := roundTrip(p.ctx, proxy.url(dbName))
	if err != nil {
		return err
	}
	p.f.stop()
	if err := p.f.start(p.ctx, proxy.url(dbName)); err != nil {
		return err
	}
	r := p.b.run(p.ctx, p.f.base(), "slow", 1, p.o.rushClients, p.days, p.o.d, nil)
	phase := fmt.Sprintf("database slowed (+%v)", p.o.slow)
	if err := p.bookingFigures(phase, r); err != nil {
		return err
	}
	byStatus, _, _, _ := tally(r.answers)
	p.rep.add(phase, "bookings shed (503)", fmt.Sprint(byStatus["503"]), "", none)
	p.rep.add(phase, "a SELECT 1 through the proxy (median of 5, before the run)", rtt.String(), "", none)
	p.f.stop()
	if err := resetBookings(p.ctx, p.db, p.warm); err != nil {
		return err
	}
	return p.f.start(p.ctx, p.c.URL(dbName))
}

func (p *phases) room() error {
	p.f.stop()
	key := make([]byte, 32)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return err
	}
	if err := p.f.start(p.ctx, p.c.URL(dbName), fmt.Sprintf("WAITING_ROOM_CAPACITY=%d", p.o.roomCapacity),
		"WAITING_ROOM_STAY="+p.o.roomStay.String(), fmt.Sprintf("WAITING_ROOM_KEY=%x", key)); err != nil {
		return err
	}
	// Long enough for everyone to be let in at the room's pace, and a margin.
	drain := time.Duration(p.o.parents/max(1, p.o.roomCapacity)) * (p.o.roomStay + roomWork)
	r, err := roomRun(p.ctx, p.f.base(), p.o.parents, p.o.arrivals, p.o.roomStay, max(p.o.arrivals, drain)+30*time.Second)
	if err != nil {
		return err
	}
	phase := fmt.Sprintf("waiting room (%d parents, capacity %d, stay %v)", p.o.parents, p.o.roomCapacity, p.o.roomStay)
	if !r.available {
		p.rep.add(phase, "waiting room", r.summary(), "", verdict(false))
		return nil
	}
	p.rep.add(phase, "parents", r.summary(), "", none)
	atOnce, limit, ok := r.atOnce(p.o.roomCapacity)
	p.rep.add(phase, "let in at once, before the door closed", atOnce, limit, verdict(ok))
	byStatus, _, failed, first := tally(r.answers)
	p.rep.add(phase, "answers", formatStatuses(byStatus), "", none)
	p.rep.add(phase, "errors (neither served nor 503/429 with Retry-After)", fmt.Sprintf("%d%s", failed, orExample(first)), "0", verdict(failed == 0))
	p.rep.add(phase, "parents never let in", fmt.Sprint(r.lost), "0", verdict(r.lost == 0))
	p.rep.add(phase, "parents overtaken by a later arrival", fmt.Sprintf("%d%s", r.overtaken, orExample(r.example)), "0", verdict(r.overtaken == 0))
	p.rep.add(phase, "tickets held by two parents", fmt.Sprint(r.duplicates), "0", verdict(r.duplicates == 0))
	p.rep.add(phase, "parents with a ticket never told a position", fmt.Sprint(r.untold), "0", verdict(r.untold == 0))
	p.rep.add(phase, "admitted parents refused the login page after", fmt.Sprint(r.turnedBack), "0", verdict(r.turnedBack == 0))
	return nil
}

// roundTrip is the median time of a SELECT 1 on url, the connection already open.
func roundTrip(ctx context.Context, url string) (time.Duration, error) {
	db, err := sqlx.Open("postgres", url)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var took []time.Duration
	for range 5 {
		start := time.Now()
		if _, err := conn.ExecContext(ctx, `SELECT 1`); err != nil {
			return 0, err
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	return took[2].Round(100 * time.Microsecond), nil
}

// staticAsset is the path of the site's stylesheet, read from the landing page.
func staticAsset(base string) (string, error) {
	res, err := http.Get(base + "/")
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	m := regexp.MustCompile(`href="(/[^"]*app\.css)"`).FindSubmatch(body)
	if m == nil {
		return "", errors.New("no stylesheet on the landing page")
	}
	return string(m[1]), nil
}
