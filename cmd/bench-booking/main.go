// Command bench-booking measures the full booking endpoint (session, idempotency key,
// allocation, placement, outbox) on the demo académie, with many distinct households, next to
// this machine's pgbench TPC-B figure as the yardstick. `make bench-booking` runs it.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/cmd/internal/benchkit"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgcluster"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "bench-booking:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	clients := flag.Int("c", 64, "concurrent clients")
	duration := flag.Duration("d", 20*time.Second, "length of each run")
	dataDir := flag.String("data", ".data", "DATA_DIR of the private PostgreSQL cluster")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the booking run here")
	batch := flag.Int("batch", api.DefaultConfig().BookingBatch, "most bookings in one transaction")
	skipPgbench := flag.Bool("skip-pgbench", false, "skip the pgbench yardstick (quick runs while tuning)")
	client := flag.String("client", "go", "load generator: wrk (C, like pgbench) or go (Go's HTTP client, in this process)")
	capacity := flag.Float64("capacity", 1, "every hub's capacity times this (0.5: seats run out and families are waitlisted, as in a crisis)")
	flag.Parse()

	c, name, done, err := benchkit.ScratchDatabase(ctx, *dataDir, "bench")
	if err != nil {
		return err
	}
	defer done()
	db, err := sqlx.Open("postgres", c.URL(name))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(64)
	db.SetMaxIdleConns(64)
	bench, err := benchkit.LoadDemo(ctx, db, time.Now().UTC().Truncate(24*time.Hour))
	if err != nil {
		return err
	}
	st, seed := bench.Store, bench.Seed
	// The households book from scratch (LoadDemo removed the demo's requests): every booking
	// allocates. Today is left out (past its cutoff, a day books differently); the nine other
	// open days fill up as the run goes, the households' demand being about the académie's seats.
	if *capacity != 1 {
		if _, err := db.Exec(`UPDATE hub_day_capacity SET capacity = floor(capacity * $1::float8)`, *capacity); err != nil {
			return err
		}
	}
	open := seed.OpenDays[1:]
	fmt.Printf("demo académie: %d hubs, %d households; booking the days %s to %s\n", len(seed.Hubs), len(seed.Households),
		open[0].Format(time.DateOnly), open[len(open)-1].Format(time.DateOnly))

	households, err := benchkit.Sessions(ctx, st)
	if err != nil {
		return err
	}
	api.TuneGC(os.Getenv) // as `accueil serve` does
	cfg := api.DefaultConfig()
	cfg.BookingBatch = *batch
	// Every client books from 127.0.0.1, each household about once a second: far above the
	// limits of one address and one account, which a real family never nears. They are raised
	// out of reach, not turned off, so that the run still pays for counting every request.
	unreachable := store.Rate{Max: 1 << 30, Window: time.Minute}
	cfg.Limits.Booking = api.RatePair{Address: unreachable, Account: unreachable}
	cfg.Limits.API = api.RatePair{Address: unreachable, Account: unreachable}
	// The clients keep no cookie but their session's, so each request meets the waiting room as
	// a new visitor: at thousands a second they would open it, as a real rush does (bench-rush
	// measures that). Its capacity is raised out of reach in the same way: the run still pays
	// for a ticket per request, and measures the booking path.
	cfg.WaitingRoom.Capacity = 1 << 30
	app, err := api.New(cfg, st, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go app.Listener(ln)
	defer app.Shutdown()
	base := "http://" + ln.Addr().String()

	tps := 0.0
	if !*skipPgbench {
		quiet(db)
		if tps, err = pgbench(ctx, c, *clients, *duration); err != nil {
			return err
		}
		fmt.Printf("pgbench TPC-B, %d clients, %v: %.0f TPS\n", *clients, *duration, tps)
	}

	// Warm-up: the first of those days booked by every household, then ANALYZE. The run then
	// measures a service that has been booking for a while (tables of some size, statistics
	// about them), as pgbench measures tables it loaded and analyzed.
	warm, days := open[:1], open[1:]
	if res, err := load(ctx, base, "warm", households, warm, *clients, time.Hour); err != nil {
		return err
	} else if res.errors > 0 {
		return fmt.Errorf("warm-up: %d bookings failed", res.errors)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		return err
	}
	fmt.Printf("warm-up: %s booked by every household; measured: %s to %s\n", warm[0].Format(time.DateOnly),
		days[0].Format(time.DateOnly), days[len(days)-1].Format(time.DateOnly))

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	quiet(db)
	before := sampleCPU()
	var res result
	switch *client {
	case "wrk":
		res, err = loadWrk(base, households, days, *clients, *duration)
	case "go":
		res, err = load(ctx, base, "bench", households, days, *clients, *duration)
	default:
		err = fmt.Errorf("unknown -client %q", *client)
	}
	pprof.StopCPUProfile()
	used := sampleCPU().since(before)
	if err != nil {
		return err
	}
	fmt.Printf("bookings (%s), %d clients, %v: %d done, %.0f bookings/s, p50 %v, p99 %v, errors %d\n",
		*client, *clients, res.took.Round(100*time.Millisecond), res.n, res.rate, res.p50, res.p99, res.errors)
	fmt.Printf("CPU during the run: machine %.2f of %d cores busy, of which this process (server%s) %.2f\n",
		used.busy, runtime.NumCPU(), map[bool]string{true: " and clients"}[*client == "go"], used.self)
	if tps > 0 {
		fmt.Printf("ratio bookings/s : TPC-B TPS = %.2f\n", res.rate/tps)
	}
	var over int
	if err := db.Get(&over, `SELECT count(*) FROM hub_day_capacity WHERE placed > capacity`); err != nil {
		return err
	}
	// One statement, one snapshot: wrk leaves when its time is up, while the last batch may still
	// be committing.
	var inv struct {
		Rows    int `db:"rows"`
		Counted int `db:"counted"`
		Waiting int `db:"waiting"`
	}
	if err := db.Get(&inv, `SELECT (SELECT count(*) FROM placement) AS rows, (SELECT sum(placed) FROM hub_day_capacity) AS counted,
		(SELECT count(*) FROM waitlist_entry) AS waiting`); err != nil {
		return err
	}
	fmt.Printf("invariants: %d hub-days over capacity, %d placements = %d counted; %d child-days waitlisted\n", over, inv.Rows, inv.Counted, inv.Waiting)
	if over > 0 || inv.Rows != inv.Counted {
		return errors.New("an invariant does not hold")
	}
	return nil
}

