package sheets

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/accueil-prioritaire/accueil/store"
)

// pdfText writes pdf to a temporary file and returns its text, one string per page.
func pdfText(t *testing.T, pdf []byte) []string {
	t.Helper()
	bin := requireTool(t, "pdftotext")
	path := filepath.Join(t.TempDir(), "sheet.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	pages := strings.Split(string(out), "\f")
	if pages[len(pages)-1] == "" {
		pages = pages[:len(pages)-1]
	}
	for i := range pages {
		// -layout pads columns with runs of spaces; one space is enough to find a phrase.
		pages[i] = strings.Join(strings.Fields(pages[i]), " ")
	}
	return pages
}

func pdfPages(t *testing.T, pdf []byte) int {
	t.Helper()
	bin := requireTool(t, "pdfinfo")
	path := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, path).Output()
	if err != nil {
		t.Fatalf("pdfinfo: %v", err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("pdfinfo: no page count in %s", out)
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

func render(t testing.TB, s Sheet) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WritePDF(&b, s); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("%PDF-1.")) {
		t.Fatalf("not a PDF: %.40q", b.Bytes())
	}
	return b.Bytes()
}

func printedName(c Child) string {
	return strings.ToUpper(c.LastName) + " " + c.FirstName
}

func TestPDFSheetText(t *testing.T) {
	s := fixture(1, 60, 42)
	// One child with every letter the brief names, and a decomposed (NFD) first name as a Mac sends it.
	s.Children[0].FirstName = "Ỳvette-Œlla"
	s.Children[1].FirstName = "Zoe\u0301"
	s.Children[2].HealthNote = "Souffle au cœur : pas de course là où il fait froid."
	other := fixture(2, 9, 7)
	other.Children[0].FirstName, other.Children[0].LastName = "Intrus", "Dautrepôle"

	pages := pdfText(t, render(t, s))
	all := strings.Join(pages, "\n")
	if len(pages) < 2 {
		t.Fatalf("60 children on %d page(s); want several", len(pages))
	}
	for _, c := range s.Children {
		name := strings.Join(strings.Fields(clean(printedName(c))), " ")
		if n := strings.Count(all, name); n != 1 {
			t.Errorf("%q printed %d times, want once", name, n)
		}
	}
	for _, letters := range []string{"é", "è", "ê", "ë", "à", "ç", "ï", "ô", "ù", "œ", "Œ", "ễ", "Ỳ", "ü", "ø"} {
		if !strings.Contains(all, letters) {
			t.Errorf("no %q in the text", letters)
		}
	}
	// Printed together (the day's sheets in one PDF), the other hub's child is on its own hub's
	// page, and on none of this one's.
	var merged bytes.Buffer
	if err := WriteMergedPDF(&merged, "", func(yield func(Sheet, error) bool) {
		_ = yield(other, nil) && yield(s, nil)
	}); err != nil {
		t.Fatal(err)
	}
	intruder := 0
	for i, p := range pdfText(t, merged.Bytes()) {
		if !strings.Contains(p, "DAUTREPÔLE") {
			continue
		}
		intruder++
		if !strings.Contains(p, "UAI "+other.Hub.UAI) || strings.Contains(p, "UAI "+s.Hub.UAI) {
			t.Errorf("page %d: the child of hub %s is on the sheet of another hub", i+1, other.Hub.UAI)
		}
	}
	if intruder != 1 {
		t.Errorf("the other hub's child printed on %d page(s) of the merged sheets, want 1", intruder)
	}
	for i, p := range pages {
		for _, want := range []string{
			"Feuille de présence — lundi 23 novembre 2026",
			"École élémentaire Jean-Macé n°1", "UAI 0250001A",
			"12 rue de l'Île-de-France, 25000 Besançon",
			"Direction : Mme Françoise Lefèvre-Ménétrier",
			"Enfant", "Responsable légal", "Santé / PAI", "Signature",
			fmt.Sprintf("Page %d/%d", i+1, len(pages)),
			"Imprimé le 22/11/2026 à 18:04",
		} {
			if !strings.Contains(p, want) {
				t.Errorf("page %d: no %q", i+1, want)
			}
		}
	}
	counts := map[store.Level]int{}
	for _, c := range s.Children {
		counts[c.Level]++
	}
	footer := fmt.Sprintf("Enfants / places : Maternelle %d / 20 · Élémentaire %d / 30", counts[store.Maternelle], counts[store.Elementaire])
	if !strings.Contains(pages[0], footer) {
		t.Errorf("no %q in\n%s", footer, pages[0])
	}
	if want := fmt.Sprintf("Total %d / 65", len(s.Children)); !strings.Contains(pages[len(pages)-1], want) {
		t.Errorf("no %q on the last page", want)
	}
	for _, want := range []string{"À VÉRIFIER", "⚠ SANTÉ / PAI", "Allergie aux arachides", "+33 7 ", "06 ", "placement proposé"} {
		if !strings.Contains(all, want) {
			t.Errorf("no %q in the text", want)
		}
	}
	for _, g := range Groups(s) {
		if !strings.Contains(all, g.Title()) {
			t.Errorf("no group heading %q", g.Title())
		}
	}
}

func TestPDFNoChild(t *testing.T) {
	s := fixture(3, 0, 1)
	pages := pdfText(t, render(t, s))
	if len(pages) != 1 {
		t.Fatalf("%d pages, want 1", len(pages))
	}
	for _, want := range []string{"Aucun enfant n'est attendu dans ce pôle le lundi 23 novembre 2026.", "Page 1/1", "Total 0 / 65"} {
		if !strings.Contains(pages[0], want) {
			t.Errorf("no %q in %s", want, pages[0])
		}
	}
}

// TestPDFRowsNeverSplit checks the pagination on rows of every height, up to the tallest a child
// can have: every row on exactly one page, inside the body, each page starting with a group heading.
func TestPDFRowsNeverSplit(t *testing.T) {
	s := fixture(4, 45, 3)
	long := strings.Repeat("Allergie sévère aux fruits à coque, PAI complet dans le classeur. ", 20)
	for i := range s.Children {
		if i%4 == 0 {
			s.Children[i].HealthNote = long
			for range 8 {
				s.Children[i].Pickups = append(s.Children[i].Pickups, store.Pickup{Name: "Hélène Dupré", Phone: "0611223344", Relation: "tante"})
			}
		}
	}
	r := newRenderer()
	groups := Groups(s)
	rows := make([][]row, len(groups))
	total := 0
	for i, g := range groups {
		for _, c := range g.Children {
			total++
			rw := r.layoutRow(total, c, s)
			if rw.h+groupH > bodyBottom-bodyTop {
				t.Fatalf("a row of %.1f mm cannot fit a page", rw.h)
			}
			rows[i] = append(rows[i], rw)
		}
	}
	seen := map[int]int{}
	for p, items := range paginate(groups, rows) {
		if len(items) == 0 || items[0].kind != itemGroup {
			t.Fatalf("page %d does not start with a group heading", p+1)
		}
		if items[len(items)-1].kind == itemGroup {
			t.Errorf("page %d ends with a group heading", p+1)
		}
		y := bodyTop
		for _, it := range items {
			if it.kind == itemGroup {
				y += groupH
				continue
			}
			y += it.row.h
			seen[it.row.num]++
		}
		if y > bodyBottom+1e-9 {
			t.Errorf("page %d: body ends at %.1f mm, beyond %.1f", p+1, y, bodyBottom)
		}
	}
	for n := 1; n <= total; n++ {
		if seen[n] != 1 {
			t.Errorf("row %d placed %d times", n, seen[n])
		}
	}
	// The cut note says where the rest is.
	pages := pdfText(t, render(t, s))
	if !strings.Contains(strings.Join(pages, " "), "suite dans la fiche de l'enfant") {
		t.Error("a cut note does not say so")
	}
}

// TestPDFUnprintableRunes: an emoji or a letter the font lacks must not break the sheet.
func TestPDFUnprintableRunes(t *testing.T) {
	s := fixture(5, 3, 1)
	s.Children[0].HealthNote = "Allergie 🥜 (arachide)"
	s.Children[1].LastName = "Шевченко"
	text := strings.Join(pdfText(t, render(t, s)), " ")
	if !strings.Contains(text, "Allergie ? (arachide)") {
		t.Errorf("emoji not replaced: %s", text)
	}
	if !strings.Contains(text, "????????") {
		t.Errorf("Cyrillic name not replaced: %s", text)
	}
}

func TestPDFDeterministic(t *testing.T) {
	s := fixture(6, 20, 9)
	if !bytes.Equal(render(t, s), render(t, s)) {
		t.Error("the same sheet renders to different bytes")
	}
}

// TestPreview writes PNG pages of a 60-child sheet and of an empty one, and checks them: one
// image per page of the PDF, landscape A4, with ink on it. To keep them for a human to look at:
// SHEETS_PREVIEW=../.data/sheets-preview go test -run Preview ./sheets
func TestPreview(t *testing.T) {
	dir := os.Getenv("SHEETS_PREVIEW")
	if dir == "" {
		dir = t.TempDir()
	}
	bin := requireTool(t, "pdftoppm")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Sheet{"sheet60": fixture(1, 60, 42), "empty": fixture(3, 0, 1)} {
		old, _ := filepath.Glob(filepath.Join(dir, name+"-*.png"))
		for _, f := range old {
			os.Remove(f)
		}
		path := filepath.Join(dir, name+".pdf")
		pdf := render(t, s)
		if err := os.WriteFile(path, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		res := os.Getenv("SHEETS_PREVIEW_DPI")
		if res == "" {
			res = "60"
		}
		if out, err := exec.Command(bin, "-png", "-r", res, path, filepath.Join(dir, name)).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, out)
		}
		pngs, _ := filepath.Glob(filepath.Join(dir, name+"-*.png"))
		if want := pdfPages(t, pdf); len(pngs) != want {
			t.Errorf("%s: %d preview pages for a PDF of %d", name, len(pngs), want)
		}
		for _, f := range pngs {
			checkPreviewPage(t, f)
		}
	}
}

// checkPreviewPage fails unless the PNG at path is a landscape A4 page with some ink on it.
func checkPreviewPage(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b := img.Bounds()
	if ratio := float64(b.Dx()) / float64(b.Dy()); ratio < 1.38 || ratio > 1.45 { // 297 / 210 = 1.414
		t.Errorf("%s: %d×%d is not a landscape A4 page", path, b.Dx(), b.Dy())
	}
	dark := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl < 3*0x8000 {
				dark++
			}
		}
	}
	if dark < b.Dx()*b.Dy()/500 {
		t.Errorf("%s: %d dark pixels, the page is nearly blank", path, dark)
	}
}
