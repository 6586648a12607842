package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/net/html"
)

// controlsWithoutVisibleText returns every link and button of an HTML page that shows no text:
// its words are only in an aria-label or title, only for screen readers (fr-sr-only, hidden,
// aria-hidden), or clipped away by the DSFR, which draws an icon button (fr-btn with an
// fr-icon- class) as a bare square unless the button says where its icon goes
// (fr-btn--icon-left/right) and, inside a button group, the group does too
// (fr-btns-group--icon-left/right). Each is described by its markup's start.
func controlsWithoutVisibleText(doc *html.Node) []string {
	var bad []string
	var walk func(n *html.Node, ancestors []*html.Node)
	walk = func(n *html.Node, ancestors []*html.Node) {
		if n.Type == html.ElementNode && hidden(n) {
			return
		}
		if n.Type == html.ElementNode && isControl(n) {
			if visibleText(n) == "" || iconOnly(n, ancestors) {
				bad = append(bad, describe(n))
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, append(ancestors, n))
		}
	}
	walk(doc, nil)
	return bad
}

func isControl(n *html.Node) bool {
	switch n.Data {
	case "a", "button":
		return true
	case "input":
		t := attr(n, "type")
		return t == "submit" || t == "button" || t == "reset"
	}
	return false
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

func classes(n *html.Node) []string { return strings.Fields(attr(n, "class")) }

func hasClass(n *html.Node, class string) bool {
	for _, c := range classes(n) {
		if c == class {
			return true
		}
	}
	return false
}

func hasClassPrefix(n *html.Node, prefix string) bool {
	for _, c := range classes(n) {
		if strings.HasPrefix(c, prefix) {
			return true
		}
	}
	return false
}

// hidden: the element and what it holds are not drawn (or drawn for screen readers only).
func hidden(n *html.Node) bool {
	return hasAttr(n, "hidden") || attr(n, "aria-hidden") == "true" || hasClass(n, "fr-sr-only") ||
		strings.Contains(strings.ReplaceAll(attr(n, "style"), " ", ""), "display:none") ||
		(n.Data == "input" && attr(n, "type") == "hidden")
}

// visibleText is the text a sighted user reads on the control: its text nodes outside hidden
// elements, an image's alternative, a submit input's value.
func visibleText(n *html.Node) string {
	if n.Data == "input" {
		return strings.TrimSpace(attr(n, "value"))
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && hidden(n):
			return
		case n.Type == html.ElementNode && n.Data == "img":
			b.WriteString(attr(n, "alt"))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// iconOnly: the DSFR clips the control's text away and draws its icon alone.
func iconOnly(n *html.Node, ancestors []*html.Node) bool {
	if hasClassPrefix(n, "fr-pagination__link--") && !hasClass(n, "fr-pagination__link--label") {
		for _, kind := range []string{"first", "last", "prev", "next"} {
			if hasClass(n, "fr-pagination__link--"+kind) {
				return true // its words show only with --label (--lg-label: on wide screens only)
			}
		}
	}
	if !hasClass(n, "fr-btn") {
		return false
	}
	for _, a := range ancestors {
		// The header's tool links are drawn with their words by the header's own styles.
		if hasClass(a, "fr-header__tools-links") || hasClass(a, "fr-header__menu-links") {
			return false
		}
		// The header's bar on a phone draws its buttons as icons, unless app.css gives them room.
		if hasClass(a, "fr-header__navbar") && !hasClass(n, "ap-btn--labelled") {
			return true
		}
	}
	if !hasClassPrefix(n, "fr-icon-") && !hasClassPrefix(n, "fr-fi-") {
		return false
	}
	if !hasClassPrefix(n, "fr-btn--icon-") {
		return true
	}
	for _, a := range ancestors {
		if hasClass(a, "fr-btns-group") && !hasClassPrefix(a, "fr-btns-group--icon-") {
			return true
		}
	}
	return false
}

func describe(n *html.Node) string {
	var b strings.Builder
	b.WriteString("<" + n.Data)
	for _, a := range n.Attr {
		if a.Key == "class" || a.Key == "href" || a.Key == "aria-label" || a.Key == "title" || a.Key == "type" {
			fmt.Fprintf(&b, " %s=%q", a.Key, a.Val)
		}
	}
	b.WriteString("> " + visibleText(n))
	return b.String()
}

func TestVisibleTextCheckerCatchesIconOnlyControls(t *testing.T) {
	for _, tc := range []struct {
		markup string
		bad    bool
	}{
		{`<a href="/x">Modifier</a>`, false},
		{`<a href="/x" aria-label="Modifier"></a>`, true},
		{`<a href="/x" title="Modifier"><span class="fr-icon-edit-line" aria-hidden="true"></span></a>`, true},
		{`<button><span class="fr-sr-only">Modifier</span></button>`, true},
		{`<a class="fr-btn fr-icon-edit-line" href="/x">Modifier</a>`, true},
		{`<a class="fr-btn fr-icon-edit-line fr-btn--icon-left" href="/x">Modifier</a>`, false},
		{`<ul class="fr-btns-group"><li><a class="fr-btn fr-icon-edit-line fr-btn--icon-left" href="/x">Modifier</a></li></ul>`, true},
		{`<ul class="fr-btns-group fr-btns-group--icon-left"><li><a class="fr-btn fr-icon-edit-line fr-btn--icon-left" href="/x">Modifier</a></li></ul>`, false},
		{`<ul class="fr-btns-group"><li><a class="fr-btn" href="/x">Modifier</a></li></ul>`, false},
		{`<div class="fr-header__tools-links"><ul class="fr-btns-group"><li><a class="fr-btn fr-icon-lock-line" href="/c">Se connecter</a></li></ul></div>`, false},
		{`<div class="fr-header__navbar"><button class="fr-btn--menu fr-btn">Menu</button></div>`, true},
		{`<div class="fr-header__navbar"><button class="fr-btn--menu fr-btn ap-btn--labelled">Menu</button></div>`, false},
		{`<a class="fr-pagination__link fr-pagination__link--next" href="?page=2">Page suivante</a>`, true},
		{`<a class="fr-pagination__link fr-pagination__link--next fr-pagination__link--label" href="?page=2">Page suivante</a>`, false},
		{`<input type="submit" value="">`, true},
		{`<input type="submit" value="Envoyer">`, false},
		{`<a href="/"><img src="logo.svg" alt="Accueil"></a>`, false},
	} {
		doc, err := html.Parse(strings.NewReader(tc.markup))
		if err != nil {
			t.Fatal(err)
		}
		if got := len(controlsWithoutVisibleText(doc)) > 0; got != tc.bad {
			t.Errorf("%s: flagged %v, want %v", tc.markup, got, tc.bad)
		}
	}
}

// TestEveryControlHasVisibleText walks every page of the application, in French and in
// English, as nobody and as each role over the objects it owns (the Jura family, hub and
// prefecture; the académie's roles), plus the pages a form answers with, and fails for any link
// or button a sighted user sees without words (issue 14: "Modifier mon foyer" was a bare pencil,
// the hub page's "Faire l'appel", PDF and CSV were unlabelled squares).
func TestEveryControlHasVisibleText(t *testing.T) {
	app, _, ids := newWalk(t)
	pages := walkPages(t, app, ids, []string{"fr", "en"}, func(p walkedPage) {
		for _, c := range controlsWithoutVisibleText(p.doc) {
			t.Errorf("%s as %q (%s): a control without visible text: %s", p.what, p.email, p.lang, c)
		}
	})
	if pages < 150 {
		t.Errorf("only %d HTML pages checked", pages)
	}
	t.Logf("%d HTML pages checked", pages)
}

// walkedPage is one HTML page of a walk: the route it answers (its key in walkRoutes, or the
// request for a page outside them), the path asked for, who asked, in which language.
type walkedPage struct {
	route, what, email, lang string
	body                     string
	doc                      *html.Node
}

// walkPages asks for every page of the application in each of langs, as nobody and as each
// role over the objects it owns (the Jura family, hub and prefecture; the académie's roles):
// every GET of walkRoutes, pages the routes' walk does not draw as HTML or draws empty, and the
// pages a form answers with its errors. It hands each HTML answer to visit and returns how many.
func walkPages(t *testing.T, app *fiber.App, ids walkIDs, langs []string, visit func(walkedPage)) int {
	t.Helper()
	extra := []struct{ route, path string }{
		{"GET /poles/:id/feuille", fmt.Sprintf("/poles/%d/feuille?format=html&jour=%s", ids.juraHub, ids.day)},
		{"GET /poles/:id/appel", fmt.Sprintf("/poles/%d/appel", ids.juraHub)},
		{"GET /occupation", "/occupation?jour=" + ids.day + "&q=dole"},
		{"GET /occupation", "/occupation?jour=" + ids.day + "&q=aucun-pole-de-ce-nom"},
		{"GET /page-qui-n-existe-pas", "/page-qui-n-existe-pas"},
		// The notices a page shows after an action, read back from its query.
		{"GET /attribution", "/attribution?fait=3&places=10&attente=2&prevenues=1&confirmes=" + ids.day},
		{"GET /attribution", "/attribution?rien=1"},
		{"GET /poles/:id", fmt.Sprintf("/poles/%d?fait=capacity&deplaces=2&fratries=1&attente=1&promus=0&revenus=1&courriels=3", ids.juraHub)},
		{"GET /poles/:id", fmt.Sprintf("/poles/%d?fait=close&deplaces=0&promus=2", ids.juraHub)},
		{"GET /occupation/semaine", "/occupation/semaine?departement=39&q=dole"},
		{"GET /occupation/semaine", "/occupation/semaine?q=aucun-pole-de-ce-nom"},
		{"GET /contacts", fmt.Sprintf("/contacts?enfant=%d&du=%s&au=%s", ids.juraChild, ids.day, ids.day)},
		// The what-if with each kind of change over a week, with a form's error, a past day and
		// a change that cannot be read.
		{"GET /simulation", fmt.Sprintf("/simulation?jour=%s&duree=semaine&c=capacite:%d:elementaire:0&c=commune:39198:10:15:15", ids.day, ids.juraHub)},
		{"GET /simulation", fmt.Sprintf("/simulation?jour=%s&ajouter=capacite&pole=%d&niveau=elementaire&capacite=beaucoup", ids.day, ids.juraHub)},
		{"GET /simulation", "/simulation?jour=2020-01-06&c=nimporte:quoi"},
		{"GET /admin/agents", "/admin/agents?etat=disabled"},
	}
	for _, done := range []string{"cree", "invite", "desactive", "reactive", "pole", "deja", "retire"} {
		extra = append(extra, struct{ route, path string }{"GET /admin/agents/:id", fmt.Sprintf("/admin/agents/%d?fait=%s&sessions=2&uai=0390002B", ids.staff, done)})
	}
	posts := []struct {
		path string
		form url.Values
	}{
		{"/foyer", url.Values{}},
		{"/enfants", url.Values{}},
		{"/connexion", url.Values{"email": {"personne@example.fr"}, "password": {"faux"}}},
		{"/admin/agents", url.Values{}},
		{"/admin/agents/import", url.Values{"csv": {"uai;mail\n0390002B;ce.0390002B@ac-besancon.fr\n"}}},
		{"/admin/agents", url.Values{"role": {"prefecture"}, "name": {"X"}, "email": {"pas-une-adresse"}, "departement": {"99"}}},
		{"/admin/agents/import", url.Values{"csv": {"uai;mail\nZZZ;pas-une-adresse\n"}}},
		{fmt.Sprintf("/admin/agents/%d/poles", ids.staff), url.Values{"uai": {"0000000X"}}},
		// A rebalance's preview (nothing done before it is confirmed), and reversed dates.
		{"/attribution", url.Values{"from": {ids.day}, "to": {ids.day}, "rebalance": {"true"}}},
		{"/attribution", url.Values{"from": {ids.bookDay}, "to": {ids.day}}},
	}
	actors := []string{"", "p2@example.fr", "dir39@example.fr", "pref39@example.fr", "rectorat@example.fr", "admin@example.fr"}
	pages := 0
	for _, email := range actors {
		b := newBrowser(t, app)
		csrfPage := "/connexion"
		if email != "" {
			b.login(email, goodPassword)
			csrfPage = "/"
		}
		for _, lang := range langs {
			b.get("/langue?lang=" + lang + "&next=/")
			check := func(route, what string, res response) {
				t.Helper()
				if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
					return
				}
				pages++
				doc, err := html.Parse(strings.NewReader(res.body))
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				visit(walkedPage{route: route, what: what, email: email, lang: lang, body: res.body, doc: doc})
			}
			for key, route := range walkRoutes {
				method, _, _ := strings.Cut(key, " ")
				if method != http.MethodGet {
					continue
				}
				path, _ := route.build(ids)
				check(key, path, b.get(path))
			}
			for _, e := range extra {
				check(e.route, e.path, b.get(e.path))
			}
			csrf := b.csrf(csrfPage)
			for _, p := range posts {
				if p.path == "/connexion" && email != "" {
					continue
				}
				form := url.Values{"csrf": {csrf}}
				for k, v := range p.form {
					form[k] = v
				}
				check("POST "+p.path, "POST "+p.path, b.post(p.path, form))
			}
		}
	}
	return pages
}
