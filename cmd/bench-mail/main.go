// Command bench-mail measures the outbox's delivery to a local SMTP server started by the run
// (mailer/mailsink, on loopback): e-mails/s through a backlog, then the queue's peak and the time
// to drain while e-mails are queued as fast as the booking load run books, then the same with
// the SMTP server killed for a while. Several deliverers (each its own pool, as separate
// processes would be) share the outbox; every e-mail must arrive once. `make bench-mail` runs it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/cmd/internal/benchkit"
	"github.com/accueil-prioritaire/accueil/mailer"
	"github.com/accueil-prioritaire/accueil/mailer/mailsink"
	"github.com/accueil-prioritaire/accueil/migrations"
	"github.com/accueil-prioritaire/accueil/store"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "bench-mail:", err)
		os.Exit(1)
	}
}

type options struct {
	procs, conns, batch int
	backlog             int
	rate                int
	rushFor             time.Duration
	families            int
	window              time.Duration
	killAt, killFor     time.Duration
	drainLimit          time.Duration
}

func run(ctx context.Context) error {
	var o options
	dataDir := flag.String("data", ".data", "DATA_DIR of the private PostgreSQL cluster")
	flag.IntVar(&o.procs, "procs", 2, "deliverers sharing the outbox, each with its own database pool (as processes)")
	flag.IntVar(&o.conns, "conns", 4, "SMTP connections per deliverer (SMTP_CONNS)")
	flag.IntVar(&o.batch, "batch", 200, "messages claimed at a time")
	flag.IntVar(&o.backlog, "backlog", 20000, "e-mails waiting when the deliverers start (first run), each to its own family")
	flag.IntVar(&o.rate, "rate", 2000, "e-mails queued per second during the rush (the booking load run books about 2,000/s)")
	flag.DurationVar(&o.rushFor, "rush", 20*time.Second, "length of the rush")
	flag.IntVar(&o.families, "families", 2600, "families booking during the rush (the demo académie's households)")
	flag.DurationVar(&o.window, "window", store.DefaultOutboxPolicy().GroupWindow, "MAIL_GROUP_WINDOW")
	flag.DurationVar(&o.killAt, "kill-at", time.Second, "the SMTP server dies this long after e-mails start to be due (in the rush: after the window)")
	flag.DurationVar(&o.killFor, "kill-for", 10*time.Second, "and comes back after this long")
	flag.DurationVar(&o.drainLimit, "drain-limit", 90*time.Second, "give up a run whose queue is not empty this long after the last e-mail is queued")
	flag.Parse()

	c, name, done, err := benchkit.ScratchDatabase(ctx, *dataDir, "bench_mail")
	if err != nil {
		return err
	}
	defer done()
	var stores []*store.Store
	for range o.procs + 1 { // the deliverers', and the queue's (the booking side)
		db, err := sqlx.Open("postgres", c.URL(name))
		if err != nil {
			return err
		}
		defer db.Close()
		db.SetMaxOpenConns(8)
		stores = append(stores, store.New(db))
	}
	ms, err := store.ReadMigrations(migrations.FS)
	if err != nil {
		return err
	}
	if _, err := store.Migrate(ctx, stores[0].DB(), ms); err != nil {
		return err
	}
	sink, err := mailsink.Start("127.0.0.1:0", mailsink.Options{})
	if err != nil {
		return err
	}
	defer sink.Stop()
	b := &bench{o: o, queue: stores[0], deliverers: stores[1:], sink: sink}

	fmt.Printf("%d deliverers × %d SMTP connections, batches of %d, group window %v; SMTP sink on %s\n",
		o.procs, o.conns, o.batch, o.window, sink.Addr())
	var failed error
	for _, r := range []struct {
		name string
		run  func(context.Context) (result, error)
	}{
		{fmt.Sprintf("backlog of %d e-mails, one per family", o.backlog), func(ctx context.Context) (result, error) { return b.backlogRun(ctx, false) }},
		{fmt.Sprintf("backlog, SMTP server killed %v in for %v", o.killAt, o.killFor), func(ctx context.Context) (result, error) { return b.backlogRun(ctx, true) }},
		{fmt.Sprintf("rush: %d e-mails/s for %v, %d families", o.rate, o.rushFor, o.families), func(ctx context.Context) (result, error) { return b.rushRun(ctx, false) }},
		{fmt.Sprintf("rush, SMTP server killed %v in for %v", o.window+o.killAt, o.killFor), func(ctx context.Context) (result, error) { return b.rushRun(ctx, true) }},
	} {
		res, err := r.run(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		fmt.Printf("%s:\n  %s\n", r.name, res)
		if res.problem != "" {
			failed = errors.Join(failed, fmt.Errorf("%s: %s", r.name, res.problem))
		}
	}
	return failed
}

type bench struct {
	o          options
	queue      *store.Store
	deliverers []*store.Store
	sink       *mailsink.Sink
	mu         sync.Mutex
	resume     *time.Timer // brings the killed sink back
}

type result struct {
	queued, emailsSent, messages  int
	took, drain                   time.Duration
	peak                          int
	oldestPeak                    time.Duration
	duplicates, pending, setAside int
	problem                       string
}

func (r result) String() string {
	s := fmt.Sprintf("%d e-mails queued, %d sent as %d messages", r.queued, r.emailsSent, r.messages)
	if r.took > 0 {
		s += fmt.Sprintf("; %.0f e-mails/s over %v", float64(r.emailsSent)/r.took.Seconds(), r.took.Round(10*time.Millisecond))
	}
	s += fmt.Sprintf("; queue peak %d (oldest waited up to %v); drained %v after the last e-mail was queued; %d duplicates, %d still queued, %d set aside",
		r.peak, r.oldestPeak.Round(100*time.Millisecond), r.drain.Round(10*time.Millisecond), r.duplicates, r.pending, r.setAside)
	if r.problem != "" {
		s += "\n  PROBLEM: " + r.problem
	}
	return s
}

// start runs the deliverers until the returned stop is called, and kills the SMTP sink
// killAfter later when kill is set. t0 is when they started.
func (b *bench) start(ctx context.Context, kill bool, killAfter time.Duration) (stop func(), t0 time.Time, err error) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	p := store.DefaultOutboxPolicy()
	p.GroupWindow = b.o.window
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	for _, st := range b.deliverers {
		send, err := mailer.New("smtp://"+b.sink.Addr()+"?from=bench@accueil.invalid", b.o.conns, 30*time.Second, quiet)
		if err != nil {
			cancel()
			return nil, t0, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			mailer.NewDeliverer(st, send, p, b.o.batch, quiet).Run(ctx, 100*time.Millisecond)
		}()
	}
	var killing *time.Timer
	if kill {
		killing = b.kill(killAfter)
	}
	return func() {
		cancel()
		wg.Wait()
		if killing != nil {
			// A run that ended before the sink died or came back leaves it running.
			killing.Stop()
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.resume != nil {
				b.resume.Stop()
			}
			if err := b.sink.Resume(); err != nil {
				fmt.Println("sink resume:", err)
			}
		}
	}, time.Now(), nil
}

