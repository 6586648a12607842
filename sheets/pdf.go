package sheets

// This file is over 500 lines on purpose: it is the one layout of the attendance sheet's page
// (columns, rows, boxes, header and footer share the same geometry), read from top to bottom as
// the page is drawn; split, each part would need the others' measurements to be understood.

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode"

	"github.com/accueil-prioritaire/accueil/store"
	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/text/unicode/norm"
)

// Layout of a landscape A4 page, in millimetres. Landscape because ten columns (three of them
// boxes to write in) do not fit the 190 mm of a portrait page at a size readable at arm's length.
const (
	pageW, pageH = 297.0, 210.0
	marginX      = 10.0
	marginTop    = 8.0
	marginBottom = 7.0
	headerH      = 21.0 // hub and day, on every page
	theadH       = 8.0  // column titles, on every page
	footerH      = 11.0 // counts, printing date, page x/y, on every page
	groupH       = 6.5  // a group heading
	rowMinH      = 10.5 // room to write a time and sign by hand
	padY         = 1.3
	padX         = 1.1
	lineH        = 3.3 // for 7.5 to 9 pt text
	// maxCellLines bounds a cell so that one child always fits on a page; a longer note is cut
	// with a pointer to the child's record rather than split across pages.
	maxCellLines = 9

	bodyTop    = marginTop + headerH + theadH
	footerTop  = pageH - marginBottom - footerH
	bodyBottom = footerTop - 1
	tableW     = pageW - 2*marginX

	family = "DejaVuSansCondensed"
)

type column struct {
	w float64
}

// columns add up to tableW; their titles are the words' columns.
var columns = []column{{6}, {44}, {14}, {36}, {59}, {50}, {18}, {15}, {15}, {20}}

const (
	colNum = iota
	colChild
	colTimes
	colParent
	colPickups
	colHealth
	colProof
	colArrive
	colDepart
	colSign
)

// WritePDF writes the attendance sheet of s as a landscape A4 PDF: a header with the hub, the
// day and the director on every page, the children by level and group (see [Groups]) with their
// column titles repeated on every page, and a footer with the counts per level against capacity,
// the printing date and "page x/y". A child's row is never split across pages. A hub with no
// child gets one page saying so.
func WritePDF(w io.Writer, s Sheet) error {
	r := newRenderer()
	w0 := wordsFor(s.Lang)
	r.pdf.SetTitle(w0.title+" — "+clean(s.Hub.Name)+" — "+w0.date(s.Day), true)
	r.pdf.SetLang(w0.langTag)
	r.pdf.SetCreationDate(s.PrintedAt)
	r.pdf.SetModificationDate(s.PrintedAt)
	r.sheet(s, false)
	return r.output(w)
}

// renderer draws sheets into one PDF document.
type renderer struct {
	pdf            *fpdf.Fpdf
	mode, modePage int    // text render mode set on page modePage
	w              *words // of the sheet being drawn
}

func newRenderer() *renderer {
	pdf := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "L", UnitStr: "mm", SizeStr: "A4"})
	pdf.AddUTF8FontFromBytes(family, "", fontRegular)
	pdf.SetMargins(marginX, marginTop, marginX)
	// Pages are cut by paginate, which knows where a child's row ends.
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCellMargin(padX)
	pdf.SetCreator("Accueil prioritaire", true)
	pdf.SetLang("fr-FR")
	// Same input, same bytes: the catalogue is otherwise written in map order.
	pdf.SetCatalogSort(true)
	return &renderer{pdf: pdf, w: &french}
}

func (r *renderer) output(w io.Writer) error {
	if err := r.pdf.Error(); err != nil {
		return fmt.Errorf("sheets: render PDF: %w", err)
	}
	if err := r.pdf.Output(w); err != nil {
		return fmt.Errorf("sheets: write PDF: %w", err)
	}
	return nil
}

// textStyle is one run of text in a cell.
type textStyle struct {
	bold    bool
	size    float64 // points
	grey    bool
	inverse bool // white on black: the marks that must catch the eye on a black and white print
}

var (
	styleName    = textStyle{bold: true, size: 9}
	styleNormal  = textStyle{size: 8}
	styleBold    = textStyle{bold: true, size: 8}
	styleSmall   = textStyle{size: 7.5}
	styleGrey    = textStyle{size: 7.5, grey: true}
	styleInverse = textStyle{bold: true, size: 7, inverse: true}
)

type line struct {
	text  string
	style textStyle
}

// row is a child laid out: its cells' lines and the height they need.
type row struct {
	num   int
	child Child
	cells [colSign + 1][]line
	h     float64
}

