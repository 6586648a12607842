package api

import "runtime/debug"

// The garbage collector of a serving process: see TuneGC.
const (
	gcPercent   = 800
	memoryLimit = 1 << 30
)

// TuneGC sets the garbage collector of a serving process, unless the environment sets GOGC or
// GOMEMLIMIT. A request allocates much more than the server keeps (its live heap stays in the
// tens of megabytes), so the heap may grow to nine times what is live before a collection,
// under a soft limit of 1 GiB near which collections come more often again. At the booking rush
// the collector otherwise takes a sixth of the process's CPU at the very moments the next batch
// waits for one (figures in the README).
func TuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
}
