package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/accueil-prioritaire/accueil/store/pgcluster"
)

// pinning splits the machine's processors between the service (PostgreSQL, the two processes,
// HAProxy) and the load (this program's clients, wrk): with -pin, each side runs on CPUs of its
// own, as if the parents and the attackers came from other machines. Without it, both share
// every CPU, and on a small machine a flood's generator takes from the service the processor
// time it would never take in production. The baseline runs pinned the same way, so that the
// overload is compared with what the same CPUs give without it.
type pinning struct {
	service, load string // taskset CPU lists; "" when not pinned
}

func (p pinning) on() bool { return p.service != "" }

// command is name with args, run on the service's CPUs (or the load's, when load), killed when
// ctx is done.
func (p pinning) command(ctx context.Context, load bool, name string, args ...string) *exec.Cmd {
	cpus := p.service
	if load {
		cpus = p.load
	}
	if cpus == "" {
		return exec.CommandContext(ctx, name, args...)
	}
	return exec.CommandContext(ctx, "taskset", append([]string{"-c", cpus, name}, args...)...)
}

// parsePinning reads -pin: SERVICE:LOAD, two taskset CPU lists ("0:1"), or "" for none.
func parsePinning(spec string) (pinning, error) {
	if spec == "" {
		return pinning{}, nil
	}
	service, load, ok := strings.Cut(spec, ":")
	if !ok || service == "" || load == "" {
		return pinning{}, fmt.Errorf("-pin: %q is not SERVICE:LOAD (e.g. 0:1)", spec)
	}
	return pinning{service: service, load: load}, nil
}

// self moves every thread of this program to the load's CPUs. The processes it starts
// afterwards inherit that, unless started through command.
func (p pinning) self() error {
	if !p.on() {
		return nil
	}
	return taskset(p.load, os.Getpid())
}

// postgres moves the cluster's postmaster and its processes to the service's CPUs (the
// backends forked later inherit it). Called after each start of the cluster.
func (p pinning) postgres(c *pgcluster.Cluster) error {
	if !p.on() {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(c.Data, "postmaster.pid"))
	if err != nil {
		return err
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return fmt.Errorf("postmaster.pid: %w", err)
	}
	for _, q := range append([]int{pid}, childrenOf(pid)...) {
		if err := taskset(p.service, q); err != nil {
			return err
		}
	}
	return nil
}

// taskset sets the CPUs of every thread of pid.
func taskset(cpus string, pid int) error {
	if out, err := exec.Command("taskset", "-a", "-p", "-c", cpus, strconv.Itoa(pid)).CombinedOutput(); err != nil {
		return fmt.Errorf("taskset %s %d: %w: %s", cpus, pid, err, out)
	}
	return nil
}
