package api

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// auditPageRows caps the page; the CSV export takes every match up to auditExportRows.
const (
	auditPageRows   = 200
	auditExportRows = 100_000
)

// auditQuery is the access log's search form, as typed.
type auditQuery struct {
	Child, Hub, Account, Day string
}

// auditLog is the access log for an admin (or an inspector given an admin account): search by
// child, hub, account and day, read on the page or export as CSV. Reading it is audited too.
func (s *Server) auditLog(c *fiber.Ctx) error {
	lang := s.lang(c)
	q := auditQuery{Child: strings.TrimSpace(c.Query("enfant")), Hub: strings.TrimSpace(c.Query("pole")),
		Account: strings.TrimSpace(c.Query("compte")), Day: strings.TrimSpace(c.Query("jour"))}
	p := s.page(c, frontend.T(lang, "audit.title"))
	f := store.AuditFilter{Account: q.Account, Limit: auditPageRows}
	var err error
	if q.Child != "" {
		if f.ChildID, err = strconv.ParseInt(q.Child, 10, 64); err != nil || f.ChildID <= 0 {
			p.Errors["enfant"] = frontend.T(lang, "audit.bad_id")
		}
	}
	if q.Hub != "" {
		if f.HubID, err = strconv.ParseInt(q.Hub, 10, 64); err != nil || f.HubID <= 0 {
			p.Errors["pole"] = frontend.T(lang, "audit.bad_id")
		}
	}
	if q.Day != "" {
		if f.Day, err = time.Parse(time.DateOnly, q.Day); err != nil {
			p.Errors["jour"] = frontend.T(lang, "audit.bad_day")
		}
	}
	var rows []store.AuditRow
	if len(p.Errors) > 0 {
		p.FormError = frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
	} else {
		csv := c.Query("format") == "csv"
		if csv {
			f.Limit = auditExportRows
		}
		sess := session(c)
		format := "html"
		if csv {
			format = "csv"
		}
		if err := s.store.Audit(c.UserContext(), store.AuditEntry{AccountID: sess.ID, Action: "audit.search", IP: c.IP(),
			HubID: f.HubID, Day: f.Day, ChildIDs: nonZero(f.ChildID), Details: map[string]any{"account": q.Account, "format": format}}); err != nil {
			return err
		}
		if rows, err = s.store.SearchAudit(c.UserContext(), scopeOf(c), f); err != nil {
			return err
		}
		for i := range rows {
			rows[i].At = rows[i].At.In(s.policy.Location)
		}
		if csv {
			c.Set(fiber.HeaderCacheControl, "no-store")
			cw := csvResponse(c, "journal-des-acces.csv")
			_ = cw.Write(csvHeader(s.lang(c), "audit.when", "audit.who", "csv.role", "audit.what", "csv.object", "audit.from", "home.hub",
				"audit.children", "home.day", "csv.details"))
			for _, r := range rows {
				_ = cw.Write(neutralise([]string{r.At.Format("2006-01-02 15:04:05"), r.Email, r.Role, r.Action,
					strings.Trim(r.ObjectType+" "+r.ObjectID, " "), r.IP, hubLabel(r), joinIDs(r.ChildIDs), r.Day, r.Details}))
			}
			cw.Flush()
			return cw.Error()
		}
	}
	export := url.Values{"format": {"csv"}}
	for k, v := range map[string]string{"enfant": q.Child, "pole": q.Hub, "compte": q.Account, "jour": q.Day} {
		if v != "" {
			export.Set(k, v)
		}
	}
	p.Data = struct {
		Query  auditQuery
		Rows   []store.AuditRow
		Limit  int
		Export string
	}{q, rows, auditPageRows, "/journal?" + export.Encode()}
	return s.renderPage(c, "audit", p)
}

func nonZero(id int64) []int64 {
	if id == 0 {
		return nil
	}
	return []int64{id}
}

func hubLabel(r store.AuditRow) string {
	if r.HubID == 0 {
		return ""
	}
	return fmt.Sprintf("%s (%d)", r.HubName, r.HubID)
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, " ")
}
