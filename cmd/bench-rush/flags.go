package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"
	"time"
)

var allPhases = []string{"overload", "processes", "killed", "slowed", "room"}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("bench-rush", flag.ContinueOnError)
	fs.StringVar(&o.bin, "bin", "bin/accueil", "the accueil binary to run (make builds it)")
	fs.StringVar(&o.haproxyCfg, "haproxy", "deploy/haproxy.cfg", "HAProxy's configuration (deploy/haproxy-503.http beside it)")
	fs.StringVar(&o.dataDir, "data", ".data", "DATA_DIR: the run's cluster is postgres-rush in it, its logs in bench-rush")
	fs.IntVar(&o.clients, "c", 64, "booking clients of the baseline and database-killed runs")
	fs.IntVar(&o.rushClients, "rush", 640, "booking clients of the overload and database-slowed runs")
	fs.DurationVar(&o.d, "d", 15*time.Second, "length of the baseline, overload and database-slowed runs")
	fs.IntVar(&o.floodConns, "flood-conns", 3000, "connections of the anonymous flood (0: none, to measure the clients alone)")
	fs.IntVar(&o.floodRate, "flood-rate", 3000, "requests a second of the anonymous flood, all connections together")
	fs.DurationVar(&o.killAfter, "kill-after", 5*time.Second, "PostgreSQL is killed this long into its run")
	fs.DurationVar(&o.down, "down", 5*time.Second, "and restarted this long after (the run goes on 10 s more)")
	fs.DurationVar(&o.slow, "slow", 20*time.Millisecond, "latency added between the processes and PostgreSQL")
	fs.IntVar(&o.parents, "parents", 5000, "parents arriving at the waiting room")
	fs.DurationVar(&o.arrivals, "arrivals", time.Minute, "over this long")
	fs.IntVar(&o.roomCapacity, "room-capacity", 500, "WAITING_ROOM_CAPACITY of the waiting-room run")
	fs.DurationVar(&o.roomStay, "room-stay", 10*time.Second, "WAITING_ROOM_STAY of the waiting-room run (short, so that the run stays short)")
	fs.IntVar(&o.cross, "cross", 20, "bookings sent with one key to both processes at once")
	pin := fs.String("pin", "", "SERVICE:LOAD: run PostgreSQL, the processes and HAProxy on the CPUs SERVICE, the clients and wrk on LOAD (taskset lists, e.g. 0:1), as if the load came from other machines")
	only := fs.String("phases", strings.Join(allPhases, ","), "the phases to run, comma-separated")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: bench-rush [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if o.pin, err = parsePinning(*pin); err != nil {
		return o, err
	}
	o.phases = map[string]bool{}
	for _, name := range strings.Split(*only, ",") {
		if name = strings.TrimSpace(name); !slices.Contains(allPhases, name) {
			return o, fmt.Errorf("-phases: %q is none of %s", name, strings.Join(allPhases, ", "))
		}
		o.phases[name] = true
	}
	return o, nil
}
