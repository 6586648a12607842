package api

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// maxPickups is how many authorised pick-up persons a child form offers.
const maxPickups = 3

type childRequest struct {
	FirstName  string `form:"first_name" validate:"required,max=60,personname"`
	LastName   string `form:"last_name" validate:"required,max=60,personname"`
	BirthDate  string `form:"birth_date" validate:"required,frdate"`
	Level      string `form:"level" validate:"omitempty,oneof=maternelle elementaire college"`
	HealthNote string `form:"health_note" validate:"max=500,note"`
	Pickups    [maxPickups]pickupRequest
}

type pickupRequest struct {
	Name     string
	Phone    string
	Relation string
}

type childPage struct {
	ID   int64
	Form childRequest
}

// childID reads the :id of a child route.
func childID(c *fiber.Ctx) (int64, error) { return parseID(c.Params("id")) }

func (s *Server) renderChild(c *fiber.Ctx, data childPage, errs map[string]string) error {
	lang := s.lang(c)
	title := frontend.T(lang, "child.new")
	if data.ID != 0 {
		title = frontend.T(lang, "child.edit")
	}
	p := s.page(c, title)
	p.Data = data
	if len(errs) > 0 {
		p.Errors = errs
		p.FormError = frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.renderPage(c, "child", p)
}

func (s *Server) newChildForm(c *fiber.Ctx) error {
	if _, err := s.store.HouseholdOf(c.UserContext(), session(c).ID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return c.Redirect("/foyer", fiber.StatusSeeOther)
		}
		return err
	}
	return s.renderChild(c, childPage{}, nil)
}

func (s *Server) editChildForm(c *fiber.Ctx) error {
	id, err := childID(c)
	if err != nil {
		return err
	}
	ch, err := s.store.ChildOf(c.UserContext(), session(c).ID, id)
	if err != nil {
		return err
	}
	f := childRequest{FirstName: ch.FirstName, LastName: ch.LastName, BirthDate: ch.BirthDate.Format(time.DateOnly),
		Level: string(ch.Level), HealthNote: ch.HealthNote}
	for i, p := range ch.Pickups {
		if i < maxPickups {
			f.Pickups[i] = pickupRequest{Name: p.Name, Phone: p.Phone, Relation: p.Relation}
		}
	}
	return s.renderChild(c, childPage{ID: id, Form: f}, nil)
}

