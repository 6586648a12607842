package api

import (
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/sheets"
	"github.com/accueil-prioritaire/accueil/store"
)

// hubSheet serves a hub's attendance sheet for a day (?jour=, default the next open day) as
// PDF or CSV (?format=csv). Sheets carry personal data: never cached, every download audited.
func (s *Server) hubSheet(c *fiber.Ctx) error {
	id, err := hubID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	day, err := s.shownDay(c)
	if err != nil {
		return err
	}
	sess := session(c)
	data, err := s.store.Sheet(ctx, scopeOf(c), id, day)
	if err != nil {
		return err
	}
	format := c.Query("format", "pdf")
	if format != "pdf" && format != "csv" && format != "html" {
		return store.ErrNotFound
	}
	children := make([]int64, len(data.Children))
	for i, ch := range data.Children {
		children[i] = ch.ID
	}
	if err := s.store.Audit(ctx, store.AuditEntry{AccountID: sess.ID, Action: "sheet.download", ObjectType: "hub",
		ObjectID: strconv.FormatInt(id, 10), IP: c.IP(), HubID: id, Day: day, ChildIDs: children, Details: map[string]any{"day": day.Format(time.DateOnly), "format": format}}); err != nil {
		return err
	}
	sh := sheets.FromStore(data, s.store.Now().In(s.policy.Location))
	sh.Lang = string(s.lang(c))
	c.Set(fiber.HeaderCacheControl, "no-store")
	name := sheets.FileName(sh)
	if format == "html" {
		return s.renderSheetHTML(c, sh)
	}
	if format == "csv" {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name[:len(name)-len(".pdf")]+`.csv"`)
		return sheets.WriteCSV(c.Response().BodyWriter(), sh)
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+name+`"`)
	return sheets.WritePDF(c.Response().BodyWriter(), sh)
}

// daySheets serves every sheet of a day within the viewer's scope as one ZIP of PDFs
// (?format=zip, the default) or one merged PDF (?format=pdf), streamed hub by hub.
func (s *Server) daySheets(c *fiber.Ctx) error {
	day, err := time.Parse(time.DateOnly, c.Params("day"))
	if err != nil {
		return store.ErrNotFound
	}
	format := c.Query("format", "zip")
	if format != "zip" && format != "pdf" {
		return store.ErrNotFound
	}
	sess := session(c)
	sc := scopeOf(c)
	ctx := c.UserContext()
	children, err := s.store.ChildrenPlacedOn(ctx, sc, day)
	if err != nil {
		return err
	}
	if err := s.store.Audit(ctx, store.AuditEntry{AccountID: sess.ID, Action: "sheet.download_day", ObjectType: "day",
		ObjectID: day.Format(time.DateOnly), IP: c.IP(), Day: day, ChildIDs: children, Details: map[string]any{"format": format, "departement": sc.Departement}}); err != nil {
		return err
	}
	lang := string(s.lang(c))
	seq := sheets.Day(ctx, s.store, sc, day, s.store.Now().In(s.policy.Location), lang)
	c.Set(fiber.HeaderCacheControl, "no-store")
	name := "feuilles-" + day.Format(time.DateOnly)
	if sc.Departement != "" {
		name += "-" + sc.Departement
	}
	if format == "pdf" {
		c.Set(fiber.HeaderContentType, "application/pdf")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.pdf"`)
		return sheets.WriteMergedPDF(c.Response().BodyWriter(), lang, seq)
	}
	c.Set(fiber.HeaderContentType, "application/zip")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`.zip"`)
	return sheets.WriteZIP(c.Response().BodyWriter(), seq)
}

// sheetRow is a child as the HTML sheet shows it.
type sheetRow struct {
	sheets.Child
	Num     int
	Age     int
	Phone   string
	Pickups []sheetPickup
}

// sheetPickup is a person allowed to collect a child, the phone kept on one line.
type sheetPickup struct {
	Who, Phone string
}

type sheetGroup struct {
	Title string
	Rows  []sheetRow
}

// renderSheetHTML shows the sheet as a page that prints on A4 portrait like the PDF (the
// layout's header and footer hidden, the column titles repeated on every page, boxes to write
// in), with the same groups and numbers as the PDF.
func (s *Server) renderSheetHTML(c *fiber.Ctx, sh sheets.Sheet) error {
	var groups []sheetGroup
	n := 0
	for _, g := range sheets.Groups(sh) {
		sg := sheetGroup{Title: g.Title()}
		for _, ch := range g.Children {
			n++
			r := sheetRow{Child: ch, Num: n, Phone: sheets.FormatPhone(ch.ParentPhone)}
			if !ch.BirthDate.IsZero() {
				r.Age = store.AgeOn(ch.BirthDate, sh.Day)
			}
			for _, p := range ch.Pickups {
				r.Pickups = append(r.Pickups, sheetPickup{p.Name + " (" + p.Relation + ")", sheets.FormatPhone(p.Phone)})
			}
			sg.Rows = append(sg.Rows, r)
		}
		groups = append(groups, sg)
	}
	counts := sheets.Counts(sh)
	levels := make([]string, len(counts))
	for i, k := range counts {
		levels[i] = sheets.LevelNameIn(k.Level, sh.Lang)
	}
	p := s.page(c, sheets.Title(sh)+" — "+sh.Hub.Name)
	p.Data = struct {
		Sheet   sheets.Sheet
		Title   string
		Printed string
		Groups  []sheetGroup
		Counts  []sheets.Count
		Levels  []string
	}{sh, sheets.Title(sh), sh.PrintedAt.Format("02/01/2006 15:04"), groups, counts, levels}
	return s.renderPage(c, "sheet", p)
}
