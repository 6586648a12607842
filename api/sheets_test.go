package api_test

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

func pdfText(t *testing.T, pdf string) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext missing: make test installs poppler-utils")
		}
		t.Skip("pdftotext missing")
	}
	path := filepath.Join(t.TempDir(), "sheet.pdf")
	if err := os.WriteFile(path, []byte(pdf), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestAttendanceSheetDownload(t *testing.T) {
	app, st := newApp(t)
	ctx := context.Background()
	day := nextWeekdays(1)[0]
	seed := twoDepartements(day)
	loadAndPlace(t, st, seed, day)
	setHealthNote(t, st, "Zoé", "Allergie aux œufs")
	ids, _ := st.HubIDsByUAI(ctx, []string{"0250001A", "0390002B"})
	sheet := fmt.Sprintf("/poles/%d/feuille?jour=%s", ids[0], day.Format(time.DateOnly))
	dir := newBrowser(t, app)
	dir.login("dir25@example.fr", goodPassword)
	res := dir.get(sheet)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("sheet: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), res.Header.Get("Cache-Control"))
	}
	text := pdfText(t, res.body)
	for _, want := range []string{"École Jean-Macé", "0250001A", "Zoé", "Inès Dupré", "Allergie aux œufs"} {
		if !strings.Contains(text, want) {
			t.Errorf("the director's sheet lacks %q", want)
		}
	}
	if strings.Contains(text, "Noé") {
		t.Error("a child of another hub is on the sheet")
	}
	if html := dir.get(sheet + "&format=html"); html.StatusCode != 200 || !strings.Contains(html.body, "Zoé") || !strings.Contains(html.body, "Allergie aux œufs") {
		t.Errorf("HTML sheet: %d", html.StatusCode)
	}
	csv := dir.get(sheet + "&format=csv")
	if csv.StatusCode != 200 || !strings.HasPrefix(csv.body, "\ufeff") || !strings.Contains(csv.body, "Zoé") {
		t.Errorf("CSV: %d", csv.StatusCode)
	}
	// The rectorat sees the sheet without the health note; another director gets nothing.
	rect := newBrowser(t, app)
	rect.login("rectorat@example.fr", goodPassword)
	if text := pdfText(t, rect.get(sheet).body); !strings.Contains(text, "Zoé") || strings.Contains(text, "œufs") {
		t.Error("the rectorat's sheet must list the child without the health note")
	}
	for _, email := range []string{"dir39@example.fr", "pref39@example.fr", "p1@example.fr"} {
		b := newBrowser(t, app)
		b.login(email, goodPassword)
		if res := b.get(sheet); res.StatusCode != 404 {
			t.Errorf("%s downloads the Doubs sheet: %d, want 404", email, res.StatusCode)
		}
	}
	var audited int
	if err := st.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'sheet.download'`); err != nil || audited != 4 {
		t.Errorf("downloads audited: %d (%v), want 4", audited, err)
	}
}

func TestDaySheetsZIPFollowsTheScope(t *testing.T) {
	app, st := newApp(t)
	day := nextWeekdays(1)[0]
	loadAndPlace(t, st, twoDepartements(day), day)
	path := "/feuilles/" + day.Format(time.DateOnly)
	for email, want := range map[string][]string{
		"rectorat@example.fr": {"0250001A", "0390002B"},
		"pref25@example.fr":   {"0250001A"},
		"pref39@example.fr":   {"0390002B"},
	} {
		b := newBrowser(t, app)
		b.login(email, goodPassword)
		res := b.get(path)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("%s: %d %s", email, res.StatusCode, res.Header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(strings.NewReader(res.body), int64(len(res.body)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		if len(names) != len(want) {
			t.Errorf("%s: ZIP holds %v, want the hubs %v", email, names, want)
		}
		for i, uai := range want {
			if i >= len(names) || !strings.Contains(names[i], uai) {
				t.Errorf("%s: ZIP holds %v, want the hubs %v", email, names, want)
				break
			}
		}
		if merged := b.get(path + "?format=pdf"); merged.StatusCode != 200 || !strings.HasPrefix(merged.body, "%PDF") {
			t.Errorf("%s merged PDF: %d", email, merged.StatusCode)
		}
	}
	dir := newBrowser(t, app)
	dir.login("dir25@example.fr", goodPassword)
	if res := dir.get(path); res.StatusCode != 404 {
		t.Errorf("director downloads the day's sheets: %d", res.StatusCode)
	}
}

func TestContactList(t *testing.T) {
	app, st := newApp(t)
	day := nextWeekdays(1)[0]
	seed := twoDepartements(day)
	// A second child in Zoé's hub and group, and one in the Jura.
	seed.Households[0].Children = append(seed.Households[0].Children, seed.Households[0].Children[0])
	seed.Households[0].Children[1].FirstName = "Léo"
	loadAndPlace(t, st, seed, day)
	var zoe int64
	if err := st.DB().Get(&zoe, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	d := day.Format(time.DateOnly)
	path := fmt.Sprintf("/contacts?enfant=%d&du=%s&au=%s", zoe, d, d)
	pref := newBrowser(t, app)
	pref.login("pref25@example.fr", goodPassword)
	res := pref.get(path + "&format=csv")
	if res.StatusCode != 200 || !strings.HasPrefix(res.body, "\ufeff") || !strings.Contains(res.body, "Léo") || strings.Contains(res.body, "Noé") {
		t.Fatalf("contact CSV: %d\n%s", res.StatusCode, res.body)
	}
	if html := pref.get(path); html.StatusCode != 200 || !strings.Contains(html.body, "Léo") {
		t.Errorf("contact page: %d", html.StatusCode)
	}
	if pdf := pref.get(path + "&format=pdf"); pdf.StatusCode != 200 || !strings.Contains(pdfText(t, pdf.body), "Léo") {
		t.Errorf("contact PDF: %d", pdf.StatusCode)
	}
	for _, email := range []string{"pref39@example.fr", "dir39@example.fr", "p1@example.fr"} {
		b := newBrowser(t, app)
		b.login(email, goodPassword)
		if res := b.get(path); res.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", email, res.StatusCode)
		}
	}
	var audited int
	if err := st.DB().Get(&audited, `SELECT count(*) FROM audit_log WHERE action = 'contacts.export'`); err != nil || audited != 3 {
		t.Errorf("exports audited: %d (%v), want 3", audited, err)
	}
}

// setHealthNote gives the child named first its health note, as its parent would.
func setHealthNote(t *testing.T, st *store.Store, first, note string) {
	t.Helper()
	ctx := context.Background()
	var acc, id int64
	if err := st.DB().QueryRow(`SELECT h.account_id, c.id FROM child c JOIN household h ON h.id = c.household_id WHERE c.first_name = $1`, first).Scan(&acc, &id); err != nil {
		t.Fatal(err)
	}
	c, err := st.ChildOf(ctx, acc, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpdateChild(ctx, acc, id, store.ChildInput{FirstName: c.FirstName, LastName: c.LastName, BirthDate: c.BirthDate,
		Level: c.Level, HealthNote: note, Pickups: c.Pickups}); err != nil {
		t.Fatal(err)
	}
}

// TestHealthNoteOnlyForTheHubDirector: the prefecture and the rectorat never see a child's
// health note, on any page, sheet or export; the director of the child's hub sees it on the
// sheet of a day the child is placed there, and not on another day.
func TestHealthNoteOnlyForTheHubDirector(t *testing.T) {
	app, st := newApp(t)
	days := nextWeekdays(2)
	seed := twoDepartements(days[0])
	seed.OpenDays = days
	loadAndPlace(t, st, seed, days[0])
	const note = "Allergie aux œufs"
	setHealthNote(t, st, "Zoé", note)
	var zoe int64
	if err := st.DB().Get(&zoe, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	ids, _ := st.HubIDsByUAI(context.Background(), []string{"0250001A"})
	d := days[0].Format(time.DateOnly)
	sheet := fmt.Sprintf("/poles/%d/feuille?jour=%s", ids[0], d)
	contacts := fmt.Sprintf("/contacts?enfant=%d&du=%s&au=%s", zoe, d, d)
	hasNote := func(res response) bool {
		body := res.body
		if strings.HasPrefix(body, "%PDF") {
			body = pdfText(t, body)
		}
		if strings.HasPrefix(body, "PK") {
			body = zipText(t, res.body)
		}
		return strings.Contains(body, "œufs") || strings.Contains(body, "ufs")
	}
	for _, email := range []string{"rectorat@example.fr", "pref25@example.fr"} {
		b := newBrowser(t, app)
		b.login(email, goodPassword)
		for _, path := range []string{"/", sheet, sheet + "&format=html", sheet + "&format=csv", "/feuilles/" + d, "/feuilles/" + d + "?format=pdf",
			contacts, contacts + "&format=csv", contacts + "&format=pdf", fmt.Sprintf("/poles/%d", ids[0]), fmt.Sprintf("/poles/%d/appel?jour=%s", ids[0], d),
			"/occupation", "/occupation/semaine", "/api/occupation", "/carte", "/api/carte", "/tendances"} {
			res := b.get(path)
			if res.StatusCode != 200 {
				t.Errorf("%s %s: %d", email, path, res.StatusCode)
			}
			if hasNote(res) {
				t.Errorf("%s sees the health note on %s", email, path)
			}
		}
	}
	dir := newBrowser(t, app)
	dir.login("dir25@example.fr", goodPassword)
	if !hasNote(dir.get(sheet + "&format=html")) {
		t.Error("the director of the child's hub does not see the note on that day's sheet")
	}
	// The next day Zoé has asked for a seat but is waiting: booked, not placed in the hub. The
	// director's sheet of that day must not show her note.
	if _, err := st.DB().Exec(`INSERT INTO booking_request (child_id, day, location, arrive_at, depart_at, requested_at)
		VALUES ($1, $2, 'home', '08:00', '17:00', $3)`, zoe, days[1], days[0]); err != nil {
		t.Fatal(err)
	}
	other := dir.get(fmt.Sprintf("/poles/%d/feuille?jour=%s&format=html", ids[0], days[1].Format(time.DateOnly)))
	if other.StatusCode != 200 || hasNote(other) {
		t.Errorf("the director's sheet of a day the child is booked but not placed in the hub (%d) shows the note", other.StatusCode)
	}
}
