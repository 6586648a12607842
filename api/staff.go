package api

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// The staff administration pages (/admin/agents): an admin manages every staff account, the
// rectorat those of its académie but the admins' (store.ManagesStaff). A change answers with a
// redirect to the account's page, whose notice (query "fait") says what was done; disabling
// shows what it will do first and acts only when confirmed.

// staffPageSize is the number of accounts a page of the list shows: the académie's ~400
// directors in eight pages.
const staffPageSize = 50

// staffRow is a staff account as the pages show it.
type staffRow struct {
	store.StaffAccount
	LastLogin string // day and time in France; empty: never
}

func (s *Server) staffRow(a store.StaffAccount) staffRow {
	r := staffRow{StaffAccount: a}
	if a.LastLoginAt != nil {
		r.LastLogin = a.LastLoginAt.In(s.policy.Location).Format("02/01/2006 15:04")
	}
	return r
}

// staffFilter is what the list's form asks; unknown values are ignored.
type staffFilter struct {
	Search, Role, State string
	Page                int
}

func (f staffFilter) keeps(a store.StaffAccount, folded string) bool {
	if f.Role != "" && string(a.Role) != f.Role || f.State != "" && string(a.State) != f.State {
		return false
	}
	if folded == "" {
		return true
	}
	text := a.DisplayName + " " + a.Email + " " + a.DepartementCode
	for _, h := range a.Hubs {
		text += " " + h.UAI + " " + h.Name + " " + h.Commune
	}
	return strings.Contains(fold(text), folded)
}

// staffRoles are the roles sc may give, in the order the forms offer them.
func staffRoles(sc store.Scope) []store.Role {
	var out []store.Role
	for _, r := range store.StaffRoles {
		if store.ManagesStaff(sc, r) {
			out = append(out, r)
		}
	}
	return out
}

// staffList lists the staff accounts in the caller's scope, filtered by role, state and a
// search over names, addresses and hubs (accents and case ignored), by pages.
func (s *Server) staffList(c *fiber.Ctx) error {
	sc := scopeOf(c)
	f := staffFilter{Search: strings.TrimSpace(c.Query("q")), Role: c.Query("role"), State: c.Query("etat"), Page: c.QueryInt("page", 1)}
	if !slices.Contains(staffRoles(sc), store.Role(f.Role)) {
		f.Role = ""
	}
	if !store.StaffState(f.State).Valid() {
		f.State = ""
	}
	accounts, err := s.store.StaffAccounts(c.UserContext(), sc)
	if err != nil {
		return err
	}
	folded := fold(f.Search)
	var kept []store.StaffAccount
	for _, a := range accounts {
		if f.keeps(a, folded) {
			kept = append(kept, a)
		}
	}
	query, _ := url.ParseQuery(string(c.Request().URI().QueryString()))
	pager := paginate("/admin/agents", query, len(kept), staffPageSize, f.Page)
	var rows []staffRow
	if pager.First > 0 {
		for _, a := range kept[pager.First-1 : pager.Last] {
			rows = append(rows, s.staffRow(a))
		}
	}
	p := s.page(c, frontend.T(s.lang(c), "staff.title"))
	p.Data = struct {
		Rows   []staffRow
		Filter staffFilter
		Roles  []store.Role
		Pager  pagination
		Total  int
	}{rows, f, staffRoles(sc), pager, len(accounts)}
	return s.renderPage(c, "staff_list", p)
}

// staffRequest is the form that makes a staff account.
type staffRequest struct {
	Role        string `form:"role" validate:"required"`
	Name        string `form:"name" validate:"required,max=120,printable"`
	Email       string `form:"email" validate:"required,max=254,email"`
	Departement string `form:"departement"`
	Hubs        string `form:"hubs" validate:"max=2000"`
}

// staffFieldLabels name the form's fields, as it labels them, in the summary of its errors.
var staffFieldLabels = map[string]string{"role": "staff.f.role", "name": "staff.f.name", "email": "staff.f.email",
	"departement": "staff.f.departement", "hubs": "staff.f.hubs", "uai": "staff.f.uai"}