// itemKind is what paginate places on a page.
type itemKind int

const (
	itemGroup itemKind = iota
	itemRow
)

type item struct {
	kind  itemKind
	group *Group
	cont  bool // the group heading repeated at the top of a page
	row   *row
}

// sheet adds the pages of s; bookmark adds an outline entry for the hub (merged PDFs).
func (r *renderer) sheet(s Sheet, bookmark bool) {
	r.w = wordsFor(s.Lang)
	groups := Groups(s)
	rows := make([][]row, len(groups))
	n := 0
	for i, g := range groups {
		rows[i] = make([]row, len(g.Children))
		for j, c := range g.Children {
			n++
			rows[i][j] = r.layoutRow(n, c, s)
		}
	}
	pages := paginate(groups, rows)
	counts := Counts(s)
	for p, items := range pages {
		r.pdf.AddPage()
		if p == 0 && bookmark {
			r.pdf.Bookmark(printable(clean(s.Hub.Name)+" ("+clean(s.Hub.UAI)+")"), 0, 0)
		}
		r.header(s)
		if len(groups) == 0 {
			r.noChild(s)
		} else {
			r.tableHeader()
		}
		y := bodyTop
		zebra := false
		for _, it := range items {
			switch it.kind {
			case itemGroup:
				r.groupHeading(y, it.group, it.cont)
				y += groupH
				zebra = false
			case itemRow:
				r.drawRow(y, it.row, zebra)
				y += it.row.h
				zebra = !zebra
			}
		}
		r.footer(s, counts, p+1, len(pages))
	}
}

// paginate cuts the groups into pages: a row goes to the next page when it does not fit, a group
// heading never ends a page, and a group that goes on over a page break gets its heading again.
// A sheet with no child still has one page.
func paginate(groups []Group, rows [][]row) [][]item {
	pages := [][]item{nil}
	y := bodyTop
	newPage := func() {
		pages = append(pages, nil)
		y = bodyTop
	}
	add := func(it item, h float64) {
		pages[len(pages)-1] = append(pages[len(pages)-1], it)
		y += h
	}
	for i := range groups {
		g := &groups[i]
		if len(rows[i]) > 0 && y+groupH+rows[i][0].h > bodyBottom && len(pages[len(pages)-1]) > 0 {
			newPage()
		}
		add(item{kind: itemGroup, group: g}, groupH)
		for j := range rows[i] {
			rw := &rows[i][j]
			if y+rw.h > bodyBottom {
				newPage()
				add(item{kind: itemGroup, group: g, cont: true}, groupH)
			}
			add(item{kind: itemRow, row: rw}, rw.h)
		}
	}
	return pages
}

// setStyle selects the font, size and colour of the text drawn next. Bold is drawn by stroking
// the regular glyphs' outlines (PDF text render mode 2): fpdf parses and subsets every embedded
// font again for each document, and one font instead of two makes a sheet a third faster, which
// the bulk ZIP of ~395 sheets needs. Drawing code sets its own line width and draw colour before
// every line or box, since this changes them.
func (r *renderer) setStyle(st textStyle) {
	r.pdf.SetFont(family, "", st.size)
	var grey int
	switch {
	case st.inverse:
		grey = 255
	case st.grey:
		grey = 90
	}
	r.pdf.SetTextColor(grey, grey, grey)
	if st.bold {
		r.renderMode(2)
		r.pdf.SetDrawColor(grey, grey, grey)
		// About 5 % of the em, close to the real bold; mm per point is 0.3528.
		r.pdf.SetLineWidth(st.size * 0.3528 * 0.05)
	} else {
		r.renderMode(0)
	}
}

// renderMode sets the text render mode of the current page. fpdf writes the operator at once,
// even before the first page (which corrupts the file), and a new page starts again in mode 0.
func (r *renderer) renderMode(mode int) {
	page := r.pdf.PageNo()
	if page == 0 || (page == r.modePage && mode == r.mode) {
		return
	}
	r.pdf.SetTextRenderingMode(mode)
	r.mode, r.modePage = mode, page
}

// wrap splits text at spaces to the width of column col in style st, adding the lines to cell.
func (r *renderer) wrap(cell []line, col int, text string, st textStyle) []line {
	return r.wrapTokens(cell, col, strings.FieldsFunc(text, breakingSpace), st)
}

