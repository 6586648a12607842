package api_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// walkActor is who walks the routes: a role with an account of the Doubs, or nobody.
type walkActor struct {
	name  string
	email string // empty: not logged in
	role  store.Role
}

// walkIDs are the other tenant's objects every walk request aims at: the Jura hub, the Jura
// family's child and its session.
type walkIDs struct {
	juraHub, doubsHub, juraChild int64
	juraSession                  string
	day                          string
	bookDay                      string // a day a parent can still book (today may be over)
	run                          int64
	staff                        int64 // the Jura director's account
}

// walkRoute is one route of api/routes.go as the walk tries it.
type walkRoute struct {
	// allowed are the roles the route is meant for; none: public.
	allowed []store.Role
	// scoped: the request names another tenant's object, so that even an allowed role of the
	// Doubs (parent of the other household, director of another hub, prefecture of another
	// département) must be refused. Académie-wide roles (rectorat, admin) may reach it.
	scoped bool
	// refusedAs422: a scoped request refused line by line with the reasons (the import), not
	// as a 404.
	refusedAs422 bool
	// build gives the request's path, and its form for a POST.
	build func(ids walkIDs) (path string, form url.Values)
}

var (
	walkParent    = []store.Role{store.RoleParent}
	walkStaff     = []store.Role{store.RoleDirector, store.RolePrefecture, store.RoleRectorat, store.RoleAdmin}
	walkOversight = []store.Role{store.RolePrefecture, store.RoleRectorat, store.RoleAdmin}
	walkAcademie  = []store.Role{store.RoleRectorat, store.RoleAdmin}
	walkAnyone    = []store.Role{store.RoleParent, store.RoleDirector, store.RolePrefecture, store.RoleRectorat, store.RoleAdmin}
)

func walkGet(path string) func(walkIDs) (string, url.Values) {
	return func(walkIDs) (string, url.Values) { return path, nil }
}

