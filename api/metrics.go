package api

import (
	"context"
	"errors"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/accueil-prioritaire/accueil/store"
)

// Causes of a refused request, as /metrics counts them.
const (
	refusedQueueFull   = "queue_full"   // a batch queue is at its bound (503)
	refusedTimeout     = "timeout"      // the request ran past its time limit (503)
	refusedWaitingRoom = "waiting_room" // sent to the waiting room (503)
	refusedLimit       = "limit"        // a rate limit or a login slow-down (429)
	refusedUnavailable = "unavailable"  // any other 503, the database gone among them
)

// localRefused is the c.Locals key under which a handler or the error handler names the cause of
// a refusal; without it, the status alone decides (429: limit, 503: unavailable).
const localRefused = "refused"

// localUnmatched marks a request no route took (notFound).
const localUnmatched = "unmatched"

// metrics is what GET /metrics shows, in Prometheus's text format: the requests by route
// group, the refusals by cause, the database pool, the batch queues, Go's runtime.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.HistogramVec
	refused  *prometheus.CounterVec
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "accueil_http_request_duration_seconds",
			Help: "Time to answer a request, by route group, method and status class; its _count is the request count.",
			// From a cached static file to a ZIP of every attendance sheet.
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"group", "method", "status"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accueil_http_refused_total",
			Help: "Requests refused before their work was done, by cause (queue_full, timeout, waiting_room, limit, unavailable).",
		}, []string{"cause"}),
	}
	for _, cause := range []string{refusedQueueFull, refusedTimeout, refusedWaitingRoom, refusedLimit, refusedUnavailable} {
		m.refused.WithLabelValues(cause) // shown at 0 from the start
	}
	m.reg.MustRegister(m.requests, m.refused,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		poolCollector{s.store}, serviceCollector{s})
	return m
}

// refusalCauses name the cause of the refusals the error handler answers (see noteRefusal).
var refusalCauses = []struct {
	err   error
	cause string
}{
	{errWaitingRoom, refusedWaitingRoom},
	{store.ErrOverloaded, refusedQueueFull},
	{errDeadline, refusedTimeout},
}

// noteRefusal names the cause of a refusal err stands for, for observe to count.
func noteRefusal(c *fiber.Ctx, err error) {
	for _, r := range refusalCauses {
		if errors.Is(err, r.err) {
			c.Locals(localRefused, r.cause)
			return
		}
	}
}

// observe counts one answered request. The group is the route's pattern (/poles/:id), so the
// number of series is bounded by the routes list whatever the paths asked for.
func (m *metrics) observe(c *fiber.Ctx, assetBase string, took time.Duration) {
	status := c.Response().StatusCode()
	group := c.Route().Path
	switch unmatched, _ := c.Locals(localUnmatched).(bool); {
	case strings.HasPrefix(c.Path(), assetBase):
		group = "static"
	case unmatched:
		group = "unmatched"
	}
	m.requests.WithLabelValues(group, c.Method(), strconv.Itoa(status/100)+"xx").Observe(took.Seconds())
	cause, _ := c.Locals(localRefused).(string)
	switch {
	case cause != "":
	case status == fiber.StatusTooManyRequests:
		cause = refusedLimit
	case status == fiber.StatusServiceUnavailable:
		cause = refusedUnavailable
	}
	if cause != "" {
		m.refused.WithLabelValues(cause).Inc()
	}
}

