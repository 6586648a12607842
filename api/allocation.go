package api

import (
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

type allocationRunRequest struct {
	From      string `json:"from" validate:"required,datetime=2006-01-02"`
	To        string `json:"to" validate:"omitempty,datetime=2006-01-02"`
	Rebalance bool   `json:"rebalance"`
	Seed      uint64 `json:"seed"`
}

type allocationRunResponse struct {
	ID        int64        `json:"id"`
	Kind      string       `json:"kind"`
	From      string       `json:"from"`
	To        string       `json:"to"`
	Seed      int64        `json:"seed"`
	StartedAt time.Time    `json:"started_at"`
	Report    alloc.Report `json:"report"`
}

func runResponse(r store.AllocationRun) allocationRunResponse {
	return allocationRunResponse{ID: r.ID, Kind: string(r.Kind), From: r.DayFrom.Format(time.DateOnly),
		To: r.DayTo.Format(time.DateOnly), Seed: r.Seed, StartedAt: r.StartedAt, Report: r.Report}
}

// createAllocationRun lets the rectorat run the allocator by hand over some days (see
// store.AllocateDays); the run is stored and audited.
func (s *Server) createAllocationRun(c *fiber.Ctx) error {
	var req allocationRunRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	if err := s.validate.Struct(req); err != nil {
		return validationError(err)
	}
	if req.To == "" {
		req.To = req.From
	}
	from, _ := time.Parse(time.DateOnly, req.From)
	to, _ := time.Parse(time.DateOnly, req.To)
	if to.Before(from) || to.Sub(from) > 62*24*time.Hour {
		return fieldError("to", "La période doit aller de « from » à « to », deux mois au plus.", "The period must run from “from” to “to”, two months at most.")
	}
	if req.Seed == 0 {
		req.Seed = alloc.RandomSeed()
	}
	var days []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	sess := session(c)
	run, err := s.store.AllocateDays(c.UserContext(), s.policy, days, req.Rebalance, req.Seed, sess.ID)
	if err != nil {
		return err
	}
	if err := s.store.Audit(c.UserContext(), store.AuditEntry{AccountID: sess.ID, Action: "allocation.run", ObjectType: "allocation_run",
		ObjectID: strconv.FormatInt(run.ID, 10), IP: c.IP(), Details: map[string]any{"from": req.From, "to": req.To, "rebalance": req.Rebalance}}); err != nil {
		return err
	}
	if run.ID == 0 {
		return c.Status(fiber.StatusOK).JSON(fiber.Map{"message": "Rien à attribuer : toutes les demandes de ces jours ont une réponse.",
			"message_en": "Nothing to allocate: every request of those days has an answer."})
	}
	run, err = s.store.AllocationRunByID(c.UserContext(), run.ID)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(runResponse(run))
}

func (s *Server) getAllocationRun(c *fiber.Ctx) error {
	id, err := parseID(c.Params("id"))
	if err != nil {
		return err
	}
	run, err := s.store.AllocationRunByID(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(runResponse(run))
}

// allocationForm is the data of /attribution: its form (as sent back on an error, or to confirm
// a rebalance), the notice of the last run and the latest runs.
type allocationForm struct {
	Runs     []store.AllocationRun
	From, To string
	// Rebalance is set on the confirmation step of a rebalance: Preview is what it would do;
	// Fields, sent again to confirm, carry its seed so that the run does what was shown.
	Rebalance bool
	Preview   *store.AllocationRun
	Fields    map[string]string
	// Notice: the run just made (Done), or nothing to allocate (Nothing), on days of which
	// Confirmed were confirmed already.
	Done, Placed, Waiting, Told int64
	Nothing                     bool
	Confirmed                   []time.Time
}

// allocationPage lets the rectorat run the allocator over some days and read the reports of
// the latest runs; ?fait= says what the last run did.
func (s *Server) allocationPage(c *fiber.Ctx) error {
	today := s.today().Format(time.DateOnly)
	f := allocationForm{From: today, To: today}
	q := func(k string) int64 { v, _ := strconv.ParseInt(c.Query(k), 10, 64); return max(v, 0) }
	f.Done, f.Placed, f.Waiting, f.Told, f.Nothing = q("fait"), q("places"), q("attente"), q("prevenues"), c.Query("rien") == "1"
	for _, d := range strings.Split(c.Query("confirmes"), ",") {
		if day, err := time.Parse(time.DateOnly, d); err == nil {
			f.Confirmed = append(f.Confirmed, day)
		}
	}
	return s.renderAllocation(c, f, nil)
}

func (s *Server) renderAllocation(c *fiber.Ctx, f allocationForm, errs map[string]string) error {
	runs, err := s.store.RecentRuns(c.UserContext(), 20)
	if err != nil {
		return err
	}
	f.Runs = runs
	lang := s.lang(c)
	p := s.page(c, frontend.T(lang, "alloc.title"))
	if f.Preview != nil {
		p.Title = frontend.T(lang, "alloc.preview.title")
	}
	if len(errs) > 0 {
		p.Errors, p.FormError = errs, frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
	}
	p.Data = f
	return s.renderPage(c, "allocation", p)
}

// runAllocationForm is the page's form: the same run as POST /api/allocation-runs. A rebalance,
// which may move many families' proposed seats, first shows what it would do (how many
// families would be told) and runs only once confirmed (confirmer=oui).
func (s *Server) runAllocationForm(c *fiber.Ctx) error {
	lang := s.lang(c)
	f := allocationForm{From: c.FormValue("from"), To: c.FormValue("to"), Rebalance: c.FormValue("rebalance") == "true"}
	from, err1 := time.Parse(time.DateOnly, f.From)
	to, err2 := time.Parse(time.DateOnly, f.To)
	errs := map[string]string{}
	switch {
	case err1 != nil:
		errs["from"] = frontend.T(lang, "alloc.err.date")
	case err2 != nil:
		errs["to"] = frontend.T(lang, "alloc.err.date")
	case to.Before(from):
		errs["to"] = frontend.T(lang, "alloc.err.reversed")
	case to.Sub(from) > 62*24*time.Hour:
		errs["to"] = frontend.T(lang, "alloc.err.long")
	}
	if len(errs) > 0 {
		f.Rebalance = false
		return s.renderAllocation(c, f, errs)
	}
	var days []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	ctx := c.UserContext()
	seed, _ := strconv.ParseUint(c.FormValue("graine"), 10, 64)
	if seed == 0 {
		seed = alloc.RandomSeed()
	}
	if f.Rebalance && c.FormValue("confirmer") != "oui" {
		preview, err := s.store.PreviewAllocateDays(ctx, s.policy, days, true, seed)
		if err != nil {
			return err
		}
		f.Preview = &preview
		f.Fields = map[string]string{"from": f.From, "to": f.To, "rebalance": "true", "graine": strconv.FormatUint(seed, 10)}
		return s.renderAllocation(c, f, nil)
	}
	sess := session(c)
	run, err := s.store.AllocateDays(ctx, s.policy, days, f.Rebalance, seed, sess.ID)
	if err != nil {
		return err
	}
	if err := s.store.Audit(ctx, store.AuditEntry{AccountID: sess.ID, Action: "allocation.run", ObjectType: "allocation_run",
		ObjectID: strconv.FormatInt(run.ID, 10), IP: c.IP(), Details: map[string]any{"from": f.From, "to": f.To, "rebalance": f.Rebalance,
			"families_told": run.Notified}}); err != nil {
		return err
	}
	said := url.Values{}
	if run.ID == 0 {
		said.Set("rien", "1")
	} else {
		said.Set("fait", strconv.FormatInt(run.ID, 10))
		said.Set("places", strconv.Itoa(run.Report.ChildDaysPlaced))
		said.Set("attente", strconv.Itoa(run.Report.ChildDaysWaitlist))
		said.Set("prevenues", strconv.Itoa(run.Notified))
	}
	confirmed, err := s.store.ConfirmedDays(ctx, days)
	if err != nil {
		return err
	}
	if len(confirmed) > 0 {
		said.Set("confirmes", strings.Join(dayList(confirmed), ","))
	}
	return c.Redirect("/attribution?"+said.Encode(), fiber.StatusSeeOther)
}

func dayList(days []time.Time) []string {
	out := make([]string, len(days))
	for i, d := range days {
		out[i] = d.Format(time.DateOnly)
	}
	return out
}
