package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"

	"github.com/accueil-prioritaire/accueil/api"
	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// frenchCheck is how one French message of the catalogue (or of the error table) is found on
// a page: a text that is the whole message, whatever values fill its printf verbs ("Jour",
// "environ 3 min"), or that holds one of its longer pieces ("pôles occupés à plus de 90 %").
// A short piece alone is no proof: a hub named "Collège Pasteur" is not the level "Collège".
type frenchCheck struct {
	key    string
	whole  *regexp.Regexp
	pieces []string
}

var printfVerb = regexp.MustCompile(`%(?:%|[-+# 0]*[0-9]*(?:\.[0-9]+)?[a-zA-Z])`)

// normalText is a text as compared: spaces of every kind made one plain space.
func normalText(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f' }), " ")
}

// trimPunct drops what is not a letter or a digit at both ends.
func trimPunct(s string) string {
	return strings.TrimFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// frenchChecks are the checks of every French message that differs from its English. Words
// English uses too ("Département", "UAI", "PAI") prove nothing and are left out.
func frenchChecks() []frenchCheck {
	english := frontend.EnglishTexts()
	messages := frontend.FrenchOnly()
	for i, m := range api.ErrorTexts() {
		messages[fmt.Sprintf("errors[%d]", i)] = m[0]
		english = append(english, m[1])
	}
	for i := range english {
		english[i] = normalText(english[i])
	}
	inEnglish := func(s string) bool {
		return slices.ContainsFunc(english, func(en string) bool { return strings.Contains(en, s) })
	}
	var out []frenchCheck
	for key, fr := range messages {
		var quoted []string
		c := frenchCheck{key: key}
		for _, piece := range printfVerb.Split(normalText(fr), -1) {
			quoted = append(quoted, regexp.QuoteMeta(piece))
			if piece = trimPunct(piece); strings.Contains(piece, " ") && letters(piece) >= 8 && !inEnglish(piece) {
				c.pieces = append(c.pieces, piece)
			}
		}
		if bare := trimPunct(printfVerb.ReplaceAllString(fr, "")); letters(bare) >= 4 && !inEnglish(bare) {
			c.whole = regexp.MustCompile(`^[^\p{L}\p{N}]*` + strings.Trim(strings.Join(quoted, ".+?"), " ") + `[^\p{L}\p{N}]*$`)
		}
		if c.whole != nil || len(c.pieces) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// shownTexts are the texts of a page that a user reads or hears: its text nodes (text for
// screen readers too, not scripts or styles) and the words of its attributes (title,
// aria-label, alt, placeholder, a button's value, the data-* messages its scripts show).
func shownTexts(doc *html.Node) []string {
	var out []string
	add := func(s string) {
		if s = normalText(s); s != "" {
			out = append(out, s)
		}
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			add(n.Data)
		case html.ElementNode:
			if n.Data == "script" || n.Data == "style" {
				return
			}
			for _, a := range n.Attr {
				switch {
				case a.Key == "title", a.Key == "aria-label", a.Key == "alt", a.Key == "placeholder",
					a.Key == "value" && (attr(n, "type") == "submit" || attr(n, "type") == "button"),
					strings.HasPrefix(a.Key, "data-") && strings.ContainsRune(a.Val, ' '):
					add(a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

// frenchOn returns the French messages a page shows, as "key: the text that shows it".
func frenchOn(doc *html.Node, checks []frenchCheck) []string {
	var found []string
	for _, s := range shownTexts(doc) {
		for _, c := range checks {
			if (c.whole != nil && c.whole.MatchString(s)) || slices.ContainsFunc(c.pieces, func(p string) bool { return strings.Contains(s, p) }) {
				found = append(found, c.key+": "+s)
			}
		}
	}
	sort.Strings(found)
	return slices.Compact(found)
}

func TestFrenchCheckerFindsCatalogueStrings(t *testing.T) {
	checks := frenchChecks()
	for _, tc := range []struct {
		markup string
		french bool
	}{
		{`<p>Liste d’attente</p>`, true},
		{`<p>Waitlist</p>`, false},
		{`<table><tr><th>Jour</th></tr></table>`, true},
		{`<table><tr><td>Collège Pasteur</td><td>Jour de fête</td></tr></table>`, false}, // data: a hub's name
		{`<p>12 pôles occupés à plus de 90 %</p>`, true},                                 // a message with its numbers
		{`<a class="fr-btn" title="Fermer">Close</a>`, true},
		{`<span data-minutes="environ %d min">about 3 min</span>`, true},
		{`<p>Département du Jura, UAI 0390002B</p>`, false}, // words English uses too
		{`<p class="fr-sr-only">Cette page n’existe pas ou ne vous est pas accessible.</p>`, true},
		{`<script>var x = "Liste d’attente";</script>`, false},
	} {
		doc, err := html.Parse(strings.NewReader(tc.markup))
		if err != nil {
			t.Fatal(err)
		}
		if got := frenchOn(doc, checks); (len(got) > 0) != tc.french {
			t.Errorf("%s: found %q, want French %v", tc.markup, got, tc.french)
		}
	}
}

// englishAllowance lists the routes that still show French from the catalogue in English
// because another part of issue 14 translates them in its own branch, with whose part it is.
// Each is a known gap, not a pass: TestEnglishPagesShowNoFrench logs what each still shows, and
// fails once one is clean, so that the coordinator removes its line after the merge.
var englishAllowance = map[string]string{}

// shownAsData are the catalogue messages a route shows as data, by route: not a gap.
var shownAsData = map[string][]string{
	// "Mes données" lists the subjects of the e-mails sent as they were sent, in both languages
	// ("Accueil prioritaire : vos places ont changé / your seats changed").
	"GET /mes-donnees": {"service.name"},
}

// TestEnglishPagesShowNoFrench walks every page of the application in English, as nobody and
// as each role (the walk of TestEveryControlHasVisibleText), and fails for each page that shows
// a French message of the catalogue (frontend/i18n.go) or of the error table (issue 14:
// "the map popups, the /attribution headers and the footer stay French").
func TestEnglishPagesShowNoFrench(t *testing.T) {
	app, _, ids := newWalk(t)
	checks := frenchChecks()
	found := map[string][]string{}
	pages := walkPages(t, app, ids, []string{"en"}, func(p walkedPage) {
		who := p.email
		if who == "" {
			who = "nobody"
		}
		page := p.route + " as " + who
		for _, f := range frenchOn(p.doc, checks) {
			key, _, _ := strings.Cut(f, ":")
			if !slices.Contains(found[page], f) && !slices.Contains(shownAsData[p.route], key) {
				found[page] = append(found[page], f)
			}
		}
		if _, ok := found[page]; !ok {
			found[page] = nil
		}
	})
	if pages < 70 {
		t.Errorf("only %d English pages checked", pages)
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	stillFrench := map[string]bool{}
	for _, page := range keys {
		french := found[page]
		route, _, _ := strings.Cut(page, " as ")
		owner, allowed := englishAllowance[route]
		switch {
		case len(french) > 0 && allowed:
			t.Logf("ALLOWED for now (%s): %s shows French:\n\t%s", owner, page, strings.Join(french, "\n\t"))
			stillFrench[route] = true
		case len(french) > 0:
			t.Errorf("%s shows French:\n\t%s", page, strings.Join(french, "\n\t"))
		}
	}
	for route := range englishAllowance {
		if !stillFrench[route] {
			t.Errorf("%s shows no French in English any more: remove it from englishAllowance", route)
		}
	}
	t.Logf("%d English pages checked", pages)
}

// TestLanguageSwitchKeepsThePageAndStaysOnSite: the switch drawn on a page with several query
// parameters (accents, spaces, an ampersand in a value) comes back to that page with all of
// them, and the page is then in the other language; a target off the site, however written,
// comes back to the home page.
func TestLanguageSwitchKeepsThePageAndStaysOnSite(t *testing.T) {
	app, _, _ := newWalk(t)
	b := newBrowser(t, app)
	b.login("pref25@example.fr", goodPassword)
	const page = "/occupation/semaine?departement=25&q=Besan%C3%A7on+%26+Dole&page=2"
	res := b.get(page)
	link := regexp.MustCompile(`href="(/langue\?[^"]+)"`).FindStringSubmatch(res.body)
	if link == nil {
		t.Fatal("no language switch")
	}
	switched := b.get(html.UnescapeString(link[1]))
	if switched.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch: %d", switched.StatusCode)
	}
	to, err := url.Parse(switched.Header.Get("Location"))
	if err != nil || to.Path != "/occupation/semaine" || to.Query().Get("q") != "Besançon & Dole" ||
		to.Query().Get("departement") != "25" || to.Query().Get("page") != "2" {
		t.Errorf("the switch goes to %q, want %s", switched.Header.Get("Location"), page)
	}
	if back := b.get(switched.Header.Get("Location")); !strings.Contains(back.body, `<html lang="en"`) || !strings.Contains(back.body, "Besançon &amp; Dole") {
		t.Errorf("after the switch the page is not the same page in English")
	}
	for _, next := range []string{"//evil.example", "/\\evil.example", "https://evil.example/", "javascript:alert(1)",
		"%2F%2Fevil.example", "/\r\nSet-Cookie:x=1", " //evil.example", "\\\\evil.example", "/\t/evil.example"} {
		res := b.get("/langue?lang=fr&next=" + url.QueryEscape(next))
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("next=%q: %d to %q, want the home page", next, res.StatusCode, loc)
		}
	}
}

// TestAccountEmailsSayItInEnglishToo: every e-mail about an account (confirmation, sign-up
// attempt on a known address, new password, erasure) has a subject and a body in both
// languages; the one asked for by a visitor in English (the confirmation after an English
// sign-up) starts in English, as one asked for in French starts in French.
func TestAccountEmailsSayItInEnglishToo(t *testing.T) {
	app, st, _ := newWalk(t)
	signup := func(email string) {
		b := newBrowser(t, app)
		b.get("/langue?lang=en&next=/")
		b.post("/inscription", url.Values{"csrf": {b.csrf("/inscription")}, "name": {"Alex Martin"}, "email": {email},
			"password": {goodPassword}, "password2": {goodPassword}})
	}
	signup("nouveau@example.fr")
	signup("p2@example.fr") // an address that has an account
	b := newBrowser(t, app)
	b.post("/mot-de-passe-oublie", url.Values{"csrf": {b.csrf("/mot-de-passe-oublie")}, "email": {"p2@example.fr"}})
	type mail struct {
		Kind    string `db:"kind"`
		Subject string `db:"subject"`
		Body    string `db:"body_text"`
	}
	var mails []mail
	queued := func() {
		t.Helper()
		var got []mail
		if err := st.DB().Select(&got, `SELECT kind, subject, body_text FROM outbox_email WHERE to_address IN ('nouveau@example.fr', 'p2@example.fr') ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		mails = append(mails, got...)
	}
	queued()
	// The erasure deletes the account's e-mails and queues its last one.
	b.login("p2@example.fr", goodPassword)
	if res := b.post("/mes-donnees/effacer", url.Values{"csrf": {b.csrf("/mes-donnees")}, "password": {goodPassword}}); res.StatusCode != 200 {
		t.Fatalf("erase: %d", res.StatusCode)
	}
	if _, err := st.DB().Exec(`DELETE FROM outbox_email WHERE to_address = 'nouveau@example.fr'`); err != nil {
		t.Fatal(err)
	}
	queued()
	if len(mails) < 4 {
		t.Fatalf("%d e-mails queued, want confirmation, warning, reset and erasure", len(mails))
	}
	englishFirst := map[string]bool{}
	for _, m := range mails {
		first, second, ok := strings.Cut(m.Body, "\n\n---\n\n")
		switch {
		case !ok || !strings.Contains(m.Subject, " / "):
			t.Errorf("%s e-mail %q: not in both languages:\n%s", m.Kind, m.Subject, m.Body)
		case strings.HasPrefix(first, "Bonjour,") && strings.HasPrefix(second, "Hello,"):
		case strings.HasPrefix(first, "Hello,") && strings.HasPrefix(second, "Bonjour,") && strings.HasPrefix(m.Subject, "Priority childcare"):
			englishFirst[m.Kind] = true
		default:
			t.Errorf("%s e-mail %q: its halves are not one French, one English:\n%s", m.Kind, m.Subject, m.Body)
		}
	}
	if !englishFirst[string(store.EmailConfirm)] || englishFirst[string(store.EmailReset)] {
		t.Errorf("English first in %v: want the confirmation asked in English only", englishFirst)
	}
}

// TestCSVHeadersFollowTheLanguage: the overview's exports (the day's, the period's), the
// contact list and the access log name their columns in the visitor's language; the rows stay data.
func TestCSVHeadersFollowTheLanguage(t *testing.T) {
	app, _, ids := newWalk(t)
	b := newBrowser(t, app)
	b.login("rectorat@example.fr", goodPassword)
	exports := map[string][2]string{
		"/occupation?format=csv&jour=" + ids.day: {
			"Jour;UAI;Pôle;Commune;Département;Capacité;Places proposées;Places confirmées;Présents;Occupation %;En attente à proximité",
			"Day;UAI;Hub;Commune;Département;Capacity;Seats proposed;Seats confirmed;Present;Occupancy %;Waiting nearby"},
		"/occupation?format=csv&du=" + ids.day + "&au=" + ids.day: {
			"Jour;UAI;Pôle;Commune;Département;Capacité;Places proposées;Places confirmées;Présents;En attente à proximité",
			"Day;UAI;Hub;Commune;Département;Capacity;Seats proposed;Seats confirmed;Present;Waiting nearby"},
		fmt.Sprintf("/contacts?enfant=%d&du=%s&au=%s&format=csv", ids.juraChild, ids.day, ids.day): {
			"Jour;Pôle;UAI;Direction;Groupe;Nom;Prénom;Responsable;Téléphone",
			"Day;Hub;UAI;Director;Group;Last name;First name;Parent;Phone"},
	}
	admin := newBrowser(t, app)
	admin.login("admin@example.fr", goodPassword)
	journal := [2]string{"Date;Compte;Rôle;Action;Objet;Adresse IP;Pôle;Enfants;Jour;Détails",
		"When;Account;Role;Action;Object;IP address;Hub;Children;Day;Details"}
	for i, lang := range []string{"fr", "en"} {
		b.get("/langue?lang=" + lang + "&next=/")
		admin.get("/langue?lang=" + lang + "&next=/")
		res := admin.get("/journal?format=csv")
		if first, _, _ := strings.Cut(strings.TrimPrefix(res.body, "\ufeff"), "\n"); strings.TrimSpace(first) != journal[i] {
			t.Errorf("access log CSV in %s: %d, first line %q, want %q", lang, res.StatusCode, first, journal[i])
		}
		for path, headers := range exports {
			res := b.get(path)
			first, _, _ := strings.Cut(strings.TrimPrefix(res.body, "\ufeff"), "\n")
			if res.StatusCode != 200 || strings.TrimSpace(first) != headers[i] {
				t.Errorf("%s in %s: %d, first line %q, want %q", path, lang, res.StatusCode, first, headers[i])
			}
		}
	}
}
