package api

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// heldDataJSON is the right-of-access download: the API's own types, so that a renamed store
// field never changes what families receive.
type heldDataJSON struct {
	GeneratedAt time.Time          `json:"generated_at"`
	Account     heldAccountJSON    `json:"account"`
	Household   *heldHouseholdJSON `json:"household"`
	Children    []heldChildJSON    `json:"children"`
	Days        []heldDayJSON      `json:"days"`
	Emails      []heldEmailJSON    `json:"emails"`
	Accesses    []heldAccessJSON   `json:"accesses"`
}

type heldAccountJSON struct {
	Email          string     `json:"email"`
	Name           string     `json:"name"`
	CreatedAt      time.Time  `json:"created_at"`
	EmailConfirmed *time.Time `json:"email_confirmed_at"`
	LastLogin      *time.Time `json:"last_login_at"`
}

type heldParentJSON struct {
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	Phone      string `json:"phone"`
	Profession string `json:"profession"`
	Employer   string `json:"employer"`
}

type heldHouseholdJSON struct {
	Parents        []heldParentJSON `json:"parents"`
	HomeAddress    string           `json:"home_address"`
	HomeCommune    string           `json:"home_commune"`
	WorkCommune    string           `json:"work_commune"`
	SwornAt        time.Time        `json:"sworn_statement_at"`
	ProofCheckedAt *time.Time       `json:"employer_proof_checked_at"`
	AllowSplit     bool             `json:"siblings_may_be_split"`
	AllOrNone      bool             `json:"siblings_only_if_all_hosted"`
}

type heldPickupJSON struct {
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	Relation string `json:"relation"`
}

type heldChildJSON struct {
	FirstName  string           `json:"first_name"`
	LastName   string           `json:"last_name"`
	BirthDate  string           `json:"birth_date"`
	Level      string           `json:"level"`
	HealthNote string           `json:"health_note"`
	Pickups    []heldPickupJSON `json:"pickup_persons"`
}

type heldDayJSON struct {
	Child       string     `json:"child"`
	Day         string     `json:"day"`
	Near        string     `json:"near"`
	ArriveAt    string     `json:"arrive_at"`
	DepartAt    string     `json:"depart_at"`
	RequestedAt time.Time  `json:"requested_at"`
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
	Status      string     `json:"status"`
	Hub         string     `json:"hub,omitempty"`
	Attendance  string     `json:"attendance,omitempty"`
	ArrivedAt   string     `json:"arrived_at,omitempty"`
	DepartedAt  string     `json:"departed_at,omitempty"`
}

type heldEmailJSON struct {
	Subject   string     `json:"subject"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at"`
}

type heldAccessJSON struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	ByRole string    `json:"by_role"`
}

func heldDataOf(d store.HeldData, now time.Time) heldDataJSON {
	out := heldDataJSON{GeneratedAt: now, Children: []heldChildJSON{}, Days: []heldDayJSON{}, Emails: []heldEmailJSON{}, Accesses: []heldAccessJSON{},
		Account: heldAccountJSON{Email: d.Account.Email, Name: d.Account.DisplayName, CreatedAt: d.Account.CreatedAt,
			EmailConfirmed: d.Account.EmailConfirmedAt, LastLogin: d.Account.LastLoginAt}}
	if h := d.Household; h != nil {
		hh := &heldHouseholdJSON{HomeAddress: h.HomeAddress, HomeCommune: h.HomeCommuneName, WorkCommune: h.WorkCommuneName,
			SwornAt: h.SwornAt, ProofCheckedAt: h.ProofCheckedAt, AllowSplit: h.AllowSplit, AllOrNone: h.AllOrNone}
		for _, p := range h.Parents {
			hh.Parents = append(hh.Parents, heldParentJSON{p.FirstName, p.LastName, p.Phone, p.ProfessionCode, p.Employer})
		}
		out.Household = hh
	}
	for _, c := range d.Children {
		hc := heldChildJSON{FirstName: c.FirstName, LastName: c.LastName, BirthDate: c.BirthDate.Format(time.DateOnly),
			Level: string(c.Level), HealthNote: c.HealthNote, Pickups: []heldPickupJSON{}}
		for _, p := range c.Pickups {
			hc.Pickups = append(hc.Pickups, heldPickupJSON{p.Name, p.Phone, p.Relation})
		}
		out.Children = append(out.Children, hc)
	}
	for _, x := range d.Days {
		out.Days = append(out.Days, heldDayJSON{Child: x.ChildName, Day: x.Day.Format(time.DateOnly), Near: x.Location,
			ArriveAt: x.ArriveAt, DepartAt: x.DepartAt, RequestedAt: x.Requested, CancelledAt: x.Cancelled, Status: string(x.Status),
			Hub: x.HubName, Attendance: x.Attendance, ArrivedAt: x.ArrivedAt, DepartedAt: x.DepartedAt})
	}
	for _, e := range d.Emails {
		out.Emails = append(out.Emails, heldEmailJSON{e.Subject, e.CreatedAt, e.SentAt})
	}
	for _, a := range d.Accesses {
		out.Accesses = append(out.Accesses, heldAccessJSON{a.At, a.Action, a.Role})
	}
	return out
}