// reset empties the outbox and the sink's count between runs.
func (b *bench) reset(ctx context.Context) (sinkBefore [2]int, err error) {
	_, err = b.queue.DB().ExecContext(ctx, `TRUNCATE outbox_email`)
	sinkBefore[0], sinkBefore[1] = b.sink.Count()
	return sinkBefore, err
}

// queueEmails queues n booking e-mails in one statement, as a booking batch does, e-mail i to
// family (first+i) mod families.
func (b *bench) queueEmails(ctx context.Context, first, n, families int) error {
	to := make([]string, n)
	bodies := make([]string, n)
	for i := range n {
		f := (first + i) % families
		to[i] = fmt.Sprintf("famille%d@bench.invalid", f)
		day := fmt.Sprintf("%02d/12/2026", 1+(first+i)/families%28)
		bodies[i] = fmt.Sprintf("Bonjour,\n\n- Enfant %d, le %s : place proposée à École %d, 1 rue de l'École (08:30–16:30).\n\nRetrouvez vos réservations dans « Mes réservations ».\n\n---\n\nHello,\n\n- Enfant %d, on %s: seat proposed at École %d, 1 rue de l'École (08:30–16:30).\n\nSee your bookings under “My bookings”.\n",
			f, day, f%395, f, day, f%395)
	}
	_, err := b.queue.DB().ExecContext(ctx, `
		INSERT INTO outbox_email (to_address, subject, body_text, created_at, next_attempt_at, kind)
		SELECT f.t, 'Accueil prioritaire : votre réservation / your booking', f.b, now(), now(), 'booking'
		FROM unnest($1::text[], $2::text[]) AS f(t, b)`, pq.Array(to), pq.Array(bodies))
	return err
}

// backlogRun: the outbox holds a backlog (one e-mail per family, no grouping), the deliverers
// start and empty it.
func (b *bench) backlogRun(ctx context.Context, kill bool) (result, error) {
	before, err := b.reset(ctx)
	if err != nil {
		return result{}, err
	}
	for i := 0; i < b.o.backlog; i += 1000 {
		if err := b.queueEmails(ctx, i, min(1000, b.o.backlog-i), b.o.backlog); err != nil {
			return result{}, err
		}
	}
	// Every e-mail is past the window: they are all due at once.
	if _, err := b.queue.DB().ExecContext(ctx, `UPDATE outbox_email SET created_at = created_at - $1::interval, next_attempt_at = next_attempt_at - $1::interval`,
		fmt.Sprintf("%d milliseconds", b.o.window.Milliseconds())); err != nil {
		return result{}, err
	}
	if _, err := b.queue.DB().ExecContext(ctx, `VACUUM ANALYZE outbox_email`); err != nil {
		return result{}, err
	}
	stop, t0, err := b.start(ctx, kill, b.o.killAt)
	if err != nil {
		return result{}, err
	}
	defer stop()
	r := result{queued: b.o.backlog}
	err = b.watch(ctx, t0, &r)
	r.took = r.drain
	return b.finish(ctx, r, before, err)
}