// metricsPage answers /metrics to the addresses of Config.MetricsFrom; to anyone else it does
// not exist.
func (s *Server) metricsPage() fiber.Handler {
	h := adaptor.HTTPHandler(promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	return func(c *fiber.Ctx) error {
		a, err := netip.ParseAddr(c.IP())
		if err != nil || !s.metricsFrom.contains(a) {
			return store.ErrNotFound
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return h(c)
	}
}

// serviceCollector reads, at each scrape, the waiting room (from memory), the limits' refusals
// (atomic counters) and the outbox's backlog (one short query).
type serviceCollector struct{ s *Server }

var (
	roomQueuing  = prometheus.NewDesc("accueil_waiting_room_queuing", "1 while newcomers to the parents' pages are queued.", nil, nil)
	roomCapacity = prometheus.NewDesc("accueil_waiting_room_capacity", "Parents let in at once before the room queues newcomers.", nil, nil)
	roomActive   = prometheus.NewDesc("accueil_waiting_room_active", "Parents holding a place.", nil, nil)
	roomWaiting  = prometheus.NewDesc("accueil_waiting_room_waiting", "Visitors waiting in the room.", nil, nil)
	roomAdmitted = prometheus.NewDesc("accueil_waiting_room_admitted_total", "Visitors let in by the queue since the room exists.", nil, nil)
	limitRefused = prometheus.NewDesc("accueil_limit_refused_total", "Requests refused by a limit (429) in this process, by rule.", []string{"rule"}, nil)
	outboxQueue  = prometheus.NewDesc("accueil_outbox_pending", "E-mails waiting to be sent.", nil, nil)
	outboxOldest = prometheus.NewDesc("accueil_outbox_oldest_seconds", "Age of the oldest e-mail waiting to be sent.", nil, nil)
	outboxAside  = prometheus.NewDesc("accueil_outbox_set_aside", "E-mails set aside after failing too often.", nil, nil)
	queueWaiting = prometheus.NewDesc("accueil_queue_waiting", "Calls waiting for a batch, by queue (bookings, sessions).", []string{"queue"}, nil)
	queueRefused = prometheus.NewDesc("accueil_queue_refused_total", "Calls refused at once because their queue was full or closed, by queue.", []string{"queue"}, nil)
	queueDropped = prometheus.NewDesc("accueil_queue_dropped_total", "Calls dropped before their batch because their request had ended, by queue.", []string{"queue"}, nil)
	queueBatches = prometheus.NewDesc("accueil_queue_batches_total", "Batches run, by queue.", []string{"queue"}, nil)
	queueBatched = prometheus.NewDesc("accueil_queue_batched_calls_total", "Calls run in batches, by queue (divided by the batches: the mean batch size).", []string{"queue"}, nil)
)

func (sc serviceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{roomQueuing, roomCapacity, roomActive, roomWaiting, roomAdmitted, limitRefused, outboxQueue, outboxOldest, outboxAside,
		queueWaiting, queueRefused, queueDropped, queueBatches, queueBatched} {
		ch <- d
	}
}

func (sc serviceCollector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	if r := sc.s.room; r != nil {
		v := r.Snapshot()
		queuing := 0.0
		if v.Queuing {
			queuing = 1
		}
		gauge(roomQueuing, queuing)
		gauge(roomCapacity, float64(v.Capacity))
		gauge(roomActive, float64(v.Active))
		gauge(roomWaiting, float64(v.Waiting))
		ch <- prometheus.MustNewConstMetric(roomAdmitted, prometheus.CounterValue, float64(v.AdmittedTotal))
	}
	bookings, sessions := sc.s.Queues()
	for name, q := range map[string]store.QueueStats{"bookings": bookings, "sessions": sessions} {
		ch <- prometheus.MustNewConstMetric(queueWaiting, prometheus.GaugeValue, float64(q.Waiting), name)
		ch <- prometheus.MustNewConstMetric(queueRefused, prometheus.CounterValue, float64(q.Refused), name)
		ch <- prometheus.MustNewConstMetric(queueDropped, prometheus.CounterValue, float64(q.Dropped), name)
		ch <- prometheus.MustNewConstMetric(queueBatches, prometheus.CounterValue, float64(q.Batches), name)
		ch <- prometheus.MustNewConstMetric(queueBatched, prometheus.CounterValue, float64(q.Batched), name)
	}
	for rule, n := range sc.s.limits.Refused() {
		ch <- prometheus.MustNewConstMetric(limitRefused, prometheus.CounterValue, float64(n), rule)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if q, err := sc.s.store.OutboxQueue(ctx); err == nil {
		gauge(outboxQueue, float64(q.Pending))
		gauge(outboxOldest, q.Oldest.Seconds())
		gauge(outboxAside, float64(q.SetAside))
	}
}

// poolCollector reads the database pool's use at each scrape.
type poolCollector struct{ st *store.Store }

var (
	poolOpen    = prometheus.NewDesc("accueil_db_connections_open", "Connections to PostgreSQL open.", nil, nil)
	poolInUse   = prometheus.NewDesc("accueil_db_connections_in_use", "Connections to PostgreSQL in use.", nil, nil)
	poolMax     = prometheus.NewDesc("accueil_db_connections_max", "Most connections the pool opens (DB_MAX_CONNS).", nil, nil)
	poolWaits   = prometheus.NewDesc("accueil_db_connection_waits_total", "Times a request waited for a free connection.", nil, nil)
	poolWaitDur = prometheus.NewDesc("accueil_db_connection_wait_seconds_total", "Time spent waiting for a free connection.", nil, nil)
)

func (p poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolOpen, poolInUse, poolMax, poolWaits, poolWaitDur} {
		ch <- d
	}
}

func (p poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := p.st.PoolStats()
	ch <- prometheus.MustNewConstMetric(poolOpen, prometheus.GaugeValue, float64(st.OpenConnections))
	ch <- prometheus.MustNewConstMetric(poolInUse, prometheus.GaugeValue, float64(st.InUse))
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(st.MaxOpenConnections))
	ch <- prometheus.MustNewConstMetric(poolWaits, prometheus.CounterValue, float64(st.WaitCount))
	ch <- prometheus.MustNewConstMetric(poolWaitDur, prometheus.CounterValue, st.WaitDuration.Seconds())
}
