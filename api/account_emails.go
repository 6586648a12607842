package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// Links sent by e-mail live this long.
const (
	confirmTTL = 7 * 24 * time.Hour
	resetTTL   = time.Hour
)

// sendConfirmation queues the e-mail with the link that confirms the account's address.
func (s *Server) sendConfirmation(c *fiber.Ctx, acc store.Account) error {
	token, err := s.store.CreateToken(c.UserContext(), acc.ID, store.ConfirmEmail, confirmTTL)
	if err != nil {
		return err
	}
	link := s.cfg.PublicURL + "/confirmer?jeton=" + token
	subject, body := bilingual(s.lang(c),
		"Accueil prioritaire : confirmez votre adresse", "Priority childcare: confirm your address",
		fmt.Sprintf("Bonjour,\n\nPour confirmer votre adresse e-mail et pouvoir réserver, ouvrez ce lien (valable 7 jours) :\n%s\n\n"+
			"Si vous n'avez pas créé de compte, ignorez ce message.\n", link),
		fmt.Sprintf("Hello,\n\nTo confirm your e-mail address and be able to book, open this link (valid 7 days):\n%s\n\n"+
			"If you did not create an account, ignore this message.\n", link))
	return s.store.QueueEmailOf(c.UserContext(), store.EmailConfirm, acc.Email, subject, body)
}

// bilingual is an e-mail in both languages, the one of the visitor who asked for it first:
// accounts keep no language, and the other half serves a reader who prefers it.
func bilingual(lang frontend.Lang, subjectFR, subjectEN, bodyFR, bodyEN string) (subject, body string) {
	if lang == frontend.English {
		return subjectEN + " / " + subjectFR, strings.TrimRight(bodyEN, "\n") + "\n\n---\n\n" + bodyFR
	}
	return subjectFR + " / " + subjectEN, strings.TrimRight(bodyFR, "\n") + "\n\n---\n\n" + bodyEN
}

// warnExistingAccount tells the owner of the account with address email that someone tried to
// create an account with it: the sign-up form answers as for a new address.
func (s *Server) warnExistingAccount(c *fiber.Ctx, email string) error {
	ctx := c.UserContext()
	id, err := s.store.AccountIDByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return err
	}
	// One warning an hour at most: repeated sign-ups must not flood the owner's mailbox.
	const subject = "Accueil prioritaire : tentative d'inscription / sign-up attempt"
	recent, err := s.store.EmailQueuedSince(ctx, email, subject, s.store.Now().Add(-time.Hour))
	if err != nil {
		return err
	}
	if !recent {
		if err := s.warnOwner(ctx, email, subject); err != nil {
			return err
		}
	}
	// Nobody logged in acted: the account is the object, not the actor.
	return s.store.Audit(ctx, store.AuditEntry{Action: "account.signup_existing",
		ObjectType: "account", ObjectID: strconv.FormatInt(id, 10), IP: c.IP()})
}

// warnOwner e-mails the owner of address that someone tried to sign up with it.
func (s *Server) warnOwner(ctx context.Context, email, subject string) error {
	login, reset := s.cfg.PublicURL+"/connexion", s.cfg.PublicURL+"/mot-de-passe-oublie"
	return s.store.QueueEmail(ctx, email, subject,
		fmt.Sprintf("Bonjour,\n\nQuelqu'un a essayé de créer un compte avec votre adresse e-mail, qui en a déjà un.\n"+
			"Si c'était vous, connectez-vous :\n%s\nou, si vous avez oublié votre mot de passe, choisissez-en un nouveau :\n%s\n\n"+
			"Si ce n'était pas vous, ignorez ce message : votre compte n'a pas changé.\n\n---\n\n"+
			"Hello,\n\nSomeone tried to create an account with your e-mail address, which already has one.\n"+
			"If it was you, log in:\n%s\nor, if you forgot your password, choose a new one:\n%s\n\n"+
			"If it was not you, ignore this message: your account has not changed.\n", login, reset, login, reset))
}

func (s *Server) confirmEmail(c *fiber.Ctx) error {
	id, err := s.store.UseToken(c.UserContext(), c.Query("jeton"), store.ConfirmEmail)
	lang := s.lang(c)
	p := s.page(c, frontend.T(lang, "confirm.title"))
	if errors.Is(err, store.ErrNotFound) {
		p.FormError = frontend.T(lang, "confirm.bad")
		c.Status(fiber.StatusNotFound)
		return s.renderPage(c, "message", p)
	}
	if err != nil {
		return err
	}
	if err := s.store.ConfirmEmail(c.UserContext(), id); err != nil {
		return err
	}
	p.Data = frontend.T(lang, "confirm.done")
	if session(c) == nil {
		p.Data = frontend.T(lang, "confirm.done.login")
	}
	return s.renderPage(c, "message", p)
}

