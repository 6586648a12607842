package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/mailer"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// syncBuffer is a log destination several goroutines may write to.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// logText is the log as written, followed by every key and string value of its JSON lines
// decoded (so an escaped "\u00e9" or "\u0026" hides nothing).
func logText(t *testing.T, raw string) string {
	t.Helper()
	var out strings.Builder
	out.WriteString(raw)
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				out.WriteString("\n" + k)
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		case string:
			out.WriteString("\n" + v)
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(raw), "\n") {
		var v any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		walk(v)
	}
	return out.String()
}

// Hole 5 and the "no personal data or secrets in logs": a whole parent journey, with
// the server's JSON log at debug level and the outbox delivered by the log sender (no SMTP),
// leaves in the log no e-mail address, token, child's name, health note or home address.
func TestJourneyLeavesNoPersonalDataInTheLog(t *testing.T) {
	var logBuf syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	st := pgtest.NewStore(t)
	app, err := api.New(api.DefaultConfig(), st, logger)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	days := nextWeekdays(3)
	seed := twoDepartements(days[0])
	seed.OpenDays = days
	if err := st.LoadSeed(ctx, seed); err != nil {
		t.Fatal(err)
	}

	const (
		parentName  = "Inès Vuillemin-Pagnot"
		email       = "ines.vuillemin@exemple-prive.fr"
		childFirst  = "Anaïs"
		childLast   = "Courvoisier-Tlemçani"
		healthNote  = "Allergie sévère aux noix de cajou, stylo adrénaline dans le sac"
		homeAddress = "7 chemin des Tilleuls Argentés"
		newPassword = "une toute nouvelle phrase secrète"
	)
	secrets := map[string]string{"parent's name": parentName, "address": email, "child's first name": childFirst,
		"child's last name": childLast, "health note": healthNote, "health note (part)": "noix de cajou",
		"home address": homeAddress, "home address (part)": "Tilleuls", "new password": newPassword, "password": goodPassword}
	b := newBrowser(t, app)
	csrf := func(path string) string {
		tok := b.csrf(path)
		secrets["CSRF token "+tok[:6]] = tok
		return tok
	}
	keepCookies := func() {
		for name, v := range b.cookies {
			if name != "lang" {
				secrets["cookie "+name+" "+v[:6]] = v
			}
		}
	}
	step := func(what string, res response, want int) response {
		t.Helper()
		keepCookies()
		if res.StatusCode != want {
			t.Fatalf("%s: %d, want %d\n%s", what, res.StatusCode, want, res.body)
		}
		return res
	}

	step("sign-up", b.post("/inscription", url.Values{"csrf": {csrf("/inscription")}, "name": {parentName}, "email": {email},
		"password": {goodPassword}, "password2": {goodPassword}}), 200)
	confirm := lastLink(t, st, email)
	secrets["confirmation token"] = strings.TrimPrefix(confirm, "/confirmer?jeton=")
	step("confirmation", b.get(confirm), 200)
	b.login(email, goodPassword)
	keepCookies()

	household := householdForm(csrf("/foyer"))
	household.Set("home_address", homeAddress)
	step("household", b.post("/foyer", household), 303)
	child := childForm(csrf("/enfants/nouveau"))
	child.Set("first_name", childFirst)
	child.Set("last_name", childLast)
	child.Set("health_note", healthNote)
	child.Set("birth_date", pgtest.Today().AddDate(-7, 0, 0).Format(time.DateOnly))
	step("child", b.post("/enfants", child), 303)
	var childID int64
	if err := st.DB().Get(&childID, `SELECT id FROM child WHERE first_name = $1`, childFirst); err != nil {
		t.Fatal(err)
	}
	step("home page", b.get("/"), 200)
	step("child page", b.get(fmt.Sprintf("/enfants/%d", childID)), 200)

	form := step("booking form", b.get("/reserver"), 200)
	booked := step("booking", b.post("/reserver", url.Values{"csrf": {csrf("/reserver")}, "key": {regexpFind(t, form.body, `name="key" value="([^"]+)"`)},
		"child": {fmt.Sprint(childID)}, "day": {days[1].Format(time.DateOnly), days[2].Format(time.DateOnly)}, "location": {"home"},
		"arrive_at": {"08:15"}, "depart_at": {"17:45"}}), 200)
	if !strings.Contains(booked.body, childFirst) {
		t.Fatalf("the booking answer does not name the child:\n%s", booked.body)
	}
	step("my bookings", b.get("/reservations"), 200)
	step("cancel", b.post("/reservations/annuler", url.Values{"csrf": {csrf("/reservations")}, "child": {fmt.Sprint(childID)},
		"day": {days[2].Format(time.DateOnly)}, "confirmer": {"oui"}}), 303)

	other := newBrowser(t, app)
	step("forgot", other.post("/mot-de-passe-oublie", url.Values{"csrf": {other.csrf("/mot-de-passe-oublie")}, "email": {email}}), 200)
	reset := lastLink(t, st, email)
	secrets["reset token"] = strings.TrimPrefix(reset, "/reinitialiser?jeton=")
	step("reset page", other.get(reset), 200)
	step("reset", other.post("/reinitialiser", url.Values{"csrf": {other.csrf(reset)}, "jeton": {secrets["reset token"]},
		"password": {newPassword}, "password2": {newPassword}}), 200)
	for name, v := range other.cookies {
		secrets["cookie "+name+" "+v[:6]] = v
	}
	b.login(email, newPassword)
	keepCookies()
	step("home page again", b.get("/"), 200)
	step("sessions page", b.get("/sessions"), 200)
	stranger := newBrowser(t, app)
	step("a wrong login", stranger.post("/connexion", url.Values{"csrf": {stranger.csrf("/connexion")}, "email": {email}, "password": {"pas le bon mot de passe"}}), 401)

	var queued int
	if err := st.DB().Get(&queued, `SELECT count(*) FROM outbox_email`); err != nil || queued < 4 {
		t.Fatalf("queued e-mails: %d (%v), want at least confirmation, booking, cancellation and reset", queued, err)
	}
	sender, err := mailer.New("", 1, time.Minute, logger)
	if err != nil {
		t.Fatal(err)
	}
	// The family's booking and cancellation go out as one message (no window: at once).
	policy := store.DefaultOutboxPolicy()
	policy.GroupWindow = 0
	round, err := mailer.NewDeliverer(st, sender, policy, 100, logger).Round(ctx)
	if err != nil || round.DeliveredEmails != queued || round.Delivered >= queued {
		t.Fatalf("delivered %+v of %d (%v)", round, queued, err)
	}

	raw := logBuf.String()
	text := logText(t, raw)
	if got := strings.Count(raw, `"msg":"e-mail handled, not sent (no SMTP_URL)"`); got != queued {
		t.Errorf("the log notes %d e-mails handled, want %d", got, queued)
	}
	for _, kind := range []string{"confirm_email", "booking", "cancellation", "reset_password"} {
		if !strings.Contains(raw, `"kind":"`+kind+`"`) {
			t.Errorf("no %s e-mail noted in the log", kind)
		}
	}
	if !strings.Contains(raw, `"path":"/confirmer"`) || !strings.Contains(raw, `"path":"/reinitialiser"`) {
		t.Error("the access log lacks the visits of the e-mailed links")
	}
	for what, s := range secrets {
		if strings.Contains(text, s) || strings.Contains(strings.ToLower(text), strings.ToLower(s)) {
			t.Errorf("the log holds the %s %q", what, s)
		}
	}
	if m := regexp.MustCompile(`[^\s"@<>]+@[^\s"@<>]+\.[a-z]{2,}`).FindString(text); m != "" {
		t.Errorf("the log holds an e-mail address: %q", m)
	}
	if m := regexp.MustCompile(`[A-Za-z0-9_-]{40,}`).FindString(text); m != "" {
		t.Errorf("the log holds something like a token: %q", m)
	}
	if m := regexp.MustCompile(`jeton|token=|\?`).FindString(text); m != "" {
		t.Errorf("the log holds a query string or token parameter: %q", m)
	}
	if t.Failed() {
		t.Logf("log:\n%s", raw)
	}
}
