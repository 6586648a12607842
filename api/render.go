package api

import (
	"bytes"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
)

const langCookie = "lang"

// lang is the visitor's language: French unless they chose English.
// lang is the visitor's language: the one they chose (cookie), else on a first visit the one
// their browser prefers (Accept-Language), French by default.
func (s *Server) lang(c *fiber.Ctx) frontend.Lang {
	if v := c.Cookies(langCookie); v != "" {
		return frontend.ParseLang(v)
	}
	return frontend.PreferredLang(c.Get(fiber.HeaderAcceptLanguage))
}

// page starts the data of a page with what the layout needs.
func (s *Server) page(c *fiber.Ctx, title string) frontend.Page {
	p := frontend.Page{Lang: s.lang(c), Title: title, Path: c.Path(), Here: c.OriginalURL(), CSRF: s.csrfToken(c), Errors: map[string]string{}}
	if sess := session(c); sess != nil {
		name := sess.DisplayName
		if name == "" {
			name = sess.Email
		}
		p.Account = &frontend.Viewer{Name: name, Role: string(sess.Role)}
	}
	return p
}

// renderPage renders into a buffer first, so that a template error becomes a clean 500 rather
// than half a page.
func (s *Server) renderPage(c *fiber.Ctx, name string, p frontend.Page) error {
	var buf bytes.Buffer
	if err := s.views.Render(&buf, name, p); err != nil {
		return err
	}
	c.Type("html", "utf-8")
	// Pages show personal data: never stored by a shared cache or the back button of a kiosk.
	if c.GetRespHeader(fiber.HeaderCacheControl) == "" {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return c.Send(buf.Bytes())
}

func (s *Server) switchLanguage(c *fiber.Ctx) error {
	lang := frontend.ParseLang(c.Query("lang"))
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: string(lang), Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: s.cfg.SecureCookies, HTTPOnly: true, SameSite: fiber.CookieSameSiteLaxMode})
	return c.Redirect(localPath(c.Query("next")), fiber.StatusSeeOther)
}

// localPath keeps a redirect target on this site: anything else becomes "/".
func localPath(p string) string {
	if len(p) == 0 || p[0] != '/' || (len(p) > 1 && (p[1] == '/' || p[1] == '\\')) {
		return "/"
	}
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return "/"
		}
	}
	return p
}