func (s *Server) resendConfirmation(c *fiber.Ctx) error {
	sess := session(c)
	if sess.EmailConfirmedAt == nil {
		if err := s.sendConfirmation(c, sess.Account); err != nil {
			return err
		}
	}
	p := s.page(c, frontend.T(s.lang(c), "confirm.title"))
	p.Data = frontend.T(s.lang(c), "confirm.sent")
	return s.renderPage(c, "message", p)
}

func (s *Server) forgotPage(c *fiber.Ctx) error {
	p := s.page(c, frontend.T(s.lang(c), "reset.title"))
	p.Data = formData{}
	return s.renderPage(c, "forgot", p)
}

// forgot queues a reset link when the address has an account, and answers the same either way
// so that nobody can learn which addresses have one.
func (s *Server) forgot(c *fiber.Ctx) error {
	email := strings.TrimSpace(c.FormValue("email"))
	lang := s.lang(c)
	if err := s.validate.Var(email, "required,max=254,email"); err != nil {
		p := s.page(c, frontend.T(lang, "reset.title"))
		p.Data = formData{Email: email}
		p.Errors = map[string]string{"email": frontend.T(lang, "reset.email.bad")}
		p.FormError = frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderPage(c, "forgot", p)
	}
	ctx := c.UserContext()
	id, err := s.store.AccountIDByEmail(ctx, email)
	switch {
	case err == nil:
		token, err := s.store.CreateToken(ctx, id, store.ResetPassword, resetTTL)
		if err != nil {
			return err
		}
		link := s.cfg.PublicURL + "/reinitialiser?jeton=" + token
		subject, body := bilingual(lang, "Accueil prioritaire : nouveau mot de passe", "Priority childcare: new password",
			fmt.Sprintf("Bonjour,\n\nPour choisir un nouveau mot de passe, ouvrez ce lien (valable 1 heure) :\n%s\n\n"+
				"Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.\n", link),
			fmt.Sprintf("Hello,\n\nTo choose a new password, open this link (valid 1 hour):\n%s\n\n"+
				"If you did not ask for it, ignore this message: your password stays the same.\n", link))
		if err := s.store.QueueEmailOf(ctx, store.EmailReset, email, subject, body); err != nil {
			return err
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	p := s.page(c, frontend.T(lang, "reset.title"))
	p.Data = frontend.T(lang, "reset.sent")
	return s.renderPage(c, "message", p)
}

func (s *Server) resetPage(c *fiber.Ctx) error {
	p := s.page(c, frontend.T(s.lang(c), "reset.choose"))
	p.Data = struct{ Token string }{c.Query("jeton")}
	return s.renderPage(c, "reset", p)
}

func (s *Server) reset(c *fiber.Ctx) error {
	token, password := c.FormValue("jeton"), c.FormValue("password")
	lang := s.lang(c)
	p := s.page(c, frontend.T(lang, "reset.choose"))
	p.Data = struct{ Token string }{token}
	msg := passwordProblem(lang, password, "")
	if msg == "" && password != c.FormValue("password2") {
		msg = frontend.T(lang, "reset.differ")
	}
	if msg != "" {
		p.Errors = map[string]string{"password": msg}
		p.FormError = frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderPage(c, "reset", p)
	}
	err := s.store.ResetPasswordWith(c.UserContext(), token, password)
	if errors.Is(err, store.ErrNotFound) {
		p.FormError = frontend.T(lang, "reset.bad")
		c.Status(fiber.StatusNotFound)
		return s.renderPage(c, "reset", p)
	}
	if err != nil {
		return err
	}
	done := s.page(c, frontend.T(lang, "reset.choose"))
	done.Data = frontend.T(lang, "reset.done")
	return s.renderPage(c, "message", done)
}

// devEmails shows the outbox: in development only, where no SMTP server delivers the links.
func (s *Server) devEmails(c *fiber.Ctx) error {
	if !s.cfg.DevMode {
		return store.ErrNotFound
	}
	emails, err := s.store.RecentEmails(c.UserContext(), 50)
	if err != nil {
		return err
	}
	p := s.page(c, frontend.T(s.lang(c), "dev.emails.title"))
	p.Data = emails
	return s.renderPage(c, "dev_emails", p)
}
