package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// staffApp is the two départements' académie with an admin, at the tests' clock; it returns a
// browser logged in as the admin.
func staffApp(t *testing.T) (*fiber.App, *store.Store, *browser, func(email string) *browser) {
	t.Helper()
	app, st := newApp(t)
	if err := st.LoadSeed(context.Background(), twoDepartements(store.DefaultAllocationPolicy().Today(pgtest.Weekday()))); err != nil {
		t.Fatal(err)
	}
	createAccount(t, st, store.NewAccount{Email: "admin@example.fr", Role: store.RoleAdmin, DisplayName: "Admin"})
	as := func(email string) *browser {
		b := newBrowser(t, app)
		b.login(email, goodPassword)
		return b
	}
	return app, st, as("admin@example.fr"), as
}

func staffCount(t *testing.T, st *store.Store) int {
	t.Helper()
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM account WHERE role <> 'parent'`); err != nil {
		t.Fatal(err)
	}
	return n
}

func directorForm(csrf, email, hubs string) url.Values {
	return url.Values{"csrf": {csrf}, "role": {"director"}, "name": {"Anne Roux"}, "email": {email}, "hubs": {hubs}}
}

// TestStaffPagesAreForAdminAndRectorat: parents, directors, prefecture agents and nobody are
// refused every staff page and change (404, or the login page), and nothing is made.
func TestStaffPagesAreForAdminAndRectorat(t *testing.T) {
	app, st, _, as := staffApp(t)
	before := staffCount(t, st)
	id := accountID(t, st, "dir39@example.fr")
	for _, email := range []string{"", "p1@example.fr", "dir25@example.fr", "pref25@example.fr"} {
		b, csrfPage := newBrowser(t, app), "/connexion"
		if email != "" {
			b, csrfPage = as(email), "/"
		}
		csrf := b.csrf(csrfPage)
		for _, path := range []string{"/admin/agents", "/admin/agents/nouveau", "/admin/agents/import", fmt.Sprintf("/admin/agents/%d", id)} {
			res := b.get(path)
			if email == "" && (res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/connexion")) {
				t.Errorf("nobody GET %s: %d %s", path, res.StatusCode, res.Header.Get("Location"))
			}
			if email != "" && res.StatusCode != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", email, path, res.StatusCode)
			}
		}
		for path, form := range map[string]url.Values{
			"/admin/agents":        directorForm(csrf, "new@example.fr", ""),
			"/admin/agents/import": {"csrf": {csrf}, "csv": {"uai;mail\n0250001A;ce.0250001A@ac-besancon.fr\n"}, "confirmer": {"oui"}},
			fmt.Sprintf("/admin/agents/%d/desactiver", id): {"csrf": {csrf}, "confirmer": {"oui"}},
		} {
			if res := b.post(path, form); res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusSeeOther {
				t.Errorf("%q POST %s: %d", email, path, res.StatusCode)
			}
		}
	}
	var disabled int
	if err := st.DB().Get(&disabled, `SELECT count(*) FROM account WHERE disabled_at IS NOT NULL`); err != nil {
		t.Fatal(err)
	}
	if after := staffCount(t, st); after != before || disabled != 0 {
		t.Errorf("staff accounts %d → %d, %d disabled: a refused request changed them", before, after, disabled)
	}
}

// TestRectoratCannotMakeOrReachAdmins: the rectorat's form offers no admin role and refuses a
// forged one (422 naming the field); admins are outside its list and pages.
func TestRectoratCannotMakeOrReachAdmins(t *testing.T) {
	_, st, _, as := staffApp(t)
	b := as("rectorat@example.fr")
	form := b.get("/admin/agents/nouveau").body
	if strings.Contains(form, `value="admin"`) || !strings.Contains(form, `value="prefecture"`) {
		t.Error("the rectorat's form offers the admin role, or not the prefecture's")
	}
	f := directorForm(b.csrf("/admin/agents/nouveau"), "admin2@example.fr", "")
	f.Set("role", "admin")
	res := b.post("/admin/agents", f)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "À corriger : Rôle") {
		t.Errorf("rectorat making an admin: %d\n%s", res.StatusCode, res.body)
	}
	if list := b.get("/admin/agents").body; strings.Contains(list, "admin@example.fr") || !strings.Contains(list, "dir25@example.fr") {
		t.Error("the rectorat's list shows an admin, or misses a director")
	}
	admin := accountID(t, st, "admin@example.fr")
	csrf := b.csrf("/admin/agents")
	for _, res := range []response{b.get(fmt.Sprintf("/admin/agents/%d", admin)), b.get(fmt.Sprintf("/admin/agents/%d/desactiver", admin)),
		b.post(fmt.Sprintf("/admin/agents/%d/desactiver", admin), url.Values{"csrf": {csrf}, "confirmer": {"oui"}}),
		b.post(fmt.Sprintf("/admin/agents/%d/inviter", admin), url.Values{"csrf": {csrf}})} {
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("rectorat reaching the admin: %d", res.StatusCode)
		}
	}
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM account WHERE role = 'admin' AND disabled_at IS NULL`); err != nil || n != 1 {
		t.Errorf("active admins: %d, %v", n, err)
	}
}

