package main

import (
	"context"
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/accueil-prioritaire/accueil/demo"
	"github.com/accueil-prioritaire/accueil/store"
	"github.com/accueil-prioritaire/accueil/store/pgtest"
)

// TestBrowserDirectorJourney walks a director's morning on a 1024 px tablet, saving a
// screenshot of each step: the home (each hub's name above its table), the roll call (each
// child's name above its buttons), an arrival and a departure, a take-in refused for want of a
// seat (answered on the roll call with the hubs that have one) then done (the child marked
// arrived), and the printable sheet of the académie's fullest hub, printed by Chromium on A4:
// no more pages than the PDF, every column inside the page, and the closing lines on a page
// with at least one child's row (never alone under the column titles).
func TestBrowserDirectorJourney(t *testing.T) {
	chromium := chromiumPath(t)
	pdfinfo, pdftotext, pdftoppm := poppler(t, "pdfinfo"), poppler(t, "pdftotext"), poppler(t, "pdftoppm")
	at := pgtest.Weekday()
	dbURL := demoURL(t, at)
	base, _, _ := startServerOn(t, dbURL, at)
	db, err := sqlx.Open("postgres", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	paris := store.DefaultAllocationPolicy().Location
	day := today(at).Format(time.DateOnly)

	// The fullest hub of a commune with several hubs (so that children nearby are placed
	// elsewhere, to take in), given to the demo director.
	var hub struct {
		ID       int64  `db:"id"`
		Name     string `db:"name"`
		Children int    `db:"children"`
	}
	if err := db.Get(&hub, `
		SELECT h.id, h.name, count(*) AS children FROM placement p JOIN hub h ON h.id = p.hub_id
		WHERE p.day = $1 AND (SELECT count(*) FROM hub o WHERE o.commune_code = h.commune_code) > 3
		GROUP BY h.id ORDER BY count(*) DESC, h.id LIMIT 1`, day); err != nil {
		t.Fatalf("no hub with children on %s: %v", day, err)
	}
	// (At some clocks the fullest hub is the demo director's already.)
	if _, err := db.Exec(`INSERT INTO account_hub (account_id, hub_id) SELECT id, $2 FROM account WHERE email = $1
		ON CONFLICT DO NOTHING`, demo.DirectorEmail, hub.ID); err != nil {
		t.Fatal(err)
	}
	// Children placed that day in another hub of the same commune, at a level this hub takes:
	// the first the roll call's search offers is taken in.
	var nearby []struct {
		ID       int64  `db:"id"`
		LastName string `db:"last_name"`
		Level    string `db:"level"`
	}
	if err := db.Select(&nearby, `
		SELECT c.id, c.last_name, c.level::text AS level FROM placement p JOIN child c ON c.id = p.child_id
		JOIN hub o ON o.id = p.hub_id JOIN hub h ON h.id = $2 AND h.commune_code = o.commune_code
		WHERE p.day = $1 AND p.hub_id <> h.id AND length(c.last_name) >= 3
		  AND EXISTS (SELECT 1 FROM hub_day_capacity hdc WHERE hdc.hub_id = h.id AND hdc.day = p.day AND hdc.level = c.level AND hdc.capacity > 0)
		ORDER BY c.id LIMIT 20`, day, hub.ID); err != nil || len(nearby) == 0 {
		t.Fatalf("no child to take in near hub %d: %v", hub.ID, err)
	}

	ctx := newTab(t, chromium)
	// shot saves the whole page; view the screen only (a roll call of 50 children is long).
	shot := func(name string, view ...bool) {
		t.Helper()
		saveScreenshot(t, ctx, "director-"+name, len(view) == 0)
	}
	text := func(sel string) string { t.Helper(); return innerText(t, ctx, sel) }
	// above says whether every element a lies above the element b following it in its block.
	above := func(block, a, b string) bool {
		t.Helper()
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(`+strconv.Quote(block)+`) !== null && [...document.querySelectorAll(`+strconv.Quote(block)+`)].every(el => {
			const a = el.querySelector(`+strconv.Quote(a)+`), b = el.querySelector(`+strconv.Quote(b)+`);
			return a && b && a.getBoundingClientRect().bottom <= b.getBoundingClientRect().top; })`))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if err := within(ctx, chromedp.EmulateViewport(1024, 768), logIn(base, demo.DirectorEmail, demo.StaffPassword)); err != nil {
		t.Fatal(err)
	}
	shot("1-home")
	if !above("main section", "h2", "table") {
		t.Error("on the director's home a hub's table is not under its name")
	}

	rollCall := base + "/poles/" + strconv.FormatInt(hub.ID, 10) + "/appel"
	if err := within(ctx, chromedp.Navigate(rollCall), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
		t.Fatal(err)
	}
	shot("2-rollcall", true)
	if !above(".ap-roll__child", "h2", ".ap-marks") {
		t.Error("on the roll call a child's buttons are not under its name")
	}
	first := `.ap-roll__child:first-child`
	if err := within(ctx, submitAndWait(first+` input[name=mark][value=arrived] ~ button`)); err != nil {
		t.Fatal(err)
	}
	if err := within(ctx, submitAndWait(first+` input[name=mark][value=departed] ~ button`)); err != nil {
		t.Fatal(err)
	}
	now := at.In(paris).Format("15:04")
	if got := text(first + " h2"); !strings.Contains(got, now+" → "+now) {
		t.Errorf("the first child after arriving and leaving: %q", got)
	}
	shot("3-marks", true)

	// Take in: search the children nearby until one can be taken in here.
	var child int64
	var level string
	for _, c := range nearby {
		if err := within(ctx, chromedp.Navigate(rollCall+"?nom="+c.LastName[:3]), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("form[action$='/accueillir'] input[name=child][value='`+strconv.FormatInt(c.ID, 10)+`']").length`))
		if err == nil && n == 1 {
			child, level = c.ID, c.Level
			break
		}
	}
	if child == 0 {
		t.Fatalf("the search offers none of the %d children placed nearby", len(nearby))
	}
	takeIn := `form[action$='/accueillir']:has(input[name=child][value='` + strconv.FormatInt(child, 10) + `']) button`
	// No seat left for the child's level: refused on the roll call, with the hubs that have one.
	if _, err := db.Exec(`UPDATE hub_day_capacity SET capacity = placed WHERE hub_id = $1 AND day = $2 AND level = $3`, hub.ID, day, level); err != nil {
		t.Fatal(err)
	}
	if err := within(ctx, submitAndWait(takeIn)); err != nil {
		t.Fatal(err)
	}
	shot("4-takein-refused", true)
	refusal := text("#accueil-refuse")
	if !strings.Contains(refusal, "ne peut pas être accueilli(e) ici") || !regexp.MustCompile(`— \d+,\d\x{00a0}km — \d+ places? libres?`).MatchString(refusal) {
		t.Errorf("the refused take-in says:\n%s", refusal)
	}
	if _, err := db.Exec(`UPDATE hub_day_capacity SET capacity = placed + 1 WHERE hub_id = $1 AND day = $2 AND level = $3`, hub.ID, day, level); err != nil {
		t.Fatal(err)
	}
	if err := within(ctx, submitAndWait(takeIn)); err != nil {
		t.Fatal(err)
	}
	shot("5-takein-done", true)
	if notice := text("main .fr-alert--success"); !strings.Contains(notice, "est accueilli(e) ici et marqué(e) arrivé(e) à "+now) {
		t.Errorf("after the take-in: %q", notice)
	}
	// Badges are upper-cased by the style sheet, and innerText follows it.
	if got := strings.ToLower(text("#enfant-" + strconv.FormatInt(child, 10) + " h2")); !strings.Contains(got, "présent "+now) {
		t.Errorf("the child taken in is not marked arrived: %q", got)
	}

	// On a phone: the same order, and nothing wider than the screen (the sheet's table scrolls
	// in its own box).
	for _, p := range []struct{ name, url string }{{"8-rollcall-360", rollCall}, {"9-sheet-360", base + "/poles/" + strconv.FormatInt(hub.ID, 10) + "/feuille?format=html&jour=" + day}} {
		if err := within(ctx, chromedp.EmulateViewport(360, 780), chromedp.Navigate(p.url), chromedp.WaitVisible(chromedp.CSS("main h1"))); err != nil {
			t.Fatal(err)
		}
		shot(p.name, true)
		if wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || wide > 360 {
			t.Errorf("%s: the page is %d px wide on a 360 px screen (%v)", p.name, wide, err)
		}
		if p.url == rollCall && !above(".ap-roll__child", "h2", ".ap-marks") {
			t.Error("on a phone a child's buttons are not under its name")
		}
	}
	if err := within(ctx, chromedp.EmulateViewport(1024, 768)); err != nil {
		t.Fatal(err)
	}

	// The printable sheet, printed on A4 by Chromium, against the PDF of the same sheet.
	sheet := base + "/poles/" + strconv.FormatInt(hub.ID, 10) + "/feuille?jour=" + day
	if err := within(ctx, chromedp.Navigate(sheet+"&format=html"), chromedp.WaitVisible(chromedp.CSS("main table"))); err != nil {
		t.Fatal(err)
	}
	shot("6-sheet")
	yes := true
	printed, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(`+strconv.Quote(sheet+"&format=pdf")+`).then(r => r.arrayBuffer())
		.then(b => { let s = ""; new Uint8Array(b).forEach(c => s += String.fromCharCode(c)); return btoa(s); })`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	pdfBytes, err := base64.StdEncoding.DecodeString(pdf)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	htmlPDF, sheetPDF := filepath.Join(dir, "html.pdf"), filepath.Join(dir, "sheet.pdf")
	if err := os.WriteFile(htmlPDF, printed.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sheetPDF, pdfBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	info := func(path string) (pages int, widthPt float64) {
		t.Helper()
		out, err := exec.Command(pdfinfo, path).Output()
		if err != nil {
			t.Fatal(err)
		}
		m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
		size := regexp.MustCompile(`(?m)^Page size:\s+([\d.]+) x ([\d.]+) pts`).FindSubmatch(out)
		if m == nil || size == nil {
			t.Fatalf("pdfinfo %s:\n%s", path, out)
		}
		pages, _ = strconv.Atoi(string(m[1]))
		widthPt, _ = strconv.ParseFloat(string(size[1]), 64)
		if h, _ := strconv.ParseFloat(string(size[2]), 64); path == htmlPDF && (widthPt < 594 || widthPt > 597 || h < 841 || h > 843) {
			t.Errorf("the printed sheet is %s x %s pt, want A4 portrait (595 x 842)", size[1], size[2])
		}
		return pages, widthPt
	}
	htmlPages, width := info(htmlPDF)
	pdfPages, _ := info(sheetPDF)
	t.Logf("hub %d (%d children): the printed HTML sheet takes %d A4 portrait page(s), the PDF %d", hub.ID, hub.Children, htmlPages, pdfPages)
	if htmlPages > pdfPages {
		t.Errorf("the printed HTML sheet of %d children takes %d pages, the PDF %d", hub.Children, htmlPages, pdfPages)
	}
	// Every page has the column titles, the last one ("Signature") inside the page.
	out, err := exec.Command(pdftotext, "-bbox", htmlPDF, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	signatures := regexp.MustCompile(`<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">Signature</word>`).FindAllSubmatch(out, -1)
	if len(signatures) != htmlPages {
		t.Errorf("%d column titles \"Signature\" on %d pages", len(signatures), htmlPages)
	}
	for _, s := range signatures {
		if x, _ := strconv.ParseFloat(string(s[1]), 64); x > width-8 {
			t.Errorf("the last column ends at %.0f pt on a page %.0f pt wide", x, width)
		}
	}
	// The closing lines (counts, confidentiality) never sit alone on the last page under the
	// column titles: that page holds at least one child's row too.
	if rows, foot := lastPageRows(out); !foot || rows == 0 {
		t.Errorf("the last printed page holds %d child rows (closing lines there: %v)", rows, foot)
	}
	for i := range htmlPages {
		prefix := filepath.Join(screenshotDir(t), "director-7-printed")
		if err := exec.Command(pdftoppm, "-png", "-r", "70", "-f", strconv.Itoa(i+1), "-l", strconv.Itoa(i+1), "-singlefile", htmlPDF, prefix+"-"+strconv.Itoa(i+1)).Run(); err != nil {
			t.Fatal(err)
		}
	}
}