// wrapTokens lays tokens out on as few lines as fit column col, one space apart. A token is cut
// only when it is wider than the column on its own, so a phone number given as one token stays
// on one line, where it can be read and dialled.
func (r *renderer) wrapTokens(cell []line, col int, tokens []string, st textStyle) []line {
	r.setStyle(st)
	width := columns[col].w - 2*padX
	space := r.pdf.GetStringWidth(" ")
	var cur strings.Builder
	curW := 0.0
	flush := func() {
		if cur.Len() > 0 {
			cell = append(cell, line{text: cur.String(), style: st})
			cur.Reset()
			curW = 0
		}
	}
	for _, tok := range tokens {
		tok = printable(tok)
		w := r.pdf.GetStringWidth(tok)
		if cur.Len() > 0 && curW+space+w <= width {
			cur.WriteByte(' ')
			cur.WriteString(tok)
			curW += space + w
			continue
		}
		flush()
		if w <= width {
			cur.WriteString(tok)
			curW = w
			continue
		}
		for _, c := range tok {
			cw := r.pdf.GetStringWidth(string(c))
			if curW+cw > width {
				flush()
			}
			cur.WriteRune(c)
			curW += cw
		}
	}
	flush()
	return cell
}

func (r *renderer) layoutRow(num int, c Child, s Sheet) row {
	rw := row{num: num, child: c}
	cells := &rw.cells
	cells[colNum] = []line{{text: fmt.Sprint(num), style: styleSmall}}

	name := strings.ToUpper(clean(c.LastName))
	if first := clean(c.FirstName); first != "" {
		name += " " + first
	}
	cells[colChild] = r.wrap(nil, colChild, name, styleName)
	about := r.w.levelName(c.Level)
	if !c.BirthDate.IsZero() {
		age := store.AgeOn(c.BirthDate, s.Day)
		about = plural(age, r.w.year, r.w.years) + " · " + about
	}
	cells[colChild] = r.wrap(cells[colChild], colChild, about, styleSmall)
	if c.Status == StatusProposed {
		cells[colChild] = r.wrap(cells[colChild], colChild, r.w.proposed, styleGrey)
	}

	arrive, depart := clean(c.ArriveAt), clean(c.DepartAt)
	switch {
	case arrive == "" && depart == "":
		cells[colTimes] = []line{{text: "—", style: styleGrey}}
	default:
		cells[colTimes] = r.wrapTokens(nil, colTimes, []string{orDash(arrive) + " –", orDash(depart)}, styleNormal)
	}

	cells[colParent] = r.wrap(nil, colParent, orDash(clean(c.ParentName)), styleNormal)
	if phone := FormatPhone(clean(c.ParentPhone)); phone != "" {
		cells[colParent] = r.wrapTokens(cells[colParent], colParent, []string{phone}, styleBold)
	}

	if len(c.Pickups) == 0 {
		cells[colPickups] = []line{{text: r.w.noPickup, style: styleGrey}}
	}
	for _, p := range c.Pickups {
		tokens := strings.FieldsFunc(clean(p.Name), breakingSpace)
		if rel := clean(p.Relation); rel != "" {
			tokens = append(tokens, strings.FieldsFunc("("+rel+")", breakingSpace)...)
		}
		if phone := FormatPhone(clean(p.Phone)); phone != "" {
			tokens = append(tokens, phone)
		}
		cells[colPickups] = r.wrapTokens(cells[colPickups], colPickups, tokens, styleSmall)
	}

	if note := clean(c.HealthNote); note != "" {
		cells[colHealth] = []line{{text: r.w.health, style: styleInverse}}
		cells[colHealth] = r.wrap(cells[colHealth], colHealth, note, styleSmall)
	} else {
		cells[colHealth] = []line{{text: "—", style: styleGrey}}
	}

	if c.ProofToCheck {
		cells[colProof] = []line{{text: r.w.proofToCheck, style: styleInverse}, {text: r.w.proofBox, style: styleNormal}}
	} else {
		cells[colProof] = []line{{text: r.w.proofSeen, style: styleGrey}}
	}

	h := rowMinH
	for i := range cells {
		if len(cells[i]) > maxCellLines {
			cells[i] = append(cells[i][:maxCellLines-1], line{text: r.w.cut, style: styleGrey})
		}
		h = max(h, float64(len(cells[i]))*lineH+2*padY)
	}
	rw.h = h
	return rw
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func (r *renderer) header(s Sheet) {
	p := r.pdf
	// The left part takes 62% of the width, the right one the rest: a long hub name is cut rather
	// than printed over the UAI.
	right := func(y float64, text string, st textStyle) {
		r.setStyle(st)
		p.SetXY(marginX+tableW*0.62, y)
		p.CellFormat(tableW*0.38, 6, r.fit(text, tableW*0.38), "", 0, "R", false, 0, "")
	}
	left := func(y float64, text string, st textStyle) {
		r.setStyle(st)
		p.SetXY(marginX, y)
		p.CellFormat(tableW*0.62, 6, r.fit(text, tableW*0.62), "", 0, "L", false, 0, "")
	}
	left(marginTop, r.w.title+" — "+r.w.date(s.Day), textStyle{bold: true, size: 14})
	right(marginTop, r.w.service, styleGrey)

	hub := clean(s.Hub.Name)
	left(marginTop+7, hub, textStyle{bold: true, size: 11})
	if uai := clean(s.Hub.UAI); uai != "" {
		right(marginTop+7, "UAI "+uai, textStyle{bold: true, size: 10})
	}
	addr := clean(s.Hub.Address)
	if commune := clean(s.Hub.Commune); commune != "" {
		if addr != "" {
			addr += ", "
		}
		addr += commune
	}
	left(marginTop+12.5, addr, textStyle{size: 9})
	right(marginTop+12.5, r.w.director+orDash(clean(s.Director)), textStyle{size: 9})

	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.4)
	p.Line(marginX, marginTop+headerH-1.5, pageW-marginX, marginTop+headerH-1.5)
}