// walkRoutes lists every route of the application. TestEveryRouteRefusesOtherTenants fails for a
// route missing here: a new route cannot be added without joining the walk.
var walkRoutes = map[string]walkRoute{
	"GET /livez":                {build: walkGet("/livez")},
	"GET /readyz":               {build: walkGet("/readyz")},
	"GET /metrics":              {build: walkGet("/metrics")},
	"GET /":                     {build: walkGet("/")},
	"GET /langue":               {build: walkGet("/langue?lang=en&next=/")},
	"GET /donnees-personnelles": {build: walkGet("/donnees-personnelles")},
	"GET /connexion":            {build: walkGet("/connexion")},
	"POST /connexion":           {build: func(walkIDs) (string, url.Values) { return "/connexion", url.Values{"email": {"p2@example.fr"}} }},
	"POST /deconnexion":         {build: func(walkIDs) (string, url.Values) { return "/deconnexion", url.Values{} }},
	"GET /inscription":          {build: walkGet("/inscription")},
	"POST /inscription":         {build: func(walkIDs) (string, url.Values) { return "/inscription", url.Values{"email": {"p2@example.fr"}} }},
	"GET /confirmer":            {build: walkGet("/confirmer?jeton=not-a-token")},
	"GET /mot-de-passe-oublie":  {build: walkGet("/mot-de-passe-oublie")},
	"POST /mot-de-passe-oublie": {build: func(walkIDs) (string, url.Values) {
		return "/mot-de-passe-oublie", url.Values{"email": {"nobody@example.fr"}}
	}},
	"GET /reinitialiser":             {build: walkGet("/reinitialiser?jeton=not-a-token")},
	"POST /reinitialiser":            {build: func(walkIDs) (string, url.Values) { return "/reinitialiser", url.Values{"jeton": {"not-a-token"}} }},
	"GET /dev/emails":                {allowed: []store.Role{}, build: walkGet("/dev/emails")},
	"GET /sessions":                  {allowed: walkAnyone, build: walkGet("/sessions")},
	"POST /sessions/autres/terminer": {allowed: walkAnyone, build: func(walkIDs) (string, url.Values) { return "/sessions/autres/terminer", url.Values{} }},
	"POST /sessions/:id/terminer": {allowed: walkAnyone, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return "/sessions/" + ids.juraSession + "/terminer", url.Values{}
	}},
	"GET /foyer":           {allowed: walkParent, build: walkGet("/foyer")},
	"POST /foyer":          {allowed: walkParent, build: func(walkIDs) (string, url.Values) { return "/foyer", url.Values{} }},
	"GET /enfants/nouveau": {allowed: walkParent, build: walkGet("/enfants/nouveau")},
	"POST /enfants":        {allowed: walkParent, build: func(walkIDs) (string, url.Values) { return "/enfants", url.Values{} }},
	"GET /enfants/:id": {allowed: walkParent, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/enfants/%d", ids.juraChild), nil
	}},
	"POST /enfants/:id": {allowed: walkParent, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		f := childForm("")
		f.Set("first_name", "Volé")
		f.Set("birth_date", "2018-03-01")
		f.Set("level", "elementaire")
		return fmt.Sprintf("/enfants/%d", ids.juraChild), f
	}},
	"POST /enfants/:id/supprimer": {allowed: walkParent, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/enfants/%d/supprimer", ids.juraChild), url.Values{"confirmer": {"oui"}}
	}},
	"POST /confirmer/renvoyer": {allowed: walkParent, build: func(walkIDs) (string, url.Values) { return "/confirmer/renvoyer", url.Values{} }},
	"GET /reserver":            {allowed: walkParent, build: walkGet("/reserver")},
	"POST /reserver": {allowed: walkParent, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return "/reserver", url.Values{"key": {"walk-key-0001"}, "child": {fmt.Sprint(ids.juraChild)}, "day": {ids.bookDay},
			"location": {"home"}, "arrive_at": {"08:00"}, "depart_at": {"17:00"}}
	}},
	"GET /reservations": {allowed: walkParent, build: walkGet("/reservations")},
	"GET /mes-donnees":  {allowed: walkParent, build: walkGet("/mes-donnees")},
	"POST /mes-donnees/effacer": {allowed: walkParent, build: func(walkIDs) (string, url.Values) {
		return "/mes-donnees/effacer", url.Values{"password": {"not the password at all"}}
	}},
	"POST /reservations/annuler": {allowed: walkParent, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return "/reservations/annuler", url.Values{"child": {fmt.Sprint(ids.juraChild)}, "day": {ids.day}, "confirmer": {"oui"}}
	}},
	"POST /api/bookings": {allowed: walkParent, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return "/api/bookings", url.Values{"json": {fmt.Sprintf(`{"child_ids":[%d],"days":["%s"],"location":"home","arrive_at":"08:00","depart_at":"17:00"}`, ids.juraChild, ids.bookDay)}}
	}},
	"GET /api/communes": {allowed: walkAnyone, build: walkGet("/api/communes?q=Dole")},
	"GET /poles/import": {allowed: walkOversight, build: walkGet("/poles/import")},
	"POST /poles/import": {allowed: walkOversight, scoped: true, refusedAs422: true, build: func(walkIDs) (string, url.Values) {
		// The Jura hub, renamed and moved into Besançon: a take-over attempt (issue 12, hole 1).
		return "/poles/import", url.Values{"csv": {"uai;nom;adresse;code_commune;latitude;longitude;type\n0390002B;Pris;1 rue;25056;47.25;6.02;elementaire\n"}}
	}},
	"GET /simulation": {allowed: walkOversight, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/simulation?jour=%s&c=fermer:%d", ids.day, ids.juraHub), nil
	}},
	"GET /poles/:id": {allowed: walkStaff, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/poles/%d", ids.juraHub), nil
	}},
	"GET /poles/:id/feuille": {allowed: walkStaff, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/poles/%d/feuille?jour=%s&format=csv", ids.juraHub, ids.day), nil
	}},
	"GET /poles/:id/appel": {allowed: walkStaff, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/poles/%d/appel?nom=No", ids.juraHub), nil
	}},
	"GET /contacts": {allowed: walkStaff, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/contacts?enfant=%d&du=%s&au=%s&format=csv", ids.juraChild, ids.day, ids.day), nil
	}},
	"GET /occupation":               {allowed: walkOversight, build: walkGet("/occupation")},
	"GET /occupation/semaine":       {allowed: walkOversight, build: walkGet("/occupation/semaine")},
	"GET /api/occupation":           {allowed: walkOversight, build: walkGet("/api/occupation")},
	"GET /carte":                    {allowed: walkOversight, build: walkGet("/carte")},
	"GET /tendances":                {allowed: walkOversight, build: walkGet("/tendances")},
	"GET /api/carte":                {allowed: walkOversight, build: walkGet("/api/carte")},
	"GET /api/departements.geojson": {allowed: walkOversight, build: walkGet("/api/departements.geojson")},
	"POST /poles/:id/appel": {allowed: walkStaff, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/poles/%d/appel", ids.juraHub), url.Values{"child": {fmt.Sprint(ids.juraChild)}, "mark": {"arrived"}, "jour": {ids.day}}
	}},
	"POST /poles/:id/accueillir": {allowed: walkStaff, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		// The Jura child into the Doubs hub: the director may act on their hub, not reach the child.
		return fmt.Sprintf("/poles/%d/accueillir", ids.doubsHub), url.Values{"child": {fmt.Sprint(ids.juraChild)}, "jour": {ids.day}}
	}},
	"GET /poles/:id/capacite": {allowed: walkOversight, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/poles/%d/capacite?jour=%s&niveau=elementaire&capacite=0", ids.juraHub, ids.day), nil
	}},
	"POST /poles/:id/capacite": {allowed: walkOversight, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/poles/%d/capacite", ids.juraHub), url.Values{"jour": {ids.day}, "niveau": {"elementaire"}, "capacite": {"0"}, "confirmer": {"oui"}}
	}},
	"GET /poles/:id/fermer": {allowed: walkOversight, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/poles/%d/fermer", ids.juraHub), nil
	}},
	"POST /poles/:id/fermer": {allowed: walkOversight, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/poles/%d/fermer", ids.juraHub), url.Values{"jour": {ids.day}, "confirmer": {"oui"}}
	}},
	"GET /poles/:id/rouvrir": {allowed: walkOversight, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/poles/%d/rouvrir", ids.juraHub), nil
	}},
	"POST /poles/:id/rouvrir": {allowed: walkOversight, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/poles/%d/rouvrir", ids.juraHub), url.Values{"confirmer": {"oui"}}
	}},
	"GET /feuilles/:day": {allowed: walkOversight, build: func(ids walkIDs) (string, url.Values) {
		return "/feuilles/" + ids.day + "?format=zip", nil
	}},
	"POST /api/allocation-runs": {allowed: walkAcademie, build: func(ids walkIDs) (string, url.Values) {
		return "/api/allocation-runs", url.Values{"json": {fmt.Sprintf(`{"from":"%s","to":"%s"}`, ids.day, ids.day)}}
	}},
	"GET /attribution": {allowed: walkAcademie, build: walkGet("/attribution")},
	"POST /attribution": {allowed: walkAcademie, build: func(ids walkIDs) (string, url.Values) {
		return "/attribution", url.Values{"du": {ids.day}, "au": {ids.day}}
	}},
	"GET /api/allocation-runs/:id": {allowed: walkAcademie, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/api/allocation-runs/%d", ids.run), nil
	}},
	"GET /journal":             {allowed: []store.Role{store.RoleAdmin}, build: walkGet("/journal")},
	"GET /courriels":           {allowed: []store.Role{store.RoleAdmin}, build: walkGet("/courriels")},
	"GET /salle-attente":       {build: walkGet("/salle-attente?suite=/reserver")},
	"GET /salle-attente/etat":  {build: walkGet("/salle-attente/etat")},
	"GET /admin/salle-attente": {allowed: []store.Role{store.RoleAdmin}, build: walkGet("/admin/salle-attente")},
	"POST /admin/salle-attente": {allowed: []store.Role{store.RoleAdmin}, build: func(walkIDs) (string, url.Values) {
		return "/admin/salle-attente", url.Values{"mode": {"closed"}}
	}},
	"GET /admin/agents":         {allowed: walkAcademie, build: walkGet("/admin/agents?q=jura&role=director")},
	"GET /admin/agents/nouveau": {allowed: walkAcademie, build: walkGet("/admin/agents/nouveau")},
	"POST /admin/agents": {allowed: walkAcademie, build: func(walkIDs) (string, url.Values) {
		return "/admin/agents", url.Values{"role": {"admin"}, "name": {"Intrus"}, "email": {"intrus@example.fr"}}
	}},
	"GET /admin/agents/import": {allowed: walkAcademie, build: walkGet("/admin/agents/import")},
	"POST /admin/agents/import": {allowed: walkAcademie, build: func(walkIDs) (string, url.Values) {
		return "/admin/agents/import", url.Values{"csv": {"uai;mail\n0390002B;ce.0390002B@ac-besancon.fr\n"}, "confirmer": {"oui"}}
	}},
	"GET /admin/agents/:id": {allowed: walkAcademie, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/admin/agents/%d", ids.staff), nil
	}},
	"POST /admin/agents/:id/inviter": {allowed: walkAcademie, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/admin/agents/%d/inviter", ids.staff), url.Values{}
	}},
	"GET /admin/agents/:id/desactiver": {allowed: walkAcademie, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/admin/agents/%d/desactiver", ids.staff), nil
	}},
	"POST /admin/agents/:id/desactiver": {allowed: walkAcademie, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/admin/agents/%d/desactiver", ids.staff), url.Values{"confirmer": {"oui"}}
	}},
	"POST /admin/agents/:id/reactiver": {allowed: walkAcademie, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/admin/agents/%d/reactiver", ids.staff), url.Values{}
	}},
	"POST /admin/agents/:id/poles": {allowed: walkAcademie, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/admin/agents/%d/poles", ids.staff), url.Values{"uai": {"0250001A"}}
	}},
	"POST /admin/agents/:id/poles/:hub/retirer": {allowed: walkAcademie, scoped: true, build: func(ids walkIDs) (string, url.Values) {
		return fmt.Sprintf("/admin/agents/%d/poles/%d/retirer", ids.staff, ids.juraHub), url.Values{}
	}},
}

