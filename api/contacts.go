package api

import (
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/sheets"
	"github.com/accueil-prioritaire/accueil/store"
)

// contactList gives the health authority, for a child and a period, the children who shared its
// hub and group each day (the same groups as the attendance sheet). Every export is audited.
func (s *Server) contactList(c *fiber.Ctx) error {
	child, err := parseID(c.Query("enfant"))
	if err != nil {
		return err
	}
	from, err1 := time.Parse(time.DateOnly, c.Query("du"))
	to, err2 := time.Parse(time.DateOnly, c.Query("au"))
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 31*24*time.Hour {
		return fieldError("du", "La période, de « du » à « au », doit aller d’une date (AAAA-MM-JJ) à une autre, 31 jours au plus.", "The period, from “du” to “au”, must run from one date (YYYY-MM-DD) to another, 31 days at most.")
	}
	sess := session(c)
	sc := scopeOf(c)
	ctx := c.UserContext()
	days, err := s.store.ChildPlacementDays(ctx, sc, child, from, to)
	if err != nil {
		return err
	}
	printed := s.store.Now().In(s.policy.Location)
	var out []sheets.ContactDay
	for _, d := range days {
		hd, err := s.store.Sheet(ctx, sc, d.HubID, d.Day)
		if err != nil {
			return err
		}
		sh := sheets.FromStore(hd, printed)
		sh.Lang = string(s.lang(c))
		for _, g := range sheets.Groups(sh) {
			for _, ch := range g.Children {
				if ch.ID == child {
					out = append(out, sheets.ContactDay{Day: d.Day, Hub: sh.Hub, Director: sh.Director, Group: g.Title(), Children: g.Children})
				}
			}
		}
	}
	// The list names the child's contacts too: each of them is in the entry.
	seen := []int64{child}
	for _, d := range out {
		for _, ch := range d.Children {
			seen = append(seen, ch.ID)
		}
	}
	slices.Sort(seen)
	seen = slices.Compact(seen) // a contact met on several days once
	if err := s.store.Audit(ctx, store.AuditEntry{AccountID: sess.ID, Action: "contacts.export", ObjectType: "child",
		ObjectID: strconv.FormatInt(child, 10), IP: c.IP(), ChildIDs: seen, Details: map[string]any{"from": c.Query("du"), "to": c.Query("au"), "format": c.Query("format", "html")}}); err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	if c.Query("format") == "pdf" {
		c.Set(fiber.HeaderContentType, "application/pdf")
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="contacts-`+strconv.FormatInt(child, 10)+`.pdf"`)
		return sheets.WriteContactsPDF(c.Response().BodyWriter(), sheets.ContactList{ChildID: child, From: from, To: to, Days: out,
			PrintedAt: printed, Lang: string(s.lang(c))})
	}
	if c.Query("format") == "csv" {
		cw := csvResponse(c, "contacts-"+strconv.FormatInt(child, 10)+".csv")
		_ = cw.Write(csvHeader(s.lang(c), "home.day", "home.hub", "csv.uai", "csv.director", "csv.group", "household.last", "household.first",
			"contacts.parent", "contacts.phone"))
		for _, d := range out {
			for _, ch := range d.Children {
				_ = cw.Write(neutralise([]string{d.Day.Format(time.DateOnly), d.Hub.Name, d.Hub.UAI, d.Director, d.Group,
					ch.LastName, ch.FirstName, ch.ParentName, ch.ParentPhone}))
			}
		}
		cw.Flush()
		return cw.Error()
	}
	p := s.page(c, frontend.T(s.lang(c), "contacts.title"))
	p.Data = struct {
		Days []sheets.ContactDay
		CSV  string
	}{out, "/contacts?enfant=" + strconv.FormatInt(child, 10) + "&du=" + c.Query("du") + "&au=" + c.Query("au") + "&format="}
	return s.renderPage(c, "contacts", p)
}