func pgbench(ctx context.Context, c *pgcluster.Cluster, clients int, d time.Duration) (float64, error) {
	bin := ""
	if dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pgbench"); len(dirs) > 0 {
		slices.Sort(dirs)
		bin = dirs[len(dirs)-1]
	} else if p, err := exec.LookPath("pgbench"); err == nil {
		bin = p
	} else {
		return 0, errors.New("pgbench not found (apt-get install postgresql)")
	}
	name := fmt.Sprintf("pgbench_%d", time.Now().Unix())
	if err := c.EnsureDatabase(ctx, name); err != nil {
		return 0, err
	}
	defer benchkit.DropDatabase(c, name)
	url := c.URL(name)
	if out, err := exec.CommandContext(ctx, bin, "-i", "-q", "-s", "10", url).CombinedOutput(); err != nil {
		return 0, fmt.Errorf("pgbench -i: %w: %s", err, out)
	}
	out, err := exec.CommandContext(ctx, bin, "-c", fmt.Sprint(clients), "-j", "2", "-T", fmt.Sprint(int(d.Seconds())), url).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("pgbench: %w: %s", err, out)
	}
	m := regexp.MustCompile(`tps = ([0-9.]+)`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no tps in %s", out)
	}
	var tps float64
	fmt.Sscan(string(m[1]), &tps)
	return tps, nil
}

type result struct {
	n, childDays, errors int
	rate                 float64
	p50, p99             time.Duration
	took                 time.Duration
}

// load has clients workers book for distinct households in turn (keys keyPrefix-N), each on a day of the second
// week it has not booked yet, for d or until every household has booked every day (a booking
// asked again would be answered without allocating, and flatter the figure).
func load(ctx context.Context, base, keyPrefix string, hh []benchkit.Household, days []time.Time, clients int, d time.Duration) (result, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}, Timeout: 10 * time.Second}
	var next, childDays, failures atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	start := time.Now()
	deadline := start.Add(d)
	pool := int64(len(hh) * len(days))
	var wg sync.WaitGroup
	var firstErr atomic.Value
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				i := next.Add(1) - 1
				if i >= pool {
					break
				}
				h := hh[int(i)%len(hh)]
				day := days[(int(i)/len(hh))%len(days)]
				ids := make([]string, len(h.Children))
				for k, c := range h.Children {
					ids[k] = fmt.Sprint(c)
				}
				body := fmt.Sprintf(`{"child_ids":[%s],"days":["%s"],"location":"home","arrive_at":"08:00","depart_at":"17:30"}`,
					strings.Join(ids, ","), day.Format(time.DateOnly))
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/bookings", bytes.NewBufferString(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Accept", "application/json")
				req.Header.Set("Cookie", h.Cookie)
				req.Header.Set("X-CSRF-Token", h.CSRF)
				req.Header.Set("Idempotency-Key", fmt.Sprintf("%s-%08d", keyPrefix, i))
				start := time.Now()
				res, err := client.Do(req)
				took := time.Since(start)
				if err != nil {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusCreated {
					failures.Add(1)
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s", res.StatusCode, b))
					continue
				}
				childDays.Add(int64(len(h.Children)))
				mine = append(mine, took)
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if e := firstErr.Load(); e != nil {
		fmt.Println("first error:", e)
	}
	slices.Sort(lat)
	r := result{n: len(lat), childDays: int(childDays.Load()), errors: int(failures.Load()), rate: float64(len(lat)) / elapsed.Seconds(), took: elapsed}
	if len(lat) > 0 {
		r.p50 = lat[len(lat)/2].Round(100 * time.Microsecond)
		r.p99 = lat[len(lat)*99/100].Round(100 * time.Microsecond)
	}
	return r, nil
}

// quiet starts a run from the same state as the other: the data loaded (or pgbench's tables)
// written out by a checkpoint, so that neither run pays for the other's writes.
func quiet(db *sqlx.DB) {
	if _, err := db.Exec(`CHECKPOINT`); err != nil {
		fmt.Println("checkpoint:", err)
	}
}

// cpuSample is the machine's busy and idle time (from /proc/stat) and this process's CPU time.
type cpuSample struct {
	at               time.Time
	busy, idle, self time.Duration
}

type cpuUse struct{ busy, self float64 } // in cores

func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now()}
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.self = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return s
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line)
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	for i, f := range fields[1:] {
		var v int64
		fmt.Sscan(f, &v)
		if i == 3 || i == 4 { // idle, iowait
			s.idle += time.Duration(v) * tick
		} else if i < 8 { // user nice system idle iowait irq softirq steal
			s.busy += time.Duration(v) * tick
		}
	}
	return s
}

func (s cpuSample) since(b cpuSample) cpuUse {
	wall := s.at.Sub(b.at).Seconds()
	return cpuUse{busy: (s.busy - b.busy).Seconds() / wall, self: (s.self - b.self).Seconds() / wall}
}