// fit returns text, cut with "…" if it is wider than w in the current font.
func (r *renderer) fit(text string, w float64) string {
	text = printable(text)
	w -= 2 * padX
	if r.pdf.GetStringWidth(text) <= w {
		return text
	}
	runes := []rune(text)
	for len(runes) > 0 && r.pdf.GetStringWidth(string(runes)+"…") > w {
		runes = runes[:len(runes)-1]
	}
	return strings.TrimSpace(string(runes)) + "…"
}

func (r *renderer) tableHeader() {
	p := r.pdf
	y := marginTop + headerH
	x := marginX
	p.SetFillColor(225, 225, 225)
	p.SetDrawColor(120, 120, 120)
	p.SetLineWidth(0.2)
	p.Rect(marginX, y, tableW, theadH, "FD")
	r.setStyle(textStyle{bold: true, size: 7.5})
	for i, c := range columns {
		titles := strings.Split(r.w.columns[i], "\n")
		top := y + (theadH-float64(len(titles))*3.2)/2
		for k, t := range titles {
			p.SetXY(x, top+float64(k)*3.2)
			p.CellFormat(c.w, 3.2, t, "", 0, "C", false, 0, "")
		}
		x += c.w
	}
	p.SetDrawColor(120, 120, 120)
	p.SetLineWidth(0.2)
	x = marginX
	for _, c := range columns[:len(columns)-1] {
		x += c.w
		p.Line(x, y, x, y+theadH)
	}
}

func (r *renderer) groupHeading(y float64, g *Group, cont bool) {
	p := r.pdf
	p.SetFillColor(240, 240, 240)
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.3)
	p.Rect(marginX, y, tableW, groupH, "FD")
	title := g.Title()
	if cont {
		title += r.w.cont
	}
	r.setStyle(textStyle{bold: true, size: 9.5})
	p.SetXY(marginX, y)
	p.CellFormat(tableW, groupH, r.fit(title, tableW), "", 0, "L", false, 0, "")
}

func (r *renderer) drawRow(y float64, rw *row, zebra bool) {
	p := r.pdf
	if zebra {
		p.SetFillColor(246, 246, 246)
		p.Rect(marginX, y, tableW, rw.h, "F")
	}
	x := marginX
	for i, c := range columns {
		ly := y + padY
		for _, l := range rw.cells[i] {
			r.setStyle(l.style)
			if l.style.inverse {
				p.SetFillColor(0, 0, 0)
				w := p.GetStringWidth(l.text) + 2*padX
				// Tall enough for the accent of a capital (À, É): white on white would lose it.
				p.Rect(x+padX, ly-0.25, w, lineH+0.1, "F")
				p.SetXY(x+padX, ly+0.05)
				p.CellFormat(w, lineH, l.text, "", 0, "C", false, 0, "")
			} else {
				p.SetXY(x, ly)
				p.CellFormat(c.w, lineH, l.text, "", 0, "L", false, 0, "")
			}
			ly += lineH
		}
		switch i {
		case colArrive, colDepart, colSign:
			r.writeBox(x, y, c.w, rw.h, i != colSign)
		}
		x += c.w
	}
	// Light verticals, a firm line under each child: the eye follows a row across the page.
	p.SetDrawColor(170, 170, 170)
	p.SetLineWidth(0.15)
	x = marginX
	for _, c := range columns[:len(columns)-1] {
		x += c.w
		p.Line(x, y, x, y+rw.h)
	}
	p.Line(marginX, y, marginX, y+rw.h)
	p.Line(pageW-marginX, y, pageW-marginX, y+rw.h)
	p.SetDrawColor(60, 60, 60)
	p.SetLineWidth(0.25)
	p.Line(marginX, y+rw.h, pageW-marginX, y+rw.h)
}

