package api_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// loggedInParent is a server under cfg with a parent logged in on b.
func loggedInParent(t *testing.T, cfg api.Config) (*api.Server, *browser, *store.Store) {
	t.Helper()
	st := pgtest.NewStore(t).WithClock(pgtest.Now)
	srv, app, err := api.NewServer(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	createAccount(t, st, store.NewAccount{Email: "parent@example.fr", Role: store.RoleParent})
	b := newBrowser(t, app)
	b.login("parent@example.fr", goodPassword)
	return srv, b, st
}

// sendAside sends a GET of path with b's cookies from another goroutine; its status comes on
// the channel returned.
func (b *browser) sendAside(path string) <-chan int {
	return b.sendRequestAside(httptest.NewRequest(http.MethodGet, path, nil))
}

// sendRequestAside is sendAside for any request.
func (b *browser) sendRequestAside(req *http.Request) <-chan int {
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	status := make(chan int, 1)
	go func() {
		res, err := b.app.Test(req, -1)
		if err != nil {
			status <- 0
			return
		}
		res.Body.Close()
		status <- res.StatusCode
	}()
	return status
}

// getJSON is a GET of path asking for JSON.
func (b *browser) getJSON(path string) response {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept", "application/json")
	return b.do(req)
}

// wantRefusal checks an answer is 503 with a Retry-After of retryAfter (one of the values
// separated by "|") and the French message fr, as a page and as JSON.
func wantRefusal(t *testing.T, page, asJSON response, retryAfter, fr string) {
	t.Helper()
	for _, res := range []response{page, asJSON} {
		if res.StatusCode != http.StatusServiceUnavailable || !slices.Contains(strings.Split(retryAfter, "|"), res.Header.Get("Retry-After")) {
			t.Errorf("status %d, Retry-After %q; want 503 and %s", res.StatusCode, res.Header.Get("Retry-After"), retryAfter)
		}
	}
	if !strings.Contains(page.body, fr) {
		t.Errorf("the page does not say %q:\n%s", fr, page.body)
	}
	var body struct {
		Error struct {
			Status    int
			Message   string
			MessageEN string `json:"message_en"`
		}
	}
	if err := json.Unmarshal([]byte(asJSON.body), &body); err != nil || body.Error.Status != 503 ||
		!strings.Contains(body.Error.Message, fr) || body.Error.MessageEN == "" {
		t.Errorf("JSON answer %s (%v)", asJSON.body, err)
	}
}

// wantCounted checks /metrics shows line (the test's requests come from 0.0.0.0).
func wantCounted(t *testing.T, b *browser, line string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	res, err := b.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if !strings.Contains(string(body), line) {
		t.Errorf("/metrics (%d) lacks %s", res.StatusCode, line)
	}
}

// With its session reads' queue full (the database slowed), a request is refused at once: 503,
// Retry-After and a message in French and English; the requests admitted are answered once the
// database is back.
func TestFullQueueAnswers503WithRetryAfter(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.SessionQueue = 1
	cfg.MetricsFrom = []string{"0.0.0.0"}
	srv, b, st := loggedInParent(t, cfg)
	hold := pgtest.HoldTable(t, st.DB(), "session")
	reading := b.sendAside("/")
	hold.Waited()
	waiting := b.sendAside("/")
	for _, sessions := srv.Queues(); sessions.Waiting != 1; _, sessions = srv.Queues() {
		runtime.Gosched()
	}
	wantRefusal(t, b.get("/"), b.getJSON("/"), "1|2|3", "Le service reçoit trop de demandes")
	wantCounted(t, b, `accueil_http_refused_total{cause="queue_full"} 2`)
	if _, sessions := srv.Queues(); sessions.Refused != 2 {
		t.Errorf("session queue %+v, want 2 refused", sessions)
	}
	hold.Release()
	for _, status := range []<-chan int{reading, waiting} {
		if s := <-status; s != http.StatusOK {
			t.Errorf("admitted request: %d, want 200", s)
		}
	}
}

// A request past its deadline (the database too slow) is answered 503 with Retry-After, not
// left waiting; the service answers again once the database does.
func TestRequestPastItsDeadlineAnswers503(t *testing.T) {
	_, logged, st := loggedInParent(t, api.DefaultConfig())
	// The same session on a server whose requests have 50 ms: logging in takes longer on a busy
	// machine.
	cfg := api.DefaultConfig()
	cfg.RequestTimeout = 50 * time.Millisecond
	cfg.MetricsFrom = []string{"0.0.0.0"}
	srv, app, err := api.NewServer(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	b := newBrowser(t, app)
	b.cookies = logged.cookies
	hold := pgtest.HoldTable(t, st.DB(), "session")
	wantRefusal(t, b.get("/"), b.getJSON("/"), "5", "votre demande a pris trop de temps")
	wantCounted(t, b, `accueil_http_refused_total{cause="timeout"} 2`)
	hold.Release()
	if res := logged.get("/"); res.StatusCode != http.StatusOK {
		t.Errorf("after the database is back: %d", res.StatusCode)
	}
}

// Booking submissions are bounded from their arrival, before their session is read: with the
// database slowed, those past BookingBatch + BookingQueue are refused at once, the others wait.
func TestBookingsInFlightAreBounded(t *testing.T) {
	cfg := api.DefaultConfig()
	cfg.BookingBatch, cfg.BookingQueue = 1, 1
	srv, b, st := loggedInParent(t, cfg)
	csrf := b.csrf("/")
	post := func() <-chan int {
		req := httptest.NewRequest(http.MethodPost, "/api/bookings", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		req.Header.Set("Idempotency-Key", "key-inflight-"+store.RandomToken()[:8])
		return b.sendRequestAside(req)
	}
	hold := pgtest.HoldTable(t, st.DB(), "session")
	first, second := post(), post()
	for srv.BookingsInFlight() != 2 {
		runtime.Gosched()
	}
	if status := <-post(); status != http.StatusServiceUnavailable {
		t.Errorf("a third submission while two are in flight: %d, want 503 at once", status)
	}
	hold.Release()
	for _, ch := range []<-chan int{first, second} {
		if status := <-ch; status == http.StatusServiceUnavailable || status == 0 {
			t.Errorf("a submission admitted was answered %d", status)
		}
	}
	if n := srv.BookingsInFlight(); n != 0 {
		t.Errorf("%d submissions still counted in flight after their answers", n)
	}
}
