package api

import (
	"strconv"
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
		return validationError(c, s.lang(c), err)
	}
	if req.To == "" {
		req.To = req.From
	}
	from, _ := time.Parse(time.DateOnly, req.From)
	to, _ := time.Parse(time.DateOnly, req.To)
	if to.Before(from) || to.Sub(from) > 62*24*time.Hour {
		return fieldError(c, "to", "La période doit aller de « from » à « to », deux mois au plus.", "The period must run from “from” to “to”, two months at most.")
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

// allocationPage lets the rectorat run the allocator over some days and read the reports of
// the latest runs.
func (s *Server) allocationPage(c *fiber.Ctx) error {
	runs, err := s.store.RecentRuns(c.UserContext(), 20)
	if err != nil {
		return err
	}
	p := s.page(c, frontend.T(s.lang(c), "alloc.title"))
	p.Data = struct {
		Runs  []store.AllocationRun
		Today string
	}{runs, s.today().Format(time.DateOnly)}
	return s.renderPage(c, "allocation", p)
}

// runAllocationForm is the page's form: the same run as POST /api/allocation-runs.
func (s *Server) runAllocationForm(c *fiber.Ctx) error {
	from, err1 := time.Parse(time.DateOnly, c.FormValue("from"))
	to, err2 := time.Parse(time.DateOnly, c.FormValue("to"))
	if err1 != nil || err2 != nil || to.Before(from) || to.Sub(from) > 62*24*time.Hour {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "period")
	}
	var days []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	sess := session(c)
	run, err := s.store.AllocateDays(c.UserContext(), s.policy, days, c.FormValue("rebalance") == "true", alloc.RandomSeed(), sess.ID)
	if err != nil {
		return err
	}
	if err := s.store.Audit(c.UserContext(), store.AuditEntry{AccountID: sess.ID, Action: "allocation.run", ObjectType: "allocation_run",
		ObjectID: strconv.FormatInt(run.ID, 10), IP: c.IP(), Details: map[string]any{"from": c.FormValue("from"), "to": c.FormValue("to")}}); err != nil {
		return err
	}
	return c.Redirect("/attribution", fiber.StatusSeeOther)
}