// rushRun: e-mails are queued at the rush's rate while the deliverers run; the SMTP server is
// killed for a while when kill is set.
func (b *bench) rushRun(ctx context.Context, kill bool) (result, error) {
	before, err := b.reset(ctx)
	if err != nil {
		return result{}, err
	}
	stop, t0, err := b.start(ctx, kill, b.o.window+b.o.killAt)
	if err != nil {
		return result{}, err
	}
	defer stop()
	r := result{}
	produced := make(chan error, 1)
	go func() {
		const tick = 20 * time.Millisecond // a booking batch's e-mails arrive together
		t := time.NewTicker(tick)
		defer t.Stop()
		per := float64(b.o.rate) * tick.Seconds()
		sent := 0
		for time.Since(t0) < b.o.rushFor {
			<-t.C
			want := int(per * time.Since(t0).Seconds() / tick.Seconds())
			if n := want - sent; n > 0 {
				if err := b.queueEmails(ctx, sent, n, b.o.families); err != nil {
					produced <- err
					return
				}
				sent += n
			}
		}
		r.queued = sent
		produced <- nil
	}()
	// The queue is watched while e-mails are queued, then until it is empty.
	werr := b.watch(ctx, t0, &r, produced)
	return b.finish(ctx, r, before, werr)
}

// kill stops the SMTP sink after a while, and starts it again killFor later.
func (b *bench) kill(after time.Duration) *time.Timer {
	return time.AfterFunc(after, func() {
		b.sink.Stop()
		b.mu.Lock()
		defer b.mu.Unlock()
		b.resume = time.AfterFunc(b.o.killFor, func() {
			if err := b.sink.Resume(); err != nil {
				fmt.Println("sink resume:", err)
			}
		})
	})
}

// watch samples the queue every 50 ms until every producer has reported and the queue is
// empty, or the drain limit is passed. r.drain is the time from the producers' end (or t0).
func (b *bench) watch(ctx context.Context, t0 time.Time, r *result, producers ...chan error) error {
	ended := t0
	waiting := len(producers)
	for {
		for _, p := range producers {
			select {
			case err := <-p:
				if err != nil {
					return err
				}
				waiting--
				ended = time.Now()
			default:
			}
		}
		q, err := b.queue.OutboxQueue(ctx)
		if err != nil {
			return err
		}
		r.peak, r.oldestPeak = max(r.peak, q.Pending), max(r.oldestPeak, q.Oldest)
		if waiting == 0 && q.Pending == 0 {
			r.drain = time.Since(ended)
			return nil
		}
		if waiting == 0 && time.Since(ended) > b.o.drainLimit {
			r.drain = time.Since(ended)
			r.problem = fmt.Sprintf("%d e-mails still queued %v after the last was queued", q.Pending, b.o.drainLimit)
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// finish counts what arrived and what is left, and checks that nothing was lost or sent twice.
func (b *bench) finish(ctx context.Context, r result, sinkBefore [2]int, err error) (result, error) {
	if err != nil {
		return r, err
	}
	var counts struct {
		Sent     int `db:"sent"`
		Pending  int `db:"pending"`
		SetAside int `db:"set_aside"`
	}
	if err := b.queue.DB().GetContext(ctx, &counts, `SELECT count(sent_at) AS sent,
		count(*) FILTER (WHERE sent_at IS NULL AND set_aside_at IS NULL) AS pending, count(set_aside_at) AS set_aside FROM outbox_email`); err != nil {
		return r, err
	}
	accepted, dups := b.sink.Count()
	r.emailsSent, r.pending, r.setAside = counts.Sent, counts.Pending, counts.SetAside
	r.messages, r.duplicates = accepted-sinkBefore[0], dups-sinkBefore[1]
	if r.queued == 0 {
		r.queued = r.emailsSent + r.pending + r.setAside
	}
	switch {
	case r.duplicates > 0:
		r.problem = fmt.Sprintf("%d messages received twice", r.duplicates)
	case r.emailsSent+r.pending+r.setAside != r.queued:
		r.problem = fmt.Sprintf("%d e-mails queued, %d accounted for", r.queued, r.emailsSent+r.pending+r.setAside)
	}
	return r, nil
}