// myData is "Mes données": everything held about the parent's household, readable and printable
// (?format=json downloads the same as JSON). Reading it is audited like any access.
func (s *Server) myData(c *fiber.Ctx) error {
	format := c.Query("format", "html")
	if format != "html" && format != "json" {
		return store.ErrNotFound
	}
	if format == "html" {
		return s.renderMyData(c, nil)
	}
	d, err := s.readMyData(c, format)
	if err != nil {
		return err
	}
	body, err := json.MarshalIndent(heldDataOf(d, s.store.Now()), "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="mes-donnees-accueil-prioritaire.json"`)
	return c.Send(body)
}

// readMyData reads what is held about the caller's household and logs the reading.
func (s *Server) readMyData(c *fiber.Ctx, format string) (store.HeldData, error) {
	sess := session(c)
	d, err := s.store.DataHeldFor(c.UserContext(), sess.ID)
	if err != nil {
		return d, err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return d, s.store.Audit(c.UserContext(), store.AuditEntry{AccountID: sess.ID, Action: "account.data_access", ObjectType: "account",
		ObjectID: strconv.FormatInt(sess.ID, 10), IP: c.IP(), Details: map[string]any{"format": format}})
}

// renderMyData renders the page, with errs on the erasure form when it was refused.
func (s *Server) renderMyData(c *fiber.Ctx, errs map[string]string) error {
	d, err := s.readMyData(c, "html")
	if err != nil {
		return err
	}
	for i := range d.Accesses {
		d.Accesses[i].At = d.Accesses[i].At.In(s.policy.Location)
	}
	lang := s.lang(c)
	p := s.page(c, frontend.T(lang, "mydata.title"))
	p.Data = d
	if len(errs) > 0 {
		p.Errors, p.FormError = errs, frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.renderPage(c, "my_data", p)
}

// eraseAccount erases the parent's account and household at their request. The password is
// asked again: a session left open on a shared computer must not be enough to erase a family.
// Too many wrong passwords answer as any throttled login does.
func (s *Server) eraseAccount(c *fiber.Ctx) error {
	sess := session(c)
	lang := s.lang(c)
	ctx := c.UserContext()
	if _, err := s.store.Authenticate(ctx, sess.Email, c.FormValue("password"), c.IP()); errors.Is(err, store.ErrUnauthorized) {
		return s.renderMyData(c, map[string]string{"password": frontend.T(lang, "mydata.erase.badpassword")})
	} else if err != nil {
		return err
	}
	if err := s.store.EraseAccount(ctx, s.policy, sess.ID, c.IP()); err != nil {
		return err
	}
	s.clearSessionCookie(c)
	c.Locals(localSession, nil)
	p := s.page(c, frontend.T(lang, "mydata.erase.title"))
	p.Data = frontend.T(lang, "mydata.erase.done")
	return s.renderPage(c, "message", p)
}
