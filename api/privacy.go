package api

import (
	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// privacyNotice is the "Données personnelles" page: purpose, legal basis, data held, who sees
// what, retention and rights, with the deployment's own controller, retention and contact.
func (s *Server) privacyNotice(c *fiber.Ctx) error {
	p := s.page(c, frontend.T(s.lang(c), "privacy.title"))
	p.Data = struct {
		Controller, ControllerEN, DPO string
		RetentionDays, AuditMonths    int
	}{s.cfg.Privacy.Controller, s.cfg.Privacy.ControllerEN, s.cfg.Privacy.DPOContact, s.cfg.Privacy.RetentionDays, store.AuditRetention}
	return s.renderPage(c, "privacy", p)
}