// writeBox draws the empty box the director fills in by hand; time boxes carry a faint "h".
func (r *renderer) writeBox(x, y, w, h float64, isTime bool) {
	p := r.pdf
	p.SetFillColor(255, 255, 255)
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.3)
	bh := min(h-2*padY, 9.0)
	by := y + (h-bh)/2
	p.Rect(x+1.5, by, w-3, bh, "FD")
	if isTime {
		r.setStyle(textStyle{size: 8})
		p.SetTextColor(170, 170, 170)
		p.SetXY(x+1.5, by)
		p.CellFormat(w-3, bh, "h", "", 0, "C", false, 0, "")
	}
}

func (r *renderer) noChild(s Sheet) {
	p := r.pdf
	y := marginTop + headerH + 10
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.3)
	p.Rect(marginX+20, y, tableW-40, 26, "D")
	r.setStyle(textStyle{bold: true, size: 13})
	p.SetXY(marginX+20, y+5)
	p.CellFormat(tableW-40, 7, fmt.Sprintf(r.w.noChild, r.w.date(s.Day)), "", 0, "C", false, 0, "")
	r.setStyle(textStyle{size: 9.5})
	p.SetXY(marginX+20, y+14)
	p.CellFormat(tableW-40, 6, r.w.walkIn, "", 0, "C", false, 0, "")
}

func (r *renderer) footer(s Sheet, counts []Count, page, pages int) {
	p := r.pdf
	p.SetDrawColor(0, 0, 0)
	p.SetLineWidth(0.3)
	p.Line(marginX, footerTop, pageW-marginX, footerTop)

	parts := make([]string, 0, len(counts))
	for _, c := range counts {
		t := fmt.Sprintf("%s %d / %d", r.w.levelName(c.Level), c.Children, c.Capacity)
		if c.Children > c.Capacity {
			t += " ⚠"
		}
		parts = append(parts, t)
	}
	r.setStyle(textStyle{bold: true, size: 8.5})
	p.SetXY(marginX, footerTop+0.8)
	p.CellFormat(tableW*0.6, 5, r.fit(r.w.countsLabel+strings.Join(parts, " · "), tableW*0.6), "", 0, "L", false, 0, "")

	r.setStyle(textStyle{size: 8.5})
	p.SetXY(marginX+tableW*0.6, footerTop+0.8)
	printed := ""
	if !s.PrintedAt.IsZero() {
		printed = fmt.Sprintf(r.w.printed, s.PrintedAt.Format("02/01/2006"), s.PrintedAt.Format("15:04"))
	}
	p.CellFormat(tableW*0.28, 5, printed, "", 0, "C", false, 0, "")

	r.setStyle(textStyle{bold: true, size: 9})
	p.SetXY(marginX+tableW*0.88, footerTop+0.8)
	p.CellFormat(tableW*0.12, 5, fmt.Sprintf(r.w.page, page, pages), "", 0, "R", false, 0, "")

	r.setStyle(textStyle{size: 6.5, grey: true})
	p.SetXY(marginX, footerTop+5.5)
	p.CellFormat(tableW, 4, r.w.confidential, "", 0, "L", false, 0, "")
}

// coverage is the set of runes the embedded fonts draw.
var coverage = sync.OnceValue(func() []bool {
	has := make([]bool, 0x10000)
	f, err := sfnt.Parse(fontRegular)
	if err != nil {
		panic("sheets: embedded font: " + err.Error())
	}
	var buf sfnt.Buffer
	for r := range rune(len(has)) {
		if i, err := f.GlyphIndex(&buf, r); err == nil && i != 0 {
			has[r] = true
		}
	}
	return has
})

// printable returns s with the runes the fonts lack replaced: by their base letters when a
// decomposition has them (a rare precomposed letter), else by "?". fpdf would print nothing, or
// index out of its width table for runes beyond U+FFFF (an emoji in a note).
func printable(s string) string {
	has := coverage()
	ok := true
	for _, r := range s {
		if r >= rune(len(has)) || !has[r] {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < rune(len(has)) && has[r] {
			b.WriteRune(r)
			continue
		}
		base := false
		for _, d := range norm.NFD.String(string(r)) {
			if d < rune(len(has)) && has[d] && !unicode.Is(unicode.Mn, d) {
				b.WriteRune(d)
				base = true
			}
		}
		if !base {
			b.WriteRune('?')
		}
	}
	return b.String()
}
