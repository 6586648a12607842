package api_test

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/accueil-prioritaire/accueil/api"
)

// serveOn serves the app on a loopback listener and returns its address.
func serveOn(t *testing.T, cfg api.Config) string {
	t.Helper()
	app, _ := newAppWith(t, cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { _ = app.Shutdown() })
	return "http://" + ln.Addr().String()
}

func fetch(t *testing.T, url string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(body)
}

func TestMetricsCountRequestsByRouteGroup(t *testing.T) {
	base := serveOn(t, api.DefaultConfig())
	for range 3 {
		fetch(t, base+"/connexion", nil)
	}
	fetch(t, base+"/poles/123", nil) // a visitor: sent to the login page
	fetch(t, base+"/nulle-part/"+strings.Repeat("x", 40), nil)
	status, body := fetch(t, base+"/metrics", nil)
	if status != http.StatusOK {
		t.Fatalf("/metrics from loopback: %d", status)
	}
	for _, want := range []string{
		`accueil_http_request_duration_seconds_count{group="/connexion",method="GET",status="2xx"} 3`,
		`accueil_http_request_duration_seconds_count{group="/poles/:id",method="GET",status="3xx"} 1`,
		`accueil_http_request_duration_seconds_count{group="unmatched",method="GET",status="4xx"} 1`,
		`accueil_http_refused_total{cause="queue_full"} 0`,
		`accueil_db_connections_max 40`,
		`accueil_queue_waiting{queue="bookings"} 0`,
		`accueil_queue_batches_total{queue="sessions"} 0`,
		`accueil_waiting_room_capacity 3000`,
		`accueil_outbox_pending 0`,
		`go_goroutines `,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q\n%s", want, grepLines(body, "accueil_http_request_duration_seconds_count"))
		}
	}
	if strings.Contains(body, "xxxxxxxx") {
		t.Error("a path asked for became a label: the series would grow with every address tried")
	}
}

// /metrics is for the monitoring's addresses only; through our own proxy, the client's address
// counts, not the proxy's.
func TestMetricsOnlyFromConfiguredAddresses(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.MetricsFrom = []string{"192.0.2.10"}
	if status, _ := fetch(t, serveOn(t, cfg)+"/metrics", nil); status != http.StatusNotFound {
		t.Errorf("/metrics from an address not listed: %d", status)
	}
	cfg = api.DefaultConfig()
	cfg.TrustedProxies = []string{"127.0.0.1"}
	base := serveOn(t, cfg)
	if status, _ := fetch(t, base+"/metrics", map[string]string{"X-Forwarded-For": "203.0.113.9"}); status != http.StatusNotFound {
		t.Errorf("/metrics for a client behind the proxy: %d", status)
	}
	if status, _ := fetch(t, base+"/metrics", map[string]string{"X-Forwarded-For": "127.0.0.1"}); status != http.StatusOK {
		t.Errorf("/metrics for the machine itself, through the proxy: %d", status)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