// staffFormError is the summary above a form: the fields to correct, named as labelled.
func staffFormError(lang frontend.Lang, errs map[string]string) string {
	var names []string
	for _, k := range []string{"role", "name", "email", "departement", "hubs", "uai"} {
		if _, bad := errs[k]; bad {
			names = append(names, frontend.T(lang, staffFieldLabels[k]))
		}
	}
	return frontend.Tf(lang, "staff.form.errors", strings.Join(names, ", "))
}

type staffFormPage struct {
	Form         staffRequest
	Roles        []store.Role
	Departements []store.Departement
}

func (s *Server) renderStaffForm(c *fiber.Ctx, form staffRequest, errs map[string]string) error {
	lang := s.lang(c)
	deps, err := s.store.DepartementsInScope(c.UserContext(), scopeOf(c))
	if err != nil {
		return err
	}
	p := s.page(c, frontend.T(lang, "staff.new"))
	p.Data = staffFormPage{Form: form, Roles: staffRoles(scopeOf(c)), Departements: deps}
	if len(errs) > 0 {
		p.Errors, p.FormError = errs, staffFormError(lang, errs)
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.renderPage(c, "staff_form", p)
}

func (s *Server) newStaffForm(c *fiber.Ctx) error {
	return s.renderStaffForm(c, staffRequest{Role: c.Query("role", string(store.RoleDirector))}, nil)
}

// uaiList reads UAI codes separated by commas, semicolons or spaces, upper-cased, without
// repeats; bad is the first that is not a UAI code.
func uaiList(v string) (codes []string, bad string) {
	for _, u := range strings.FieldsFunc(strings.ToUpper(v), func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		if !uaiPattern.MatchString(u) {
			return nil, u
		}
		if !slices.Contains(codes, u) {
			codes = append(codes, u)
		}
	}
	return codes, ""
}

// createStaff makes a staff account and e-mails it its invitation; a bad field answers 422 with
// the form, every bad field named, and nothing made.
func (s *Server) createStaff(c *fiber.Ctx) error {
	var req staffRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	req.Name, req.Email, req.Departement = strings.TrimSpace(req.Name), strings.TrimSpace(req.Email), strings.TrimSpace(req.Departement)
	lang, ctx, sc := s.lang(c), c.UserContext(), scopeOf(c)
	errs := map[string]string{}
	if err := s.validate.Struct(req); err != nil {
		errs = fieldErrors(lang, err)
	}
	role := store.Role(req.Role)
	if _, bad := errs["role"]; !bad && !slices.Contains(staffRoles(sc), role) {
		errs["role"] = frontend.T(lang, "staff.err.role")
	}
	n := store.NewAccount{Email: req.Email, Role: role, DisplayName: req.Name}
	if role == store.RolePrefecture {
		if req.Departement == "" {
			errs["departement"] = frontend.T(lang, "staff.err.departement")
		} else if _, err := s.store.DepartementName(ctx, req.Departement); errors.Is(err, store.ErrNotFound) {
			errs["departement"] = frontend.T(lang, "staff.err.departement")
		} else if err != nil {
			return err
		}
		n.DepartementCode = req.Departement
	}
	if _, bad := errs["hubs"]; !bad && role == store.RoleDirector {
		codes, badCode := uaiList(req.Hubs)
		if badCode != "" {
			errs["hubs"] = frontend.Tf(lang, "staff.err.uai", badCode)
		}
		for _, code := range codes {
			ids, err := s.store.HubIDsByUAI(ctx, []string{code})
			if errors.Is(err, store.ErrNotFound) {
				errs["hubs"] = frontend.Tf(lang, "staff.err.hub", code)
				break
			} else if err != nil {
				return err
			}
			n.HubIDs = append(n.HubIDs, ids[0])
		}
	}
	if len(errs) > 0 {
		return s.renderStaffForm(c, req, errs)
	}
	acc, err := s.store.CreateStaff(ctx, sc, n, s.invitation)
	if errors.Is(err, store.ErrConflict) {
		return s.renderStaffForm(c, req, map[string]string{"email": frontend.T(lang, "staff.err.taken")})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/admin/agents/%d?fait=cree", acc.ID), fiber.StatusSeeOther)
}

// invitation words the e-mail that invites a staff account to choose its password.
func (s *Server) invitation(acc store.Account, token string) (subject, body string) {
	link := s.cfg.PublicURL + "/reinitialiser?jeton=" + token
	login := s.cfg.PublicURL + "/connexion?agent=1"
	days := int(store.InvitationTTL.Hours() / 24)
	role := string(acc.Role)
	return "Accueil prioritaire : votre compte agent / your staff account",
		fmt.Sprintf("Bonjour,\n\nUn compte vous a été ouvert sur Accueil prioritaire (%s), avec pour identifiant cette adresse : %s\n"+
			"Pour choisir votre mot de passe, ouvrez ce lien (valable %d jours, une seule fois) :\n%s\n\nEnsuite, connectez-vous ici :\n%s\n\n"+
			"Si vous n'attendiez pas ce message, ignorez-le.\n\n---\n\n"+
			"Hello,\n\nAn account was opened for you on Accueil prioritaire (%s), with this address as login: %s\n"+
			"To choose your password, open this link (valid %d days, once):\n%s\n\nThen log in here:\n%s\n\n"+
			"If you did not expect this message, ignore it.\n",
			frontend.T(frontend.French, "role."+role), acc.Email, days, link, login,
			frontend.T(frontend.English, "role."+role), acc.Email, days, link, login)
}

// staffAccountID reads the :id of an account route.
func staffAccountID(c *fiber.Ctx) (int64, error) { return parseID(c.Params("id")) }

// staffNotices are the notices of the account page, by the "fait" of its query.
var staffNotices = map[string]string{"cree": "staff.done.created", "invite": "staff.done.invited", "desactive": "staff.done.disabled",
	"reactive": "staff.done.enabled", "pole": "staff.done.assigned", "deja": "staff.done.already", "retire": "staff.done.unassigned"}

type staffAccountPage struct {
	Account staffRow
	Self    bool
	Notice  string
	UAI     string
}

// staffPage shows a staff account: its state, hubs and what can be done to it.
func (s *Server) staffPage(c *fiber.Ctx) error {
	return s.renderStaffAccount(c, "", nil)
}

func (s *Server) renderStaffAccount(c *fiber.Ctx, uai string, errs map[string]string) error {
	id, err := staffAccountID(c)
	if err != nil {
		return err
	}
	a, err := s.store.StaffAccountByID(c.UserContext(), scopeOf(c), id)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	data := staffAccountPage{Account: s.staffRow(a), Self: a.ID == session(c).ID, UAI: uai}
	if key, ok := staffNotices[c.Query("fait")]; ok {
		n, _ := strconv.Atoi(c.Query("sessions"))
		// Every notice takes the same arguments, by index (%[1]s the address, %[2]d the sessions
		// ended, %[3]s the hub's UAI code), and uses those it needs.
		data.Notice = frontend.Tf(lang, key, a.Email, max(n, 0), c.Query("uai"))
	}
	p := s.page(c, a.Email)
	p.Data = data
	if len(errs) > 0 {
		p.Errors, p.FormError = errs, staffFormError(lang, errs)
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.renderPage(c, "staff_account", p)
}

// staffDone sends back to the account's page with the notice of what was done.
func staffDone(c *fiber.Ctx, id int64, done string, extra url.Values) error {
	q := url.Values{"fait": {done}}
	for k, v := range extra {
		q[k] = v
	}
	return c.Redirect(fmt.Sprintf("/admin/agents/%d?", id)+q.Encode(), fiber.StatusSeeOther)
}

// reinviteStaff e-mails a new invitation; the links sent before stop working.
func (s *Server) reinviteStaff(c *fiber.Ctx) error {
	id, err := staffAccountID(c)
	if err != nil {
		return err
	}
	if err := s.store.ReinviteStaff(c.UserContext(), scopeOf(c), id, s.invitation); err != nil {
		return err
	}
	return staffDone(c, id, "invite", nil)
}

// disableStaff shows what disabling an account does (GET, or POST without confirmer=oui), and
// disables it when confirmed.
func (s *Server) disableStaff(c *fiber.Ctx) error {
	id, err := staffAccountID(c)
	if err != nil {
		return err
	}
	ctx, sc := c.UserContext(), scopeOf(c)
	confirmed := c.Method() == fiber.MethodPost && c.FormValue("confirmer") == "oui"
	a, err := s.store.StaffAccountByID(ctx, sc, id)
	if err != nil {
		return err
	}
	outcome, err := s.store.DisableStaff(ctx, sc, id, !confirmed)
	if err != nil {
		return err
	}
	if confirmed {
		return staffDone(c, id, "desactive", url.Values{"sessions": {strconv.Itoa(outcome.Sessions)}})
	}
	p := s.page(c, frontend.Tf(s.lang(c), "staff.disable.title", a.Email))
	p.Data = struct {
		Account staffRow
		Outcome store.DisableOutcome
	}{s.staffRow(a), outcome}
	return s.renderPage(c, "staff_disable", p)
}

// enableStaff enables a disabled account again.
func (s *Server) enableStaff(c *fiber.Ctx) error {
	id, err := staffAccountID(c)
	if err != nil {
		return err
	}
	if _, err := s.store.EnableStaff(c.UserContext(), scopeOf(c), id); err != nil {
		return err
	}
	return staffDone(c, id, "reactive", nil)
}

// assignHub gives a director the hub whose UAI code the form names.
func (s *Server) assignHub(c *fiber.Ctx) error {
	id, err := staffAccountID(c)
	if err != nil {
		return err
	}
	ctx, sc, lang := c.UserContext(), scopeOf(c), s.lang(c)
	if _, err := s.store.StaffAccountByID(ctx, sc, id); err != nil {
		return err
	}
	uai := strings.ToUpper(strings.TrimSpace(c.FormValue("uai")))
	if !uaiPattern.MatchString(uai) {
		return s.renderStaffAccount(c, uai, map[string]string{"uai": frontend.Tf(lang, "staff.err.uai", uai)})
	}
	ids, err := s.store.HubIDsByUAI(ctx, []string{uai})
	if errors.Is(err, store.ErrNotFound) {
		return s.renderStaffAccount(c, uai, map[string]string{"uai": frontend.Tf(lang, "staff.err.hub", uai)})
	} else if err != nil {
		return err
	}
	added, err := s.store.AssignHub(ctx, sc, id, ids[0])
	if err != nil {
		return err
	}
	done := "pole"
	if !added {
		done = "deja"
	}
	return staffDone(c, id, done, url.Values{"uai": {uai}})
}

// unassignHub takes a hub from a director.
func (s *Server) unassignHub(c *fiber.Ctx) error {
	id, err := staffAccountID(c)
	if err != nil {
		return err
	}
	hub, err := parseID(c.Params("hub"))
	if err != nil {
		return err
	}
	ctx, sc := c.UserContext(), scopeOf(c)
	a, err := s.store.StaffAccountByID(ctx, sc, id)
	if err != nil {
		return err
	}
	uai := ""
	for _, h := range a.Hubs {
		if h.ID == hub {
			uai = h.UAI
		}
	}
	if uai == "" {
		return store.ErrNotFound
	}
	if _, err := s.store.UnassignHub(ctx, sc, id, hub); err != nil {
		return err
	}
	return staffDone(c, id, "retire", url.Values{"uai": {uai}})
}
