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
	day, err := time.Parse(time.DateOnly, c.Query("jour"))
	if err != nil {
		var ok bool
		if day, ok, err = s.store.NextOpenDay(ctx, s.today()); err != nil {
			return err
		} else if !ok {
			day = s.today()
		}
	}
	sess := session(c)
	data, err := s.store.Sheet(ctx, store.ScopeOf(sess.Account), id, day)
	if err != nil {
		return err
	}
	format := c.Query("format", "pdf")
	if format != "pdf" && format != "csv" {
		return store.ErrNotFound
	}
	if err := s.store.Audit(ctx, store.AuditEntry{AccountID: sess.ID, Action: "sheet.download", ObjectType: "hub",
		ObjectID: strconv.FormatInt(id, 10), IP: c.IP(), Details: map[string]any{"day": day.Format(time.DateOnly), "format": format}}); err != nil {
		return err
	}
	sh := sheetOf(data, s.store.Now().In(s.policy.Location))
	c.Set(fiber.HeaderCacheControl, "no-store")
	name := sheets.FileName(sh)
	if format == "csv" {
		c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name[:len(name)-len(".pdf")]+`.csv"`)
		return sheets.WriteCSV(c.Response().BodyWriter(), sh)
	}
	c.Set(fiber.HeaderContentType, "application/pdf")
	c.Set(fiber.HeaderContentDisposition, `inline; filename="`+name+`"`)
	return sheets.WritePDF(c.Response().BodyWriter(), sh)
}

func sheetOf(d store.HubDaySheet, printedAt time.Time) sheets.Sheet {
	sh := sheets.Sheet{
		Hub:       sheets.Hub{ID: d.Hub.ID, UAI: d.Hub.UAI, Name: d.Hub.Name, Address: d.Hub.Address, Commune: d.Hub.Commune},
		Day:       d.Day,
		Director:  d.Director,
		PrintedAt: printedAt,
		Capacity:  d.Capacity,
	}
	for _, c := range d.Children {
		sh.Children = append(sh.Children, sheets.Child{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, BirthDate: c.BirthDate,
			Level: c.Level, ArriveAt: c.ArriveAt, DepartAt: c.DepartAt, ParentName: c.ParentName, ParentPhone: c.ParentPhone,
			Pickups: c.Pickups, HealthNote: c.HealthNote, ProofToCheck: c.ProofToCheck, Status: c.Status})
	}
	return sh
}
