package api

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// outboxPageRows caps the e-mails set aside shown on the page.
const outboxPageRows = 200

// outboxPage shows the admin the outbox's backlog and the e-mails set aside after failing, with
// the mail server's last answer. It shows recipients' addresses: reading it is audited.
func (s *Server) outboxPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	q, err := s.store.OutboxQueue(ctx)
	if err != nil {
		return err
	}
	rows, err := s.store.SetAsideEmails(ctx, outboxPageRows)
	if err != nil {
		return err
	}
	if err := s.store.Audit(ctx, store.AuditEntry{AccountID: session(c).ID, Action: "outbox.view", IP: c.IP(),
		Details: map[string]any{"set_aside_shown": len(rows)}}); err != nil {
		return err
	}
	for i := range rows {
		rows[i].CreatedAt = rows[i].CreatedAt.In(s.policy.Location)
		rows[i].SetAside = rows[i].SetAside.In(s.policy.Location)
	}
	p := s.page(c, frontend.T(s.lang(c), "outbox.title"))
	p.Data = struct {
		Queue  store.OutboxQueue
		Oldest string
		Rows   []store.SetAsideEmail
		Limit  int
	}{q, q.Oldest.Round(time.Second).String(), rows, outboxPageRows}
	return s.renderPage(c, "outbox", p)
}
