package api_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestNoLinkLeadsNowhere walks every page as nobody and as each role (the walk of
// TestEveryControlHasVisibleText) and follows each link of the site a page shows its viewer:
// none may answer 404 or an error to that same viewer (a director following "Mes données" on the
// privacy notice got "this page does not exist", seen in the server log of a demo).
func TestNoLinkLeadsNowhere(t *testing.T) {
	app, _, ids := newWalk(t)
	// The links each viewer was shown, with a page that shows it.
	shown := map[string]map[string]string{}
	walkPages(t, app, ids, []string{"fr"}, func(p walkedPage) {
		// The waiting room links to the page its query names, whoever asks: the walk names a
		// parent's page for every viewer, where a real ticket names the page its holder asked for.
		if strings.Contains(p.what, "suite=") {
			return
		}
		if shown[p.email] == nil {
			shown[p.email] = map[string]string{}
		}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "a" {
				href, _, _ := strings.Cut(attr(n, "href"), "#")
				if strings.HasPrefix(href, "/") && !strings.HasPrefix(href, "//") && !strings.HasPrefix(href, "/langue") && !strings.HasPrefix(href, "/static/") {
					if _, ok := shown[p.email][href]; !ok {
						shown[p.email][href] = p.what
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(p.doc)
	})
	links := 0
	for email, hrefs := range shown {
		b := newBrowser(t, app)
		if email != "" {
			b.login(email, goodPassword)
		}
		sorted := make([]string, 0, len(hrefs))
		for h := range hrefs {
			sorted = append(sorted, h)
		}
		sort.Strings(sorted)
		for _, href := range sorted {
			links++
			if res := b.get(href); res.StatusCode == http.StatusNotFound || res.StatusCode >= 500 {
				t.Errorf("as %q, %s links to %s, which answers %d", email, hrefs[href], href, res.StatusCode)
			}
		}
	}
	if links < 100 {
		t.Errorf("only %d links followed", links)
	}
	t.Logf("%d links followed", links)
}
