package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/migrations"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgcluster"
)

// env is what a subcommand gets from run.
type env struct {
	cfg config
	// now is the service's clock: the machine's in main, one the test sets in tests.
	now    func() time.Time
	log    *slog.Logger
	stdin  io.Reader
	stdout io.Writer
}

type command struct {
	name, usage, help string
	run               func(ctx context.Context, e env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "serve [--demo]", "serve the web application (--demo: load the demo académie into an empty database first)", serve},
		{"migrate", "migrate", "apply the database migrations not applied yet", migrate},
		{"demo", "demo [--seed N]", "load the demo académie of Besançon into an empty database", loadDemo},
		{"allocate", "allocate --from D [--to D] [--rebalance] [--seed N] [--export] | --problem FILE [--out FILE] | --generate academie|national",
			"run the allocator on the database for some days (or export them as a problem file), on a problem file, or on a generated week", allocate},
		{"sheets", "sheets --day YYYY-MM-DD --out DIR [--lang fr|en]", "write every open hub's attendance sheet of a day (PDFs, ZIP, merged PDF), in French or English", printSheets},
		{"account", "account create --email E --role R [--name N] [--departement D] [--hub UAI]... [--password-stdin]", "create a staff account (password generated and printed, or read from standard input)", account},
		{"keys", "keys rotate | keys new | keys session", "re-encrypt every health note with a new key (rotate), print a new key for HEALTH_KEY (new), or the key of the session tokens for HAProxy (session)", keysCommand},
		{"db", "db start|stop|url [--cluster NAME]", "start, stop or locate the private PostgreSQL cluster under DATA_DIR", dbCommand},
		{"help", "help", "list the commands", nil},
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, now func() time.Time, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		return fmt.Errorf("LOG_LEVEL: %w", err)
	}
	e := env{cfg: cfg, now: now, log: slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})), stdin: stdin, stdout: stdout}
	if len(args) == 0 {
		args = []string{"help"}
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		if c.run == nil {
			return usage(stdout)
		}
		return c.run(ctx, e, args[1:])
	}
	_ = usage(stderr)
	return fmt.Errorf("unknown command %q", args[0])
}

func usage(w io.Writer) error {
	fmt.Fprintln(w, "accueil — Accueil prioritaire: childcare for the children of priority workers\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %s\n      %s\n", c.usage, c.help)
	}
	fmt.Fprintln(w, "\nConfiguration comes from environment variables: see README.md.")
	return nil
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// database opens the configured database, starting the private cluster when there is no
// DATABASE_URL, and applies the migrations. close stops the cluster only if this call started it.
func database(ctx context.Context, e env) (db *sqlx.DB, closeFn func(), err error) {
	url := e.cfg.DatabaseURL
	stop := func() {}
	if url == "" {
		c, err := localCluster(e.cfg)
		if err != nil {
			return nil, nil, err
		}
		started, err := c.Start(ctx)
		if err != nil {
			return nil, nil, err
		}
		if started {
			e.log.Info("private PostgreSQL started", slog.String("data", c.Data), slog.String("socket", c.Socket))
			stop = func() {
				if err := c.Stop(context.WithoutCancel(ctx)); err != nil {
					e.log.Error("stopping PostgreSQL", slog.Any("error", err))
				} else {
					e.log.Info("private PostgreSQL stopped")
				}
			}
		}
		if err := c.EnsureDatabase(ctx, "accueil"); err != nil {
			stop()
			return nil, nil, err
		}
		url = c.URL("accueil")
	}
	db, err = sqlx.Open("postgres", url)
	if err != nil {
		stop()
		return nil, nil, err
	}
	db.SetMaxOpenConns(e.cfg.DBMaxConns)
	db.SetMaxIdleConns(e.cfg.DBMaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	closeFn = func() { db.Close(); stop() }
	if err := applyMigrations(ctx, e, db); err != nil {
		closeFn()
		return nil, nil, err
	}
	return db, closeFn, nil
}

// openStore opens the database (see database) and the store over it; closeFn releases both.
// Only the service's own commands (serve, demo) own the health keys: they may create the key
// file and seal the notes left in plain text. Another command uses the keys it finds, and none
// when there are none (it then cannot read a health note, and says so).
func openStore(ctx context.Context, e env, ownsKeys bool) (st *store.Store, closeFn func(), err error) {
	db, closeDB, err := database(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	if st, err = newStore(ctx, e, db, ownsKeys); err != nil {
		closeDB()
		return nil, nil, err
	}
	return st, closeDB, nil
}

// newStore is the store over db on the service's clock, with the keys of the health notes.
func newStore(ctx context.Context, e env, db *sqlx.DB, ownsKeys bool) (*store.Store, error) {
	keys, err := healthKeys(e, ownsKeys)
	if err != nil {
		return nil, err
	}
	opts := []store.Option{store.WithHealthKeys(keys)}
	if len(e.cfg.SessionKey) > 0 {
		opts = append(opts, store.WithSessionKey(e.cfg.SessionKey))
	}
	st := store.New(db, opts...).WithClock(e.now)
	if !ownsKeys {
		return st, nil
	}
	// Notes still in plain text from before encryption (none after the first start).
	n, err := st.SealPlainHealthNotes(ctx)
	if err != nil {
		return nil, fmt.Errorf("sealing the health notes: %w", err)
	}
	if n > 0 {
		e.log.Info("health notes sealed", slog.Int("count", n), slog.String("key", keys.CurrentID()))
	}
	return st, nil
}

func localCluster(cfg config) (*pgcluster.Cluster, error) {
	return pgcluster.Locate(cfg.DataDir, "postgres", pgcluster.Options{TCPAddr: cfg.LocalPostgresAddr})
}

func applyMigrations(ctx context.Context, e env, db *sqlx.DB) error {
	ms, err := store.ReadMigrations(migrations.FS)
	if err != nil {
		return err
	}
	n, err := store.Migrate(ctx, db, ms)
	if err != nil {
		return err
	}
	if n > 0 {
		e.log.Info("migrations applied", slog.Int("count", n))
	}
	return nil
}

func migrate(ctx context.Context, e env, args []string) error {
	_, closeFn, err := database(ctx, e)
	if err != nil {
		return err
	}
	closeFn()
	fmt.Fprintln(e.stdout, "database up to date")
	return nil
}

func dbCommand(ctx context.Context, e env, args []string) error {
	if e.cfg.DatabaseURL != "" {
		return errors.New("DATABASE_URL is set: the private cluster is not used")
	}
	if len(args) == 0 {
		return errors.New("usage: accueil db start|stop|url [--cluster NAME]")
	}
	fs := newFlags("db")
	name := fs.String("cluster", "postgres", "cluster folder under DATA_DIR (the tests use postgres-test)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	c, err := pgcluster.Locate(e.cfg.DataDir, *name, pgcluster.Options{TCPAddr: e.cfg.LocalPostgresAddr})
	if err != nil {
		return err
	}
	switch args[0] {
	case "start":
		if _, err := c.Start(ctx); err != nil {
			return err
		}
		if err := c.EnsureDatabase(ctx, "accueil"); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, c.URL("accueil"))
		return nil
	case "stop":
		return c.Stop(ctx)
	case "url":
		fmt.Fprintln(e.stdout, c.URL("accueil"))
		return nil
	}
	return errors.New("usage: accueil db start|stop|url [--cluster NAME]")
}
