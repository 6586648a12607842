package api

import (
	"bytes"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
)

// sharedPages holds the pages that every visitor without a session gets alike, but for the
// token of their forms: the landing page and the login form. Each is rendered once per
// language and kept as the bytes around the token, so that a flood of anonymous visitors at
// 8:00 costs a copy each rather than a template run (bench-rush: the first seconds of its
// flood, 3,000 pages, took the processor from the bookings). Templates and the professions
// list are fixed while a process runs, so an entry never goes stale.
type sharedPages struct {
	mu    sync.RWMutex
	pages map[sharedKey]sharedPage
}

type sharedKey struct {
	name string
	lang frontend.Lang
}

// sharedPage is a page cut where the visitor's CSRF token goes; parts has one element when
// the page has no form.
type sharedPage struct {
	parts [][]byte
}

// csrfMarker stands for the token while a shared page is rendered: 43 characters of the
// token's alphabet, which the templates escape to themselves.
const csrfMarker = "SharedPageCsrfMarker0000000000000000000000x"

// renderShared answers page name as build fills it, from the shared copy when the visitor
// has no session and the request no query (a query, like ?next= or ?expiree=1, changes the
// page); otherwise it renders as usual. build must not read the request beyond the language.
func (s *Server) renderShared(c *fiber.Ctx, name, titleKey string, build func(p *frontend.Page)) error {
	if session(c) != nil || len(c.Request().URI().QueryString()) > 0 {
		p := s.page(c, frontend.T(s.lang(c), titleKey))
		build(&p)
		return s.renderPage(c, name, p)
	}
	key := sharedKey{name: name, lang: s.lang(c)}
	s.shared.mu.RLock()
	sp, ok := s.shared.pages[key]
	s.shared.mu.RUnlock()
	if !ok {
		p := frontend.Page{Lang: key.lang, Title: frontend.T(key.lang, titleKey), Path: c.Path(), Here: c.Path(), CSRF: csrfMarker, Errors: map[string]string{}}
		build(&p)
		var buf bytes.Buffer
		if err := s.views.Render(&buf, name, p); err != nil {
			return err
		}
		sp = sharedPage{parts: bytes.Split(buf.Bytes(), []byte(csrfMarker))}
		s.shared.mu.Lock()
		if s.shared.pages == nil {
			s.shared.pages = map[sharedKey]sharedPage{}
		}
		s.shared.pages[key] = sp
		s.shared.mu.Unlock()
	}
	out := sp.parts[0]
	if len(sp.parts) > 1 {
		token := []byte(s.csrfToken(c))
		out = bytes.Join(sp.parts, token)
	}
	c.Type("html", "utf-8")
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(out)
}