// parseChild reads and checks the child form; errs names each bad field.
func (s *Server) parseChild(c *fiber.Ctx) (childRequest, store.ChildInput, map[string]string, error) {
	var req childRequest
	if err := decodeBody(c, &req); err != nil {
		return req, store.ChildInput{}, nil, err
	}
	for i := range req.Pickups {
		n := strconv.Itoa(i + 1)
		req.Pickups[i] = pickupRequest{Name: strings.TrimSpace(c.FormValue("pickup_name_" + n)),
			Phone: normalizePhone(c.FormValue("pickup_phone_" + n)), Relation: strings.TrimSpace(c.FormValue("pickup_relation_" + n))}
	}
	req.FirstName, req.LastName = strings.TrimSpace(req.FirstName), strings.TrimSpace(req.LastName)
	req.BirthDate = isoDate(req.BirthDate)
	req.HealthNote = strings.TrimSpace(req.HealthNote)
	lang := s.lang(c)
	msg := func(fr, en string) string { return frontend.Pick(lang, fr, en) }
	errs := map[string]string{}
	if err := s.validate.Struct(req); err != nil {
		errs = fieldErrors(lang, err)
	}
	in := store.ChildInput{FirstName: req.FirstName, LastName: req.LastName, HealthNote: req.HealthNote, Level: store.Level(req.Level)}
	if _, bad := errs["birth_date"]; !bad {
		birth, _ := time.Parse(time.DateOnly, req.BirthDate)
		today := s.today()
		level, ok := store.LevelFor(birth, today)
		switch {
		case birth.After(today):
			errs["birth_date"] = msg("La date de naissance ne peut pas être dans le futur.", "The birth date cannot be in the future.")
		case store.AgeOn(birth, today) >= store.MaxAge:
			errs["birth_date"] = msg("L’accueil est réservé aux enfants de moins de 16 ans.", "Hosting is for children under 16.")
		case !ok:
			errs["birth_date"] = msg("L’accueil commence en maternelle, l’année des 3 ans.", "Hosting starts in maternelle, the year the child turns 3.")
		default:
			in.BirthDate = birth
			if in.Level == "" {
				in.Level = level
				req.Level = string(level)
			}
			if _, bad := errs["level"]; !bad && !slices.Contains(store.LevelsFor(birth, today), in.Level) {
				errs["level"] = frontend.Tf(lang, "child.level.birth", birth.Year(), frontend.T(lang, "level."+string(level)))
			}
		}
	}
	for i, p := range req.Pickups {
		n := strconv.Itoa(i + 1)
		if p.Name == "" && p.Phone == "" && p.Relation == "" {
			continue
		}
		switch {
		case p.Name == "":
			errs["pickup_name_"+n] = msg("Saisissez le prénom et le nom de la personne.", "Enter the person’s first and last name.")
		case len(p.Name) > 100:
			errs["pickup_name_"+n] = msg("Saisissez au plus 100 caractères.", "Enter at most 100 characters.")
		case s.validate.Var(p.Name, "personname") != nil:
			errs["pickup_name_"+n] = personNameMessage(lang, "pickup_name_"+n)
		case !frenchPhone.MatchString(p.Phone):
			errs["pickup_phone_"+n] = msg("Saisissez un numéro de téléphone à 10 chiffres, par exemple 06 12 34 56 78.", "Enter a 10-digit phone number, such as 06 12 34 56 78.")
		case len(p.Relation) > 60 || !isPrintableText(p.Relation):
			errs["pickup_relation_"+n] = msg("Saisissez au plus 60 caractères.", "Enter at most 60 characters.")
		default:
			in.Pickups = append(in.Pickups, store.Pickup{Name: p.Name, Phone: p.Phone, Relation: p.Relation})
		}
	}
	return req, in, errs, nil
}

func (s *Server) createChild(c *fiber.Ctx) error {
	req, in, errs, err := s.parseChild(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.renderChild(c, childPage{Form: req}, errs)
	}
	if _, err := s.store.AddChild(c.UserContext(), session(c).ID, in); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return c.Redirect("/foyer", fiber.StatusSeeOther)
		}
		return err
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (s *Server) updateChild(c *fiber.Ctx) error {
	id, err := childID(c)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if _, err := s.store.ChildOf(ctx, session(c).ID, id); err != nil {
		return err // another household's child: 404 before anything is read from the form
	}
	req, in, errs, err := s.parseChild(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.renderChild(c, childPage{ID: id, Form: req}, errs)
	}
	if err := s.store.UpdateChild(ctx, session(c).ID, id, in); err != nil {
		if errors.Is(err, store.ErrInvalid) {
			return s.renderChild(c, childPage{ID: id, Form: req}, map[string]string{"level": frontend.T(s.lang(c), "child.level.seat")})
		}
		return err
	}
	return c.Redirect("/", fiber.StatusSeeOther)
}

func (s *Server) deleteChild(c *fiber.Ctx) error {
	id, err := childID(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirmer") != "oui" {
		ch, err := s.store.ChildOf(c.UserContext(), session(c).ID, id)
		if err != nil {
			return err
		}
		lang := s.lang(c)
		return s.renderConfirm(c, frontend.Tf(lang, "child.delete.title", ch.FirstName), confirmPage{
			Text:   frontend.Tf(lang, "child.delete.what", ch.FirstName),
			Action: fmt.Sprintf("/enfants/%d/supprimer", id), Back: fmt.Sprintf("/enfants/%d", id)})
	}
	if err := s.store.DeleteChild(c.UserContext(), s.policy, session(c).ID, id); err != nil {
		return err
	}
	return c.Redirect("/reservations?retire=1", fiber.StatusSeeOther)
}

// confirmPage asks a parent to confirm what a tap would do, without JavaScript: the form sends
// Fields again with confirmer=oui, Back goes back with nothing done.
type confirmPage struct {
	Text, Action, Back string
	Fields             map[string]string
}

func (s *Server) renderConfirm(c *fiber.Ctx, title string, d confirmPage) error {
	p := s.page(c, title)
	p.Data = d
	return s.renderPage(c, "confirm", p)
}
