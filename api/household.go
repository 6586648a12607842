package api

import (
	"errors"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// swornTextVersion names the wording of the sworn statement the parent ticks (see i18n
// "household.sworn"); a new wording gets a new version so that each household's consent can be
// traced to the words it accepted.
const swornTextVersion = "2026-11-v1"

type householdRequest struct {
	P1First      string `form:"p1_first" validate:"required,max=60,personname"`
	P1Last       string `form:"p1_last" validate:"required,max=60,personname"`
	P1Phone      string `form:"p1_phone" validate:"required,frphone"`
	P1Profession string `form:"p1_profession" validate:"required,max=40"`
	P1Employer   string `form:"p1_employer" validate:"required,max=120,printable"`
	P2Present    bool   `form:"p2_present"`
	P2First      string `form:"p2_first" validate:"required_if=P2Present true,omitempty,max=60,personname"`
	P2Last       string `form:"p2_last" validate:"required_if=P2Present true,omitempty,max=60,personname"`
	P2Phone      string `form:"p2_phone" validate:"required_if=P2Present true,omitempty,frphone"`
	P2Profession string `form:"p2_profession" validate:"max=40"`
	P2Employer   string `form:"p2_employer" validate:"max=120,printable"`
	HomeAddress  string `form:"home_address" validate:"required,max=200,printable"`
	HomeCommune  string `form:"home_commune" validate:"required,max=100"`
	WorkCommune  string `form:"work_commune" validate:"required,max=100"`
	// Siblings is the family's choice for brothers and sisters: together where a hub can take
	// them (the default, also when absent), split, or all_or_none.
	Siblings string `form:"siblings" validate:"omitempty,oneof=together split all_or_none"`
	Sworn    bool   `form:"sworn" validate:"required"`
}

var (
	phoneSeparators = strings.NewReplacer(" ", "", ".", "", "-", "", "\u00a0", "")
	frenchPhone     = regexp.MustCompile(`^0[1-9][0-9]{8}$`)
)

// normalizePhone writes a French phone number as ten digits: "+33 6 12 34 56 78" and
// "06.12.34.56.78" both become "0612345678". Anything else is returned as typed, and refused.
func normalizePhone(p string) string {
	p = phoneSeparators.Replace(strings.TrimSpace(p))
	if strings.HasPrefix(p, "+33") {
		p = "0" + strings.TrimPrefix(p, "+33")
	} else if strings.HasPrefix(p, "0033") {
		p = "0" + strings.TrimPrefix(p, "0033")
	}
	return p
}

// The choices of the household form for brothers and sisters (householdRequest.Siblings).
const (
	siblingsTogether  = "together"
	siblingsSplit     = "split"
	siblingsAllOrNone = "all_or_none"
)

type householdPage struct {
	Form        householdRequest
	Professions []store.Profession
	Exists      bool
}

func (s *Server) householdForm(c *fiber.Ctx) error {
	ctx := c.UserContext()
	data := householdPage{}
	h, err := s.store.HouseholdOf(ctx, session(c).ID)
	switch {
	case err == nil:
		data.Exists = true
		data.Form = householdForm(h)
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	return s.renderHousehold(c, data, nil)
}

// householdForm fills the form from what is saved; the sworn statement is asked again at each
// save.
func householdForm(h store.Household) householdRequest {
	f := householdRequest{HomeAddress: h.HomeAddress, Siblings: siblingsTogether,
		HomeCommune: h.HomeCommuneName, WorkCommune: h.WorkCommuneName}
	switch {
	case h.AllowSplit:
		f.Siblings = siblingsSplit
	case h.AllOrNone:
		f.Siblings = siblingsAllOrNone
	}
	if len(h.Parents) > 0 {
		p := h.Parents[0]
		f.P1First, f.P1Last, f.P1Phone, f.P1Profession, f.P1Employer = p.FirstName, p.LastName, p.Phone, p.ProfessionCode, p.Employer
	}
	if len(h.Parents) > 1 {
		p := h.Parents[1]
		f.P2Present = true
		f.P2First, f.P2Last, f.P2Phone, f.P2Profession, f.P2Employer = p.FirstName, p.LastName, p.Phone, p.ProfessionCode, p.Employer
	}
	return f
}

func (s *Server) renderHousehold(c *fiber.Ctx, data householdPage, errs map[string]string) error {
	data.Professions = s.professions
	lang := s.lang(c)
	p := s.page(c, frontend.T(lang, "household.title"))
	p.Data = data
	if len(errs) > 0 {
		p.Errors = errs
		p.FormError = frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.renderPage(c, "household", p)
}

func (s *Server) saveHousehold(c *fiber.Ctx) error {
	var req householdRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	req.P1Phone, req.P2Phone = normalizePhone(req.P1Phone), normalizePhone(req.P2Phone)
	for _, f := range []*string{&req.P1First, &req.P1Last, &req.P1Employer, &req.P2First, &req.P2Last, &req.P2Employer, &req.HomeAddress} {
		*f = strings.TrimSpace(*f)
	}
	lang := s.lang(c)
	errs := map[string]string{}
	if err := s.validate.Struct(req); err != nil {
		errs = fieldErrors(lang, err)
	}
	ctx := c.UserContext()
	known := map[string]bool{}
	for _, p := range s.professions {
		known[p.Code] = true
	}
	msg := func(fr, en string) string { return frontend.Pick(lang, fr, en) }
	if _, bad := errs["p1_profession"]; !bad && !known[req.P1Profession] {
		errs["p1_profession"] = msg("Choisissez une profession de la liste.", "Choose a profession from the list.")
	}
	if req.P2Present && req.P2Profession != "" && !known[req.P2Profession] {
		errs["p2_profession"] = msg("Choisissez une profession de la liste.", "Choose a profession from the list.")
	}
	entries, err := s.communes.load(ctx, s.store)
	if err != nil {
		return err
	}
	home, okHome := s.communes.resolve(entries, req.HomeCommune)
	work, okWork := s.communes.resolve(entries, req.WorkCommune)
	if _, bad := errs["home_commune"]; !bad && !okHome {
		errs["home_commune"] = msg("Choisissez la commune dans la liste proposée, par exemple « Besançon (25000) ».", "Pick the commune from the list, such as “Besançon (25000)”.")
	}
	if _, bad := errs["work_commune"]; !bad && !okWork {
		errs["work_commune"] = msg("Choisissez la commune dans la liste proposée, par exemple « Besançon (25000) ».", "Pick the commune from the list, such as “Besançon (25000)”.")
	}
	if len(errs) > 0 {
		req.Sworn = false
		if _, bad := errs["siblings"]; bad {
			req.Siblings = siblingsTogether
		}
		return s.renderHousehold(c, householdPage{Form: req}, errs)
	}
	in := store.HouseholdInput{
		Parent1:     store.Parent{FirstName: req.P1First, LastName: req.P1Last, Phone: req.P1Phone, ProfessionCode: req.P1Profession, Employer: req.P1Employer},
		HomeAddress: req.HomeAddress, HomeCommune: home.InseeCode, WorkCommune: work.InseeCode,
		SwornTextVersion: swornTextVersion,
		AllowSplit:       req.Siblings == siblingsSplit, AllOrNone: req.Siblings == siblingsAllOrNone,
	}
	if req.P2Present {
		in.Parent2 = &store.Parent{FirstName: req.P2First, LastName: req.P2Last, Phone: req.P2Phone, ProfessionCode: req.P2Profession, Employer: req.P2Employer}
	}
	if _, err := s.store.SaveHousehold(ctx, session(c).ID, in); err != nil {
		return err
	}
	return c.Redirect("/?foyer=enregistre", fiber.StatusSeeOther)
}
