package api

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

type loginRequest struct {
	Email    string `form:"email" validate:"required,max=254,email"`
	Password string `form:"password" validate:"required,max=128"`
}

type signupRequest struct {
	Name      string `form:"name" validate:"required,max=100,personname"`
	Email     string `form:"email" validate:"required,max=254,email"`
	Password  string `form:"password" validate:"required"`
	Password2 string `form:"password2" validate:"required,eqfield=Password"`
}

// formData is what a login or sign-up form shows back after an error: never the password.
type formData struct {
	Name  string
	Email string
	// Next is where to go after logging in (a local path).
	Next string
	// Expired: the person was sent here because their session ended while they filled a form.
	Expired bool
	// Agent: the staff's login form, never behind the waiting room (?agent=1).
	Agent bool
}

func (s *Server) loginPage(c *fiber.Ctx) error {
	if session(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return s.renderShared(c, "login", "login.title", func(p *frontend.Page) {
		p.Data = formData{Next: localPath(c.Query("next")), Expired: c.Query("expiree") != "", Agent: c.Query("agent") == "1"}
	})
}

func (s *Server) login(c *fiber.Ctx) error {
	var req loginRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	req.Email = strings.TrimSpace(req.Email)
	lang := s.lang(c)
	p := s.page(c, frontend.T(lang, "login.title"))
	p.Data = formData{Email: req.Email, Next: localPath(c.Query("next")), Agent: c.Query("agent") == "1"}
	if err := s.validate.Struct(req); err != nil {
		p.Errors = fieldErrors(lang, err)
		p.FormError = frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderPage(c, "login", p)
	}
	acc, err := s.store.Authenticate(c.UserContext(), req.Email, req.Password, c.IP())
	switch {
	case errors.Is(err, store.ErrUnauthorized):
		p.FormError = frontend.T(lang, "login.failed")
		c.Status(fiber.StatusUnauthorized)
		return s.renderPage(c, "login", p)
	case errors.Is(err, store.ErrThrottled):
		p.FormError = frontend.Tf(lang, "login.throttled", waitWords(waitOf(err)))
		setRetryAfter(c, err)
		c.Status(fiber.StatusTooManyRequests)
		return s.renderPage(c, "login", p)
	case err != nil:
		return err
	}
	if err := s.startSession(c, acc.ID); err != nil {
		return err
	}
	if err := s.store.Audit(c.UserContext(), store.AuditEntry{AccountID: acc.ID, Action: "auth.login", IP: c.IP()}); err != nil {
		return err
	}
	if acc.Role != store.RoleParent {
		s.leaveWaitingRoom(c) // staff never wait, and hold no parent's place
	}
	return c.Redirect(localPath(c.Query("next")), fiber.StatusSeeOther)
}

// startSession opens a new session (a new token at each login, so a token planted before login
// is worth nothing) and sets its cookie.
func (s *Server) startSession(c *fiber.Ctx, accountID int64) error {
	if old := c.Cookies(s.sessionCookie()); old != "" {
		if err := s.store.DeleteSession(c.UserContext(), old); err != nil {
			return err
		}
	}
	token, sess, err := s.store.CreateSession(c.UserContext(), accountID, s.cfg.Session, c.IP(), c.Get(fiber.HeaderUserAgent))
	if err != nil {
		return err
	}
	s.setSessionCookie(c, token, sess.ExpiresAt)
	return nil
}

func (s *Server) logout(c *fiber.Ctx) error {
	if token := c.Cookies(s.sessionCookie()); token != "" {
		if err := s.store.DeleteSession(c.UserContext(), token); err != nil {
			return err
		}
	}
	if sess := session(c); sess != nil {
		if err := s.store.Audit(c.UserContext(), store.AuditEntry{AccountID: sess.ID, Action: "auth.logout", IP: c.IP()}); err != nil {
			return err
		}
	}
	s.clearSessionCookie(c)
	s.leaveWaitingRoom(c)
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (s *Server) signupPage(c *fiber.Ctx) error {
	if session(c) != nil {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	p := s.page(c, frontend.T(s.lang(c), "signup.title"))
	p.Data = formData{}
	return s.renderPage(c, "signup", p)
}

// signup creates a parent account and e-mails the link that confirms its address; the parent
// logs in afterwards. An address that already has an account gets the same answer, and its
// owner an e-mail saying so, so that nobody learns from the form which addresses have an
// account. Staff accounts are created by the rectorat (command line), never here.
func (s *Server) signup(c *fiber.Ctx) error {
	var req signupRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	req.Email = strings.TrimSpace(req.Email)
	req.Name = strings.TrimSpace(req.Name)
	lang := s.lang(c)
	p := s.page(c, frontend.T(lang, "signup.title"))
	p.Data = formData{Name: req.Name, Email: req.Email}
	fail := func() error {
		p.FormError = frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderPage(c, "signup", p)
	}
	if err := s.validate.Struct(req); err != nil {
		p.Errors = fieldErrors(lang, err)
	}
	if _, bad := p.Errors["password"]; !bad {
		if msg := passwordProblem(lang, req.Password, req.Email); msg != "" {
			p.Errors["password"] = msg
		}
	}
	if len(p.Errors) > 0 {
		return fail()
	}
	ctx := c.UserContext()
	acc, err := s.store.CreateAccount(ctx, store.NewAccount{
		Email: req.Email, Password: req.Password, Role: store.RoleParent, DisplayName: req.Name,
	})
	switch {
	case errors.Is(err, store.ErrConflict):
		if err := s.warnExistingAccount(c, req.Email); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if err := s.sendConfirmation(c, acc); err != nil {
			return err
		}
		if err := s.store.Audit(ctx, store.AuditEntry{AccountID: acc.ID, Action: "account.signup",
			ObjectType: "account", ObjectID: strconv.FormatInt(acc.ID, 10), IP: c.IP()}); err != nil {
			return err
		}
	}
	done := s.page(c, frontend.T(lang, "signup.sent.title"))
	done.Data = frontend.Tf(lang, "signup.sent", req.Email)
	return s.renderPage(c, "message", done)
}