// TestCreateStaffRefusesBadFields: each bad field answers 422 with the form, names the field
// and makes nothing; a form without its CSRF token is refused.
func TestCreateStaffRefusesBadFields(t *testing.T) {
	_, st, admin, _ := staffApp(t)
	before := staffCount(t, st)
	csrf := admin.csrf("/admin/agents/nouveau")
	for _, tc := range []struct {
		name  string
		edit  func(url.Values)
		label string
	}{
		{"bad e-mail", func(f url.Values) { f.Set("email", "pas-une-adresse") }, "Adresse e-mail (identifiant)"},
		{"no name", func(f url.Values) { f.Set("name", "") }, "Nom affiché"},
		{"unknown role", func(f url.Values) { f.Set("role", "parent") }, "Rôle"},
		{"prefecture without département", func(f url.Values) { f.Set("role", "prefecture") }, "Département (agent de préfecture)"},
		{"prefecture of an unknown département", func(f url.Values) { f.Set("role", "prefecture"); f.Set("departement", "75") }, "Département (agent de préfecture)"},
		{"bad UAI", func(f url.Values) { f.Set("hubs", "0250001A, 12") }, "Pôles dirigés (codes UAI)"},
		{"unknown hub", func(f url.Values) { f.Set("hubs", "0259999Z") }, "Pôles dirigés (codes UAI)"},
		{"address taken", func(f url.Values) { f.Set("email", "DIR25@example.fr") }, "Adresse e-mail (identifiant)"},
	} {
		f := directorForm(csrf, "new@example.fr", "0250001A")
		tc.edit(f)
		res := admin.post("/admin/agents", f)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "À corriger : "+tc.label) {
			t.Errorf("%s: %d, want 422 naming %q\n%s", tc.name, res.StatusCode, tc.label, res.body)
		}
	}
	f := directorForm("", "new@example.fr", "")
	f.Del("csrf")
	if res := admin.post("/admin/agents", f); res.StatusCode != http.StatusForbidden {
		t.Errorf("without CSRF: %d, want 403", res.StatusCode)
	}
	if after := staffCount(t, st); after != before {
		t.Errorf("refused forms made %d accounts", after-before)
	}
}