// tenantFingerprint digests every row a tenant owns or a lever changes, so that a refused
// request is seen to change nothing.
const tenantFingerprint = `SELECT md5(concat_ws('|',
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM hub x),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM hub_level x),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM hub_day_capacity x),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM placement x),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM waitlist_entry x),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM attendance x),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM booking_request x),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM child x),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM child_health_note x),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM pickup_person x),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM household x),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM parent x),
	(SELECT string_agg(concat_ws(',', id, email, role, display_name, password_hash, disabled_at), ';' ORDER BY id) FROM account),
	(SELECT string_agg(x::text, ';' ORDER BY x::text) FROM account_hub x),
	(SELECT string_agg(concat_ws(',', account_id, purpose, used_at), ';' ORDER BY account_id) FROM account_token),
	(SELECT string_agg(concat_ws(',', account_id, public_id), ';' ORDER BY account_id, public_id) FROM session)))`

// newWalk is the world the walks go through: the Doubs and the Jura with a family, a hub and
// staff each, and an admin, at a weekday's clock; ids are the objects the walks aim at.
func newWalk(t *testing.T) (*fiber.App, *store.Store, walkIDs) {
	t.Helper()
	at := pgtest.Weekday()
	today := store.DefaultAllocationPolicy().Today(at)
	app, st := newAppAt(t, api.DefaultConfig(), at)
	bookDay := today.AddDate(0, 0, 1)
	for bookDay.Weekday() == time.Saturday || bookDay.Weekday() == time.Sunday {
		bookDay = bookDay.AddDate(0, 0, 1)
	}
	seed := twoDepartements(today)
	seed.OpenDays = []time.Time{today, bookDay}
	loadAndPlace(t, st, seed, today)
	createAccount(t, st, store.NewAccount{Email: "admin@example.fr", Role: store.RoleAdmin})
	ids := walkIDs{day: today.Format(time.DateOnly), bookDay: bookDay.Format(time.DateOnly)}
	hubs, err := st.HubIDsByUAI(t.Context(), []string{"0250001A", "0390002B"})
	if err != nil {
		t.Fatal(err)
	}
	ids.doubsHub, ids.juraHub = hubs[0], hubs[1]
	if err := st.DB().Get(&ids.juraChild, `SELECT id FROM child WHERE first_name = 'Noé'`); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Get(&ids.run, `SELECT max(id) FROM allocation_run`); err != nil {
		t.Fatal(err)
	}
	ids.staff = accountID(t, st, "dir39@example.fr")
	return app, st, ids
}