// lastPageRows reads the last page of `pdftotext -bbox` output of a printed sheet: how many
// child rows it holds (numbers left of the column title "Enfant", in the column "N°"), and
// whether the sheet's closing confidentiality line is on it.
func lastPageRows(bbox []byte) (rows int, foot bool) {
	pages := strings.Split(string(bbox), "<page ")
	last := pages[len(pages)-1]
	word := regexp.MustCompile(`<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>`)
	words := word.FindAllStringSubmatch(last, -1)
	childColumn := -1.0
	for _, w := range words {
		if w[3] == "Enfant" {
			childColumn, _ = strconv.ParseFloat(w[1], 64)
		}
		foot = foot || w[3] == "confidentiel"
	}
	for _, w := range words {
		if _, err := strconv.Atoi(w[3]); err != nil {
			continue
		}
		if x, _ := strconv.ParseFloat(w[2], 64); x < childColumn {
			rows++
		}
	}
	return rows, foot
}

// innerText is the text of the first element sel matches, as shown (innerText).
func innerText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// poppler returns the path of a poppler tool, which `make test` installs: missing, the test is
// skipped on a developer's machine and fails in CI.
func poppler(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil && os.Getenv("CI") == "" {
		t.Skipf("%s not installed (poppler-utils): %v", name, err)
	} else if err != nil {
		t.Fatalf("%s is required in CI (apt-get install poppler-utils): %v", name, err)
	}
	return path
}