// TestCreateDirectorInvitedThenLogsIn: a director made on the page gets an invitation e-mail;
// re-inviting kills the first link; the second sets the password, and the director logs in to
// their hub. Both changes are audited.
func TestCreateDirectorInvitedThenLogsIn(t *testing.T) {
	_, st, admin, _ := staffApp(t)
	res := admin.post("/admin/agents", directorForm(admin.csrf("/admin/agents/nouveau"), "anne.roux@example.fr", "0250001a"))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", res.StatusCode, res.body)
	}
	page := admin.get(res.Header.Get("Location")).body
	for _, want := range []string{"Compte anne.roux@example.fr créé", "Invité, mot de passe pas encore choisi", "École Jean-Macé, Besançon (0250001A)"} {
		if !strings.Contains(page, want) {
			t.Errorf("account page lacks %q", want)
		}
	}
	first := lastLink(t, st, "anne.roux@example.fr")
	id := accountID(t, st, "anne.roux@example.fr")
	if res := admin.post(fmt.Sprintf("/admin/agents/%d/inviter", id), url.Values{"csrf": {admin.csrf("/admin/agents")}}); res.StatusCode != http.StatusSeeOther ||
		!strings.Contains(admin.get(res.Header.Get("Location")).body, "le lien précédent ne fonctionne plus") {
		t.Fatalf("re-invite: %d", res.StatusCode)
	}
	second := lastLink(t, st, "anne.roux@example.fr")
	if first == second || !strings.HasPrefix(second, "/reinitialiser?jeton=") {
		t.Fatalf("links %q, %q", first, second)
	}
	director := newBrowser(t, admin.app)
	token := func(link string) string { u, _ := url.Parse(link); return u.Query().Get("jeton") }
	setPassword := func(link string) int {
		return director.post("/reinitialiser", url.Values{"csrf": {director.csrf(link)}, "jeton": {token(link)},
			"password": {goodPassword}, "password2": {goodPassword}}).StatusCode
	}
	if code := setPassword(first); code != http.StatusNotFound {
		t.Errorf("the first link after a re-invitation: %d, want 404", code)
	}
	if code := setPassword(second); code != http.StatusOK {
		t.Fatalf("the new link: %d", code)
	}
	director.login("anne.roux@example.fr", goodPassword)
	if home := director.get("/").body; !strings.Contains(home, "École Jean-Macé") {
		t.Error("the new director's home lacks their hub")
	}
	var actions []string
	if err := st.DB().Select(&actions, `SELECT action FROM audit_log WHERE object_id = $1 AND object_type = 'account' ORDER BY id`, fmt.Sprint(id)); err != nil {
		t.Fatal(err)
	}
	if strings.Join(actions, ",") != "account.create,account.reinvite" {
		t.Errorf("audited %v", actions)
	}
}

