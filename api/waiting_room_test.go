package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
	"github.com/accueil-prioritaire/accueil/waitingroom"
)

// roomApp is the small académie behind a waiting room, free until a test opens it.
func roomApp(t *testing.T) (*fiber.App, *store.Store, *waitingroom.Room) {
	t.Helper()
	at := pgtest.Weekday()
	today := store.DefaultAllocationPolicy().Today(at)
	st := pgtest.NewStore(t).WithClock(func() time.Time { return at })
	loadAndPlace(t, st, twoDepartements(today), today)
	createAccount(t, st, store.NewAccount{Email: "admin@example.fr", Role: store.RoleAdmin})
	room, err := waitingroom.New(st, waitingroom.Config{Capacity: 100, Stay: 20 * time.Minute, Key: []byte(strings.Repeat("s", 32))})
	if err != nil {
		t.Fatal(err)
	}
	app, err := api.New(api.DefaultConfig(), st, slog.New(slog.NewTextHandler(io.Discard, nil)), api.WithWaitingRoom(room))
	if err != nil {
		t.Fatal(err)
	}
	if err := room.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
	return app, st, room
}

// openRoom forces the room open, as an admin would, and lets the process see it.
func openRoom(t *testing.T, st *store.Store, room *waitingroom.Room) {
	t.Helper()
	if err := st.SetWaitingRoom(t.Context(), store.Scope{Role: store.RoleAdmin}, store.WaitingRoomOpen, 0); err != nil {
		t.Fatal(err)
	}
	if err := room.Sync(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// wantWaitingRoom checks a 503 of the waiting room: Retry-After, the ticket's cookie, and the
// page that reloads itself without JavaScript (meta refresh) and polls with it.
func wantWaitingRoom(t *testing.T, what string, res response, reload string) {
	t.Helper()
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("%s: %d, want 503\n%s", what, res.StatusCode, res.body)
	}
	if n, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || n < 1 {
		t.Errorf("%s: Retry-After %q", what, res.Header.Get("Retry-After"))
	}
	cookie := ""
	for _, c := range res.Header.Values("Set-Cookie") {
		if strings.HasPrefix(c, "__Host-salle=") {
			cookie = c
		}
	}
	for _, attr := range []string{"path=/", "secure", "httponly", "samesite=lax"} {
		if !strings.Contains(strings.ToLower(cookie), attr) {
			t.Errorf("%s: ticket cookie %q lacks %s", what, cookie, attr)
		}
	}
	if reload == "" {
		return
	}
	if !regexp.MustCompile(`<meta http-equiv="refresh" content="[0-9]+; url=` + regexp.QuoteMeta(reload) + `">`).MatchString(res.body) {
		t.Errorf("%s: no meta refresh to %s\n%s", what, reload, res.body)
	}
	for _, want := range []string{"Salle d’attente", "Votre place dans la file",
		"waiting-room.js", `data-waiting-room="/salle-attente/etat"`, `href="/connexion?agent=1"`} {
		if !strings.Contains(res.body, want) {
			t.Errorf("%s: the page lacks %q\n%s", what, want, res.body)
		}
	}
}

// TestWaitingRoomQueuesTheParentsJourney: with the room open, a newcomer asking for a page of
// the parents' journey gets 503, Retry-After, a ticket and the room's page (or its JSON); the
// request goes no further. A parent let in before keeps passing; a logged-in parent without a
// ticket queues (the session alone is no place); pages off the journey are untouched.
func TestWaitingRoomQueuesTheParentsJourney(t *testing.T) {
	app, st, room := roomApp(t)
	admitted := newBrowser(t, app)
	admitted.login("p1@example.fr", goodPassword) // the room free: let in at the door
	if admitted.cookies["__Host-salle"] == "" {
		t.Fatal("no ticket given at the door")
	}
	ticketless := newBrowser(t, app)
	ticketless.login("p2@example.fr", goodPassword)
	delete(ticketless.cookies, "__Host-salle")
	openRoom(t, st, room)

	b := newBrowser(t, app)
	wantWaitingRoom(t, "GET /inscription", b.get("/inscription"), "/inscription")
	wantWaitingRoom(t, "GET /connexion?next=/reserver", b.get("/connexion?next=/reserver"), "/connexion?next=/reserver")
	var accounts int
	count := func() int {
		if err := st.DB().Get(&accounts, `SELECT count(*) FROM account`); err != nil {
			t.Fatal(err)
		}
		return accounts
	}
	before := count()
	wantWaitingRoom(t, "POST /inscription", b.post("/inscription", url.Values{"name": {"Léa Martin"}, "email": {"lea@example.fr"},
		"password": {goodPassword}, "password2": {goodPassword}}), "/inscription")
	if count() != before {
		t.Error("a sign-up went through the waiting room")
	}

	req := httptest.NewRequest(http.MethodPost, "/api/bookings", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	res := b.do(req)
	wantWaitingRoom(t, "POST /api/bookings", res, "")
	var body struct {
		Error struct {
			Status      int    `json:"status"`
			Message     string `json:"message"`
			WaitingRoom *struct {
				Position    int `json:"position"`
				WaitSeconds int `json:"wait_seconds"`
			} `json:"waiting_room"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(res.body), &body); err != nil || body.Error.Status != 503 || body.Error.WaitingRoom == nil ||
		body.Error.WaitingRoom.Position < 1 || body.Error.WaitingRoom.WaitSeconds < 1 || !strings.Contains(body.Error.Message, "salle d’attente") {
		t.Errorf("JSON answer: %s", res.body)
	}

	for _, path := range []string{"/", "/livez", "/donnees-personnelles", "/langue?lang=fr&next=/"} {
		if res := b.get(path); res.StatusCode == http.StatusServiceUnavailable {
			t.Errorf("%s is behind the waiting room", path)
		}
	}
	if res := b.get("/salle-attente?suite=/reserver"); res.StatusCode != 200 || !strings.Contains(res.body, `; url=/salle-attente?suite=%2Freserver"`) {
		t.Errorf("GET /salle-attente: %d\n%s", res.StatusCode, res.body)
	}
	res = b.get("/salle-attente/etat")
	var state struct {
		Admitted    bool `json:"admitted"`
		Position    int  `json:"position"`
		WaitSeconds int  `json:"wait_seconds"`
	}
	if err := json.Unmarshal([]byte(res.body), &state); err != nil || res.StatusCode != 200 || state.Admitted || state.Position < 1 {
		t.Errorf("GET /salle-attente/etat: %d %s", res.StatusCode, res.body)
	}

	if res := admitted.get("/reserver"); res.StatusCode != http.StatusOK {
		t.Errorf("a parent let in before was queued: %d", res.StatusCode)
	}
	wantWaitingRoom(t, "a logged-in parent without a ticket", ticketless.get("/reserver"), "/reserver")
}

// TestStaffAreNeverQueued: with the room open, staff log in through the agents' form and reach
// their pages, the roll call included, and a page of the parents' journey never queues them.
func TestStaffAreNeverQueued(t *testing.T) {
	app, st, room := roomApp(t)
	openRoom(t, st, room)
	hubs, err := st.HubIDsByUAI(t.Context(), []string{"0250001A"})
	if err != nil {
		t.Fatal(err)
	}
	pages := map[string]string{"dir25@example.fr": fmt.Sprintf("/poles/%d/appel", hubs[0]), "pref25@example.fr": "/occupation",
		"rectorat@example.fr": "/attribution", "admin@example.fr": "/admin/salle-attente"}
	for email, page := range pages {
		b := newBrowser(t, app)
		wantWaitingRoom(t, "the parents' login form", b.get("/connexion"), "/connexion")
		form := b.get("/connexion?agent=1")
		if form.StatusCode != http.StatusOK || !strings.Contains(form.body, `&amp;agent=1"`) {
			t.Fatalf("agents' login form: %d\n%s", form.StatusCode, form.body)
		}
		res := b.post("/connexion?agent=1", url.Values{"csrf": {regexpFind(t, form.body, `name="csrf" value="([^"]+)"`)},
			"email": {email}, "password": {goodPassword}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: login %d", email, res.StatusCode)
		}
		delete(b.cookies, "__Host-salle")
		for _, path := range []string{page, "/", "/connexion", "/reserver"} {
			if res := b.get(path); res.StatusCode == http.StatusServiceUnavailable || res.StatusCode >= 500 {
				t.Errorf("%s queued on %s: %d", email, path, res.StatusCode)
			}
		}
		if res := b.get(page); res.StatusCode != http.StatusOK {
			t.Errorf("%s: %s %d", email, page, res.StatusCode)
		}
		if b.cookies["__Host-salle"] != "" {
			t.Errorf("%s was given a ticket", email)
		}
	}
}

// TestWaitingRoomPagesNeedNoDatabase: the room's page and its poll answer with the database
// gone, even for a visitor with a session cookie.
func TestWaitingRoomPagesNeedNoDatabase(t *testing.T) {
	app, st, room := roomApp(t)
	b := newBrowser(t, app)
	b.login("p1@example.fr", goodPassword)
	delete(b.cookies, "__Host-salle") // a session, no ticket
	openRoom(t, st, room)
	if err := st.DB().Close(); err != nil {
		t.Fatal(err)
	}
	if res := b.get("/salle-attente"); res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Votre place dans la file") {
		t.Errorf("GET /salle-attente without the database: %d\n%s", res.StatusCode, res.body)
	}
	if res := b.get("/salle-attente/etat"); res.StatusCode != http.StatusOK || !strings.Contains(res.body, `"position":`) {
		t.Errorf("GET /salle-attente/etat without the database: %d %s", res.StatusCode, res.body)
	}
	if res := newBrowser(t, app).get("/inscription"); res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("a newcomer on the sign-up page without the database: %d", res.StatusCode)
	}
}

// TestWaitingRoomAdminPage: only an admin sees the room's figures and changes its settings;
// each change is in the access log; a bad capacity changes nothing.
func TestWaitingRoomAdminPage(t *testing.T) {
	app, st, _ := roomApp(t)
	settings := func() string {
		var s string
		if err := st.DB().Get(&s, `SELECT mode || '/' || COALESCE(capacity::text, '-') FROM waiting_room`); err != nil {
			t.Fatal(err)
		}
		return s
	}
	for _, email := range []string{"p1@example.fr", "dir25@example.fr", "pref25@example.fr", "rectorat@example.fr"} {
		b := newBrowser(t, app)
		b.login(email, goodPassword)
		if res := b.get("/admin/salle-attente"); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: GET %d, want 404", email, res.StatusCode)
		}
		if res := b.post("/admin/salle-attente", url.Values{"csrf": {b.csrf("/")}, "mode": {"closed"}}); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: POST %d, want 404", email, res.StatusCode)
		}
	}
	if res := newBrowser(t, app).get("/admin/salle-attente"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/connexion") {
		t.Errorf("nobody: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if got := settings(); got != "auto/-" {
		t.Fatalf("settings changed by others: %s", got)
	}

	admin := newBrowser(t, app)
	admin.login("admin@example.fr", goodPassword)
	if home := admin.get("/"); !strings.Contains(home.body, `href="/admin/salle-attente"`) {
		t.Error("the admin's home does not link to the waiting room")
	}
	page := admin.get("/admin/salle-attente")
	for _, want := range []string{"Visiteurs dans la file", "Parents actifs / capacité", "Entrées pendant la dernière minute", `value="auto" checked`} {
		if page.StatusCode != http.StatusOK || !strings.Contains(page.body, want) {
			t.Fatalf("admin page: %d, lacks %q\n%s", page.StatusCode, want, page.body)
		}
	}
	csrf := admin.csrf("/admin/salle-attente")
	if res := admin.post("/admin/salle-attente", url.Values{"csrf": {csrf}, "mode": {"open"}, "capacite": {"-3"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, "La capacité doit être un nombre entier") {
		t.Errorf("bad capacity: %d", res.StatusCode)
	}
	if res := admin.post("/admin/salle-attente", url.Values{"csrf": {csrf}, "mode": {"open"}, "capacite": {"500"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", res.StatusCode, res.body)
	}
	if got := settings(); got != "open/500" {
		t.Fatalf("settings %s, want open/500", got)
	}
	if page := admin.get("/admin/salle-attente"); !strings.Contains(page.body, "ouverte : les nouveaux visiteurs attendent") || !strings.Contains(page.body, `value="500"`) {
		t.Error("the admin page does not show the change")
	}
	if journal := admin.get("/journal"); !strings.Contains(journal.body, "waiting_room.settings") {
		t.Error("the change is not in the access log")
	}
	var details string
	if err := st.DB().Get(&details, `SELECT details::text FROM audit_log WHERE action = 'waiting_room.settings'`); err != nil ||
		!strings.Contains(details, `"mode": "open"`) || !strings.Contains(details, `"capacity": 500`) || !strings.Contains(details, `"previous_mode": "auto"`) {
		t.Errorf("audit details %s (%v)", details, err)
	}
}

// TestLeavingFreesThePlace: a parent at work holds a place; logging out gives it back, and
// staff logging in through the parents' form hold none.
func TestLeavingFreesThePlace(t *testing.T) {
	app, _, room := roomApp(t)
	active := func() int {
		t.Helper()
		if err := room.Sync(t.Context()); err != nil {
			t.Fatal(err)
		}
		return room.Snapshot().Active
	}
	parent := newBrowser(t, app)
	parent.login("p1@example.fr", goodPassword)
	parent.get("/reserver")
	if n := active(); n != 1 {
		t.Fatalf("%d active with one parent at work", n)
	}
	director := newBrowser(t, app)
	director.login("dir25@example.fr", goodPassword)
	if n := active(); n != 1 {
		t.Errorf("%d active after a director logged in, want 1", n)
	}
	if director.cookies["__Host-salle"] != "" {
		t.Error("the director kept a ticket")
	}
	parent.post("/deconnexion", url.Values{"csrf": {parent.csrf("/")}})
	if n := active(); n != 0 {
		t.Errorf("%d active after the parent logged out, want 0", n)
	}
}
