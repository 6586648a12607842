package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/mailer"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/waitingroom"
)

// horizonDays is how many weekdays ahead hubs get their default capacity, so parents can book
// two weeks ahead.
const horizonDays = 10

func serve(ctx context.Context, e env, args []string) error {
	fs := newFlags("serve")
	withDemo := fs.Bool("demo", false, "load the demo académie into an empty database")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, closeDB, err := openStore(ctx, e, true)
	if err != nil {
		return err
	}
	// Shutting down: HTTP stops accepting, the queues drain (srv.Close), the background jobs
	// stop and are waited for, and only then the database closes (the defers run last first).
	defer closeDB()
	var jobs sync.WaitGroup
	defer jobs.Wait()
	jobsCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	if *withDemo {
		if err := demoIfEmpty(ctx, e, st); err != nil {
			return err
		}
	}

	api.TuneGC(os.Getenv)
	cfg := api.DefaultConfig()
	cfg.SecureCookies = e.cfg.CookieSecure
	cfg.TrustedProxies = e.cfg.TrustedProxies
	cfg.MetricsFrom = e.cfg.MetricsFrom
	cfg.PublicURL = e.cfg.PublicURL
	cfg.DevMode = e.cfg.DevMode
	cfg.Privacy.DPOContact = e.cfg.DPOContact
	cfg.Privacy.RetentionDays = e.cfg.RetentionDays
	cfg.Limits = e.cfg.Limits
	cfg.BookingBatch, cfg.BookingQueue, cfg.SessionQueue = e.cfg.BookingBatchMax, e.cfg.BookingQueueMax, e.cfg.SessionQueueMax
	cfg.RequestTimeout, cfg.LongRequestTimeout = e.cfg.RequestTimeout, e.cfg.LongRequestTimeout
	sender, err := mailer.New(e.cfg.SMTPURL, e.cfg.SMTPConns, smtpTimeout, e.log)
	if err != nil {
		return err
	}
	cfg.WaitingRoom = e.cfg.WaitingRoom
	if len(cfg.WaitingRoom.Key) == 0 {
		if cfg.WaitingRoom.Key, err = st.WaitingRoomKey(ctx); err != nil {
			return fmt.Errorf("waiting room key: %w", err)
		}
	}
	room, err := waitingroom.New(st, cfg.WaitingRoom)
	if err != nil {
		return err
	}
	srv, app, err := api.NewServer(cfg, st, e.log, api.WithWaitingRoom(room))
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", e.cfg.ListenAddr)
	if err != nil {
		return err
	}
	addr := ln.Addr().String()
	if host, _, _ := net.SplitHostPort(e.cfg.ListenAddr); host == "localhost" {
		// Browsers treat http://localhost as secure for cookies; 127.0.0.1 is not the same site.
		_, port, _ := net.SplitHostPort(addr)
		addr = net.JoinHostPort("localhost", port)
	}
	e.log.Info("serving", slog.String("addr", "http://"+addr))
	fmt.Fprintf(e.stdout, "Accueil prioritaire: http://%s\n", addr)

	outbox := store.DefaultOutboxPolicy()
	outbox.GroupWindow = e.cfg.MailGroupWindow
	deliverer := mailer.NewDeliverer(st, sender, outbox, outboxBatch, e.log)
	// Bookings are being made when some wait, or a batch of them ran since the last look.
	var batchesSeen int64
	deliverer.YieldTo(func() bool {
		bookings, _ := srv.Queues()
		busy := bookings.Waiting > 0 || bookings.Batches != batchesSeen
		batchesSeen = bookings.Batches
		return busy
	}, outboxMaxDefer)
	for _, job := range []func(context.Context){
		func(ctx context.Context) {
			every(ctx, e, "waiting room", time.Second, func() error { return room.Sync(ctx) })
		},
		func(ctx context.Context) { housekeeping(ctx, e, st, cfg.Session) },
		func(ctx context.Context) { confirmAtCutoff(ctx, e, st, store.DefaultAllocationPolicy()) },
		func(ctx context.Context) { deliverer.Run(ctx, time.Second) },
		func(ctx context.Context) { purgeExpired(ctx, e, st, e.cfg.RetentionDays) },
	} {
		jobs.Add(1)
		go func() {
			defer jobs.Done()
			job(jobsCtx)
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	e.log.Info("shutting down")
	if err := app.ShutdownWithTimeout(10 * time.Second); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	srv.Close()
	e.log.Info("queues drained")
	return nil
}

// keepCalendar gives every open hub its default capacity for the coming weekdays, so that the
// service stays bookable two weeks ahead day after day.
func keepCalendar(ctx context.Context, e env, st *store.Store) error {
	n, err := st.MaterializeCapacity(ctx, store.Weekdays(today(st.Now()), horizonDays))
	if err != nil {
		return fmt.Errorf("capacity calendar: %w", err)
	}
	if n > 0 {
		e.log.Info("capacity calendar extended", slog.Int64("hub_day_levels", n))
	}
	return nil
}

// every runs job now and then every interval until ctx ends; a job's error is logged, never
// fatal, so one failing round does not stop the next.
func every(ctx context.Context, e env, name string, interval time.Duration, job func() error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := job(); err != nil && ctx.Err() == nil {
			e.log.Error(name, slog.Any("error", err))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// housekeeping removes stale sessions and keeps the capacity calendar two weeks ahead.
func housekeeping(ctx context.Context, e env, st *store.Store, p store.SessionPolicy) {
	every(ctx, e, "housekeeping", 10*time.Minute, func() error {
		if n, err := st.DeleteStaleSessions(ctx, p); err != nil {
			return err
		} else if n > 0 {
			e.log.Info("stale sessions removed", slog.Int64("count", n))
		}
		return keepCalendar(ctx, e, st)
	})
}

// confirmAtCutoff runs each day's confirmation once its cutoff has passed. Every process runs
// it; ConfirmDay locks the day and does nothing for a day already confirmed.
func confirmAtCutoff(ctx context.Context, e env, st *store.Store, p store.AllocationPolicy) {
	every(ctx, e, "confirmation run", 30*time.Second, func() error {
		due, err := st.DueConfirmations(ctx, p)
		if err != nil {
			return err
		}
		for _, day := range due {
			run, ok, err := st.ConfirmDay(ctx, p, day, alloc.RandomSeed(), 0)
			if err != nil {
				return fmt.Errorf("%s: %w", day.Format(time.DateOnly), err)
			}
			if ok {
				e.log.Info("day confirmed", slog.String("day", day.Format(time.DateOnly)), slog.Int64("run", run.ID),
					slog.Int("placed", run.Report.ChildDaysPlaced), slog.Int("waitlisted", run.Report.ChildDaysWaitlist))
			}
		}
		return nil
	})
}

// The outbox's deliverer claims this many messages at a time, and gives each SMTP exchange
// this long: a server slower than that is treated as failing, and the message retried later.
// While bookings wait for the database, it starts a round at most every outboxMaxDefer: at the
// rush each booking queues an e-mail, and delivering them as fast as they came took a third of
// the database's time from the bookings (bench-rush).
const (
	outboxBatch    = 200
	outboxMaxDefer = 2 * time.Second
	smtpTimeout    = 30 * time.Second
)

// purgeExpired applies the retention rules once a day (store.PurgeExpired). It logs counts only.
func purgeExpired(ctx context.Context, e env, st *store.Store, retentionDays int) {
	every(ctx, e, "retention purge", 24*time.Hour, func() error {
		n, err := st.PurgeExpired(ctx, retentionDays)
		if err != nil {
			return err
		}
		if n.Any() {
			e.log.Info("retention purge", slog.Int64("households", n.Households), slog.Int64("children", n.Children),
				slog.Int64("health_notes", n.HealthNotes), slog.Int64("booking_requests", n.BookingRequests),
				slog.Int64("placements", n.Placements), slog.Int64("waitlist_entries", n.WaitlistEntries),
				slog.Int64("attendance", n.Attendance), slog.Int64("parent_accounts", n.ParentAccounts),
				slog.Int64("audit_entries", n.AuditEntries), slog.Int64("emails", n.Emails), slog.Int64("stored_replies", n.StoredReplies))
		}
		return nil
	})
}

// today is the current date in France (see store.AllocationPolicy.Today).
func today(now time.Time) time.Time { return store.DefaultAllocationPolicy().Today(now) }