// TestDisableStaffPreviewsThenEndsSessions: disabling shows what it will do and changes
// nothing until confirmed; confirmed, the director's session ends at once; nobody disables
// themselves; enabling gives the account back.
func TestDisableStaffPreviewsThenEndsSessions(t *testing.T) {
	_, st, admin, as := staffApp(t)
	director := as("dir25@example.fr")
	id := accountID(t, st, "dir25@example.fr")
	path := fmt.Sprintf("/admin/agents/%d/desactiver", id)
	preview := admin.get(path)
	if preview.StatusCode != http.StatusOK || !strings.Contains(preview.body, "Sessions ouvertes fermées immédiatement : 1.") {
		t.Fatalf("preview: %d\n%s", preview.StatusCode, preview.body)
	}
	if res := admin.post(path, url.Values{"csrf": {admin.csrf(path)}}); res.StatusCode != http.StatusOK {
		t.Errorf("POST without confirmation: %d, want the preview", res.StatusCode)
	}
	if res := director.get("/"); !strings.Contains(res.body, "École Jean-Macé") {
		t.Fatal("the preview ended the director's session")
	}
	res := admin.post(path, url.Values{"csrf": {admin.csrf(path)}, "confirmer": {"oui"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if page := admin.get(res.Header.Get("Location")).body; !strings.Contains(page, "Compte dir25@example.fr désactivé ; sessions fermées : 1.") {
		t.Errorf("no notice after disabling\n%s", page)
	}
	if res := director.get("/poles/1"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the disabled director's session still opens a hub page: %d", res.StatusCode)
	}
	if res := director.post("/connexion", url.Values{"csrf": {director.csrf("/connexion")}, "email": {"dir25@example.fr"}, "password": {goodPassword}}); res.StatusCode == http.StatusSeeOther {
		t.Error("a disabled director logs in")
	}
	self := accountID(t, st, "admin@example.fr")
	selfPath := fmt.Sprintf("/admin/agents/%d/desactiver", self)
	if res := admin.post(selfPath, url.Values{"csrf": {admin.csrf("/admin/agents")}, "confirmer": {"oui"}}); res.StatusCode != http.StatusConflict ||
		!strings.Contains(res.body, "Vous ne pouvez pas désactiver votre propre compte") {
		t.Errorf("disabling oneself: %d", res.StatusCode)
	}
	if res := admin.post(fmt.Sprintf("/admin/agents/%d/reactiver", id), url.Values{"csrf": {admin.csrf("/admin/agents")}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable: %d", res.StatusCode)
	}
	as("dir25@example.fr") // logs in again, or fails the test
}

// TestAssignAndRemoveHubs: an admin gives a director a hub by its UAI code and takes it back;
// a bad or unknown code answers 422 naming the field.
func TestAssignAndRemoveHubs(t *testing.T) {
	_, st, admin, _ := staffApp(t)
	id := accountID(t, st, "dir25@example.fr")
	page := fmt.Sprintf("/admin/agents/%d", id)
	csrf := admin.csrf(page)
	for _, bad := range []string{"123", "0259999Z"} {
		res := admin.post(page+"/poles", url.Values{"csrf": {csrf}, "uai": {bad}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.body, "À corriger : Code UAI du pôle") {
			t.Errorf("uai %s: %d", bad, res.StatusCode)
		}
	}
	res := admin.post(page+"/poles", url.Values{"csrf": {csrf}, "uai": {"0390002b"}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(admin.get(res.Header.Get("Location")).body, "Pôle 0390002B attribué à dir25@example.fr.") {
		t.Fatalf("assign: %d", res.StatusCode)
	}
	hubs := func() string {
		var s string
		if err := st.DB().Get(&s, `SELECT coalesce(string_agg(h.uai, ',' ORDER BY h.uai), '') FROM account_hub ah JOIN hub h ON h.id = ah.hub_id WHERE ah.account_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := hubs(); got != "0250001A,0390002B" {
		t.Fatalf("hubs %s", got)
	}
	ids, err := st.HubIDsByUAI(context.Background(), []string{"0250001A"})
	if err != nil {
		t.Fatal(err)
	}
	res = admin.post(fmt.Sprintf("%s/poles/%d/retirer", page, ids[0]), url.Values{"csrf": {csrf}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(admin.get(res.Header.Get("Location")).body, "Pôle 0250001A retiré à dir25@example.fr.") {
		t.Fatalf("remove: %d", res.StatusCode)
	}
	if got := hubs(); got != "0390002B" {
		t.Errorf("hubs after removal %s", got)
	}
	var audited int
	if err := st.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action IN ('account.hub_assign', 'account.hub_unassign') AND object_id = $1`, fmt.Sprint(id)); err != nil || audited != 2 {
		t.Errorf("audited %d, %v", audited, err)
	}
}

// TestImportDirectorsPreviewThenConfirm: the import shows what it will do line by line and
// makes nothing; confirmed, it makes and invites the directors; lines refused name their line.
func TestImportDirectorsPreviewThenConfirm(t *testing.T) {
	_, st, _, as := staffApp(t)
	b := as("rectorat@example.fr")
	csv := "uai;nom;mail\n" +
		"0390002B;École Pasteur;ce.0390002B@ac-besancon.fr\n" +
		"0250001A;École Jean-Macé;dir25@example.fr\n" +
		"0259999Z;École inconnue;ce.0259999Z@ac-besancon.fr\n" +
		"0250001A;Doublon;ce.0250001A@ac-besancon.fr\n" +
		"ABC;Sans code;ce.abc@ac-besancon.fr\n"
	before := staffCount(t, st)
	res := b.post("/admin/agents/import", url.Values{"csrf": {b.csrf("/admin/agents/import")}, "csv": {csv}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Comptes qui seront créés et invités : 1 ; pôles attribués à des directions existantes : 0 ; déjà en place : 1 ; lignes refusées : 3.") {
		t.Fatalf("preview: %d\n%s", res.StatusCode, res.body)
	}
	if staffCount(t, st) != before {
		t.Fatal("the preview made accounts")
	}
	for _, want := range []string{"aucun pôle n’a le code UAI 0259999Z", "UAI 0250001A déjà présent ligne 3", "UAI invalide"} {
		if !strings.Contains(res.body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	res = b.post("/admin/agents/import", url.Values{"csrf": {b.csrf("/admin/agents/import")}, "csv": {csv}, "confirmer": {"oui"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(res.body, "Comptes créés et invités par e-mail : 1 ;") {
		t.Fatalf("confirm: %d\n%s", res.StatusCode, res.body)
	}
	var n int
	if err := st.DB().Get(&n, `SELECT count(*) FROM account a JOIN account_hub ah ON ah.account_id = a.id JOIN hub h ON h.id = ah.hub_id
		JOIN outbox_email o ON o.to_address = a.email AND o.kind = 'invitation'
		WHERE a.email = 'ce.0390002b@ac-besancon.fr' AND a.role = 'director' AND h.uai = '0390002B'`); err != nil || n != 1 {
		t.Errorf("the imported director: %d, %v", n, err)
	}
	if staffCount(t, st) != before+1 {
		t.Errorf("%d accounts made, want 1", staffCount(t, st)-before)
	}
	if res := b.post("/admin/agents/import", url.Values{"csrf": {b.csrf("/admin/agents/import")}, "csv": {"nom;adresse\nx;y\n"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.body, "colonne uai et une colonne mail") {
		t.Errorf("a file without the columns: %d", res.StatusCode)
	}
}

// TestStaffListFiltersAndPages: 60 more directors; the list filters by role and state, finds a
// name typed without accents, and shows 50 a page.
func TestStaffListFiltersAndPages(t *testing.T) {
	_, st, admin, _ := staffApp(t)
	for i := range 60 {
		createAccount(t, st, store.NewAccount{Email: fmt.Sprintf("d%02d@example.fr", i), Role: store.RoleDirector, DisplayName: fmt.Sprintf("Directeur %02d", i)})
	}
	if _, err := st.DB().Exec(`UPDATE account SET password_hash = NULL WHERE email = 'd07@example.fr'`); err != nil {
		t.Fatal(err)
	}
	rows := func(path string) int {
		return strings.Count(admin.get(path).body, `<a class="fr-link" href="/admin/agents/`)
	}
	if n := rows("/admin/agents?role=director"); n != 50 {
		t.Errorf("first page: %d rows, want 50", n)
	}
	if n := rows("/admin/agents?role=director&page=2"); n != 12 {
		t.Errorf("second page: %d rows, want 12 (62 directors)", n)
	}
	if body := admin.get("/admin/agents?role=director").body; !strings.Contains(body, "Comptes correspondants : 62 sur 66.") {
		t.Errorf("the list does not count 62 directors out of 66 staff accounts: %s", regexpFind(t, body, `<p class="fr-text--sm">([^<]*)</p>`))
	}
	if n := rows("/admin/agents?etat=invited"); n != 1 {
		t.Errorf("invited: %d rows, want 1", n)
	}
	if body := admin.get("/admin/agents?q=" + url.QueryEscape("jean mace")).body; !strings.Contains(body, "dir25@example.fr") || strings.Contains(body, "dir39@example.fr") {
		t.Error("a search without accents does not find the director of École Jean-Macé alone")
	}
	if n := rows("/admin/agents?role=prefecture"); n != 2 {
		t.Errorf("prefecture: %d rows, want 2", n)
	}
}