// TestEveryRouteRefusesOtherTenants walks every route of the application with every role and
// nobody, aiming at the objects of another tenant (the Jura hub, the other family's child and
// session). A role the route is not meant for, or a Doubs role aiming at the Jura, is refused
// (404; 401, 403 or the login page for nobody; 422 only for the import's line-by-line report)
// and the tenants' rows are unchanged; nothing answers
// 5xx. A route of the application missing from the walk fails the test.
func TestEveryRouteRefusesOtherTenants(t *testing.T) {
	app, st, ids := newWalk(t)
	for _, r := range app.GetRoutes(true) {
		if r.Method == http.MethodHead {
			continue
		}
		if _, ok := walkRoutes[r.Method+" "+r.Path]; !ok {
			t.Errorf("route %s %s is not in the walk (api/route_walk_test.go)", r.Method, r.Path)
		}
	}

	newBrowser(t, app).login("p2@example.fr", goodPassword) // the Jura family's session
	if err := st.DB().Get(&ids.juraSession, `SELECT s.public_id::text FROM session s JOIN account a ON a.id = s.account_id WHERE a.email = 'p2@example.fr'`); err != nil {
		t.Fatal(err)
	}

	actors := []walkActor{{name: "nobody"}, {"parent", "p1@example.fr", store.RoleParent}, {"director", "dir25@example.fr", store.RoleDirector},
		{"prefecture", "pref25@example.fr", store.RolePrefecture}, {"rectorat", "rectorat@example.fr", store.RoleRectorat}, {"admin", "admin@example.fr", store.RoleAdmin}}
	fingerprint := func() string {
		t.Helper()
		var f string
		if err := st.DB().Get(&f, tenantFingerprint); err != nil {
			t.Fatal(err)
		}
		return f
	}
	refusals := 0
	for _, a := range actors {
		b := newBrowser(t, app)
		csrfPage := "/connexion"
		if a.email != "" {
			b.login(a.email, goodPassword)
			csrfPage = "/"
		}
		csrf := b.csrf(csrfPage)
		for key, route := range walkRoutes {
			method, _, _ := strings.Cut(key, " ")
			path, form := route.build(ids)
			allowed := route.allowed == nil || hasRole(route.allowed, a.role) && a.email != ""
			if allowed && route.scoped && a.role != store.RoleRectorat && a.role != store.RoleAdmin {
				allowed = false // a Doubs account aiming at the Jura
			}
			if allowed && method == http.MethodPost {
				continue // a legitimate change is each feature's own test, not the walk's
			}
			before := fingerprint()
			res := walkRequest(b, method, path, form, csrf)
			if res.StatusCode >= 500 {
				t.Errorf("%s %s (%s): %d", method, path, a.name, res.StatusCode)
				continue
			}
			if allowed {
				continue
			}
			refusals++
			// A role the route is not for: not found, or the login page for nobody. A Doubs role
			// aiming at the Jura: not found, as if the object did not exist (a 422 would mean the
			// request never reached the scope check).
			want := []int{http.StatusNotFound}
			switch {
			case route.allowed != nil && len(route.allowed) == 0:
				// a route for nobody here (/dev/emails without DEV_MODE): not found for all
			case a.email == "":
				want = []int{http.StatusUnauthorized, http.StatusForbidden, http.StatusSeeOther}
			case hasRole(route.allowed, a.role) && route.refusedAs422:
				want = []int{http.StatusUnprocessableEntity}
			}
			refused := slices.Contains(want, res.StatusCode)
			if res.StatusCode == http.StatusSeeOther && !strings.HasPrefix(res.Header.Get("Location"), "/connexion") {
				refused = false
			}
			if !refused {
				t.Errorf("%s %s as %s: %d, want one of %v", method, path, a.name, res.StatusCode, want)
			}
			if after := fingerprint(); after != before {
				t.Errorf("%s %s as %s (%d) changed the tenants' rows", method, path, a.name, res.StatusCode)
			}
		}
	}
	t.Logf("%d refusals tried", refusals)
	if refusals < 150 {
		t.Errorf("only %d refusals tried", refusals)
	}
}

func hasRole(roles []store.Role, r store.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// walkRequest sends one walk request: a form, or JSON when the form holds a "json" body.
func walkRequest(b *browser, method, path string, form url.Values, csrf string) response {
	b.t.Helper()
	if method == http.MethodGet {
		return b.get(path)
	}
	if body, ok := form["json"]; ok {
		req := httptest.NewRequest(method, path, strings.NewReader(body[0]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", csrf)
		req.Header.Set("Idempotency-Key", "walk-key-0002")
		return b.do(req)
	}
	form.Set("csrf", csrf)
	return b.post(path, form)
}
