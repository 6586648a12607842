package api_test

import (
	"fmt"
	"net/url"
	"syscall"
	"testing"
	"time"
)

// BenchmarkWhatIf measures the what-if page on the demo académie with its week allocated: the
// fullest hub's fullest level cut by half, for its day and for the week from that day (the
// levers' view, then the days solved whole before and after, with the report's bounds).
func BenchmarkWhatIf(b *testing.B) {
	app, st, seed, token := demoAsRectorat(b)
	day := seed.OpenDays[0].Format(time.DateOnly)
	var cut struct {
		HubID  int64  `db:"hub_id"`
		Level  string `db:"level"`
		Placed int    `db:"placed"`
	}
	if err := st.DB().Get(&cut, `SELECT hub_id, level::text AS level, placed FROM hub_day_capacity
		WHERE day = $1 ORDER BY placed DESC, hub_id, level LIMIT 1`, day); err != nil {
		b.Fatal(err)
	}
	change := fmt.Sprintf("capacite:%d:%s:%d", cut.HubID, cut.Level, cut.Placed/2)
	for _, period := range []string{"jour", "semaine"} {
		path := "/simulation?" + url.Values{"jour": {day}, "duree": {period}, "c": {change}}.Encode()
		b.Run(period, func(b *testing.B) {
			// The machine is shared: the processor time of the process (server and solves; the
			// test's PostgreSQL is another process) says more than the wall time.
			before := cpuTime(b)
			benchGet(b, app, token, path)
			b.ReportMetric(float64((cpuTime(b)-before).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the processor time (user and system) this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}
