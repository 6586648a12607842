package api

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/alloc"
	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// bookingHorizon is how many open days ahead parents may book (two weeks).
const bookingHorizon = 10

const (
	closedDayFR = "Choisissez des jours ouverts parmi les deux prochaines semaines."
	closedDayEN = "Choose open days within the next two weeks."
)

// openDaysTTL is how long the booking calendar is kept: every booking checks its days against it,
// and at the morning rush the same answer would otherwise be read thousands of times a second.
// The booking transaction checks again that each day is open, so a day closed meanwhile is still
// refused (with the same message).
const openDaysTTL = 2 * time.Second

type openDaysCache struct {
	mu    sync.Mutex
	first time.Time
	until time.Time
	days  []time.Time
}

// bookingDays is the calendar parents book from: the next open days, up to the horizon. The lock
// is held over the read, so an expired calendar is read once rather than by every request
// waiting; its age is wall-clock time (the store's clock may stand still in tests).
func (s *Server) bookingDays(c *fiber.Ctx) ([]time.Time, error) {
	first, now := s.firstBookableDay(), time.Now()
	s.openDays.mu.Lock()
	defer s.openDays.mu.Unlock()
	if s.openDays.first.Equal(first) && now.Before(s.openDays.until) {
		return s.openDays.days, nil
	}
	days, err := s.store.OpenDays(c.UserContext(), first, bookingHorizon)
	if err != nil {
		return nil, err
	}
	s.openDays.first, s.openDays.until, s.openDays.days = first, now.Add(openDaysTTL), days
	return days, nil
}

// lastArrivalHour: hubs host children until 18:30, so from 18:00 (Paris) today is over for a
// booking and the calendar starts tomorrow. A parent booking at 23:00 must not be offered, and
// told "confirmed" for, a day that has ended.
const lastArrivalHour = 18

// firstBookableDay is today, or tomorrow once today's last arrival has passed.
func (s *Server) firstBookableDay() time.Time {
	today := s.today()
	if s.store.Now().In(s.policy.Location).Hour() >= lastArrivalHour {
		return today.AddDate(0, 0, 1)
	}
	return today
}

// bookingRequest is a booking as the JSON API takes it; the form fills the same struct.
type bookingRequest struct {
	ChildIDs []int64  `json:"child_ids" validate:"required,min=1,max=8,dive,gt=0"`
	Days     []string `json:"days" validate:"required,min=1,max=10,dive,datetime=2006-01-02"`
	Location string   `json:"location" validate:"required,oneof=home work"`
	ArriveAt string   `json:"arrive_at" validate:"required,datetime=15:04"`
	DepartAt string   `json:"depart_at" validate:"required,datetime=15:04"`
}

// check validates a booking against the open days; it returns the fields refused, nil if fine.
func (s *Server) checkBooking(c *fiber.Ctx, req *bookingRequest) (store.BookingInput, *fieldsError, error) {
	errs := &fieldsError{fr: map[string]string{}, en: map[string]string{}}
	if err := s.validate.Struct(req); err != nil {
		errs = validationError(err).(*fieldsError)
	}
	in := store.BookingInput{ChildIDs: req.ChildIDs, Location: store.Location(req.Location), ArriveAt: req.ArriveAt, DepartAt: req.DepartAt}
	if _, bad := errs.en["arrive_at"]; !bad {
		if _, bad := errs.en["depart_at"]; !bad && (req.ArriveAt < "07:30" || req.DepartAt > "18:30" || req.ArriveAt >= req.DepartAt) {
			errs.add("depart_at", "L’accueil a lieu de 7 h 30 à 18 h 30 : l’arrivée doit précéder le départ.", "Hosting runs from 7:30 to 18:30: arrival must come before departure.")
		}
	}
	if _, bad := errs.en["days"]; !bad {
		open, err := s.bookingDays(c)
		if err != nil {
			return in, nil, err
		}
		for _, d := range req.Days {
			day, _ := time.Parse(time.DateOnly, d)
			if !slices.ContainsFunc(open, day.Equal) {
				errs.add("days", closedDayFR, closedDayEN)
				break
			}
			if !slices.ContainsFunc(in.Days, day.Equal) {
				in.Days = append(in.Days, day)
			}
		}
	}
	slices.Sort(in.ChildIDs)
	in.ChildIDs = slices.Compact(in.ChildIDs)
	slices.SortFunc(in.Days, func(a, b time.Time) int { return a.Compare(b) })
	if len(errs.en) == 0 {
		return in, nil, nil
	}
	return in, errs, nil
}

// requestHash is the fingerprint of a booking, for the idempotency check. It is stored with the
// key and compared with a second submission's, maybe after a deploy: it hashes a form of its
// own (bookingFingerprint), not store.BookingInput, whose fields may change.
func requestHash(in store.BookingInput) []byte {
	b, _ := json.Marshal(bookingFingerprint{ChildIDs: in.ChildIDs, Days: in.Days, Location: string(in.Location),
		ArriveAt: in.ArriveAt, DepartAt: in.DepartAt})
	h := sha256.Sum256(b)
	return h[:]
}

// bookingFingerprint is what requestHash hashes: the JSON that store.BookingInput had when the
// first keys were stored, so that their hashes still match (TestRequestHashIsFrozen).
type bookingFingerprint struct {
	ChildIDs []int64
	Days     []time.Time
	Location string
	ArriveAt string
	DepartAt string
}

// createBooking is POST /api/bookings: the JSON booking endpoint, with an Idempotency-Key
// header. A replay answers 200 with Idempotent-Replayed: true; a first answer 201.
func (s *Server) createBooking(c *fiber.Ctx) error {
	if session(c).EmailConfirmedAt == nil {
		return errEmailUnconfirmed
	}
	key := c.Get("Idempotency-Key")
	if len(key) < 8 || len(key) > 128 || !isPrintableText(key) {
		return fieldError("Idempotency-Key", "Envoyez un en-tête Idempotency-Key de 8 à 128 caractères.", "Send an Idempotency-Key header of 8 to 128 characters.")
	}
	var req bookingRequest
	if err := decodeBody(c, &req); err != nil {
		return err
	}
	in, errs, err := s.checkBooking(c, &req)
	if err != nil {
		return err
	}
	if errs != nil {
		return errs
	}
	b, replayed, err := s.booker.Book(c.UserContext(), session(c).ID, key, requestHash(in), in)
	switch {
	case errors.Is(err, store.ErrIdempotencyMismatch):
		return fieldError("Idempotency-Key", "Cette clé a déjà servi pour une autre réservation.", "This key was already used for another booking.")
	case errors.Is(err, store.ErrInvalid): // a day closed since the calendar was read
		return fieldError("days", closedDayFR, closedDayEN)
	}
	if err != nil {
		return err
	}
	if replayed {
		c.Set("Idempotent-Replayed", "true")
		return c.Status(fiber.StatusOK).JSON(bookingAnswerOf(b))
	}
	return c.Status(fiber.StatusCreated).JSON(bookingAnswerOf(b))
}

// bookedView is one answer as the result and bookings pages show it.
type bookedView struct {
	store.BookedDay
	MapURL   string
	ReasonFR string
	ReasonEN string
}

func bookedViews(days []store.BookedDay, maxKm float64) []bookedView {
	out := make([]bookedView, len(days))
	for i, d := range days {
		v := bookedView{BookedDay: d}
		if d.HubID != 0 {
			v.MapURL = mapURL(d.HubLat, d.HubLon)
		}
		if d.Reason != "" {
			v.ReasonFR, v.ReasonEN = alloc.Reason(d.Reason).Explain(maxKm, d.NearestFullHub)
		}
		out[i] = v
	}
	return out
}

// bookedList is a table of answers; Cancel adds a cancel button per day.
type bookedList struct {
	Days   []bookedView
	Cancel bool
	// What the last cancellation did: days cancelled, and days it left as they were.
	Cancelled, Kept int
	Removed         bool // a child was just removed from the household
}

type bookingPage struct {
	Children []store.Child
	Days     []time.Time
	Key      string
	Form     bookingRequest
	Cutoff   string
	Times    []string
}

// bookingForm shows the form, with the choices of the query when there are (a parent whose
// session ended while booking comes back to them after logging in again).
func (s *Server) bookingForm(c *fiber.Ctx) error {
	form := bookingRequest{Location: "home", ArriveAt: "08:00", DepartAt: "17:30"}
	args := c.Request().URI().QueryArgs()
	for _, v := range args.PeekMulti("child") {
		if id, err := strconv.ParseInt(string(v), 10, 64); err == nil {
			form.ChildIDs = append(form.ChildIDs, id)
		}
	}
	for _, v := range args.PeekMulti("day") {
		form.Days = append(form.Days, string(v))
	}
	for field, v := range map[*string]string{&form.Location: c.Query("location"), &form.ArriveAt: c.Query("arrive_at"), &form.DepartAt: c.Query("depart_at")} {
		if v != "" {
			*field = v
		}
	}
	return s.renderBookingForm(c, form, nil)
}

func (s *Server) renderBookingForm(c *fiber.Ctx, form bookingRequest, errs map[string]string) error {
	ctx := c.UserContext()
	kids, err := s.store.ChildrenOf(ctx, session(c).ID)
	if err != nil {
		return err
	}
	lang := s.lang(c)
	p := s.page(c, frontend.T(lang, "booking.title"))
	if len(kids) == 0 {
		// Nothing to book yet: the page says to add a child, with the link, rather than
		// sending the parent elsewhere without a word.
		p.Data = bookingPage{}
		return s.renderPage(c, "booking", p)
	}
	days, err := s.bookingDays(c)
	if err != nil {
		return err
	}
	var times []string
	for m := 7*60 + 30; m <= 18*60+30; m += 15 {
		times = append(times, fmt.Sprintf("%02d:%02d", m/60, m%60))
	}
	p.Data = bookingPage{Children: kids, Days: days, Key: store.RandomToken(), Form: form, Times: times,
		Cutoff: fmt.Sprintf("%d:%02d", s.policy.CutoffHour, s.policy.CutoffMinute)}
	if len(errs) > 0 {
		p.Errors = errs
		p.FormError = frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.renderPage(c, "booking", p)
}

// submitBooking is the form's POST: the same booking as the API, answered with a page.
func (s *Server) submitBooking(c *fiber.Ctx) error {
	if session(c).EmailConfirmedAt == nil {
		return errEmailUnconfirmed
	}
	args := c.Request().PostArgs()
	req := bookingRequest{Location: c.FormValue("location"), ArriveAt: c.FormValue("arrive_at"), DepartAt: c.FormValue("depart_at")}
	for _, v := range args.PeekMulti("child") {
		id, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return fiber.ErrBadRequest
		}
		req.ChildIDs = append(req.ChildIDs, id)
	}
	for _, v := range args.PeekMulti("day") {
		req.Days = append(req.Days, string(v))
	}
	in, errs, err := s.checkBooking(c, &req)
	if err != nil {
		return err
	}
	if errs != nil {
		return s.renderBookingForm(c, req, errs.in(s.lang(c)))
	}
	key := c.FormValue("key")
	if len(key) < 8 || len(key) > 128 {
		return fiber.ErrBadRequest
	}
	b, _, err := s.booker.Book(c.UserContext(), session(c).ID, key, requestHash(in), in)
	switch {
	case errors.Is(err, store.ErrIdempotencyMismatch):
		// The form was sent again with other choices: a new form, with a new key.
		return s.renderBookingForm(c, req, map[string]string{"days": frontend.T(s.lang(c), "booking.resubmit")})
	case errors.Is(err, store.ErrInvalid):
		return s.renderBookingForm(c, req, map[string]string{"days": frontend.Pick(s.lang(c), closedDayFR, closedDayEN)})
	}
	if err != nil {
		return err
	}
	p := s.page(c, frontend.T(s.lang(c), "booking.result"))
	p.Data = bookedList{Days: bookedViews(b.Days, s.policy.MaxDistanceKm)}
	return s.renderPage(c, "booking_result", p)
}

// myBookings lists the coming days; ?conserves=n says that a cancellation of every coming day
// left n days as they were (children already checked in).
func (s *Server) myBookings(c *fiber.Ctx) error { return s.renderBookings(c, nil) }

// renderBookings renders "Mes réservations", with what the last cancellation did (?annulees=,
// ?conserves=), or errs on the form to cancel every day when it was refused.
func (s *Server) renderBookings(c *fiber.Ctx, errs map[string]string) error {
	days, err := s.store.UpcomingBookings(c.UserContext(), session(c).ID, s.today())
	if err != nil {
		return err
	}
	lang := s.lang(c)
	p := s.page(c, frontend.T(lang, "bookings.title"))
	cancelled, _ := strconv.Atoi(c.Query("annulees"))
	kept, _ := strconv.Atoi(c.Query("conserves"))
	p.Data = bookedList{Days: bookedViews(days, s.policy.MaxDistanceKm), Cancel: true, Cancelled: max(cancelled, 0), Kept: max(kept, 0),
		Removed: c.Query("retire") == "1"}
	if len(errs) > 0 {
		p.Errors, p.FormError = errs, frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
	}
	return s.renderPage(c, "bookings", p)
}

// cancelBooking cancels one child-day (child and day given) or every upcoming day ("all"). The
// store refuses a day over or a child already checked in (ErrDayLocked) and, cancelling every
// day, keeps those, which the page then tells.
func (s *Server) cancelBooking(c *fiber.Ctx) error {
	var childID int64
	var day time.Time
	if c.FormValue("all") == "true" && c.FormValue("confirmer") != "oui" {
		// Every coming day of every child goes at once: the box must be ticked.
		return s.renderBookings(c, map[string]string{"confirmer": frontend.T(s.lang(c), "bookings.cancelall.confirm.needed")})
	}
	if c.FormValue("all") != "true" {
		var err1, err2 error
		childID, err1 = parseID(c.FormValue("child"))
		day, err2 = time.Parse(time.DateOnly, c.FormValue("day"))
		if err1 != nil || err2 != nil {
			return store.ErrNotFound
		}
		if c.FormValue("confirmer") != "oui" {
			ch, err := s.store.ChildOf(c.UserContext(), session(c).ID, childID)
			if err != nil {
				return err
			}
			lang := s.lang(c)
			return s.renderConfirm(c, frontend.T(lang, "bookings.cancel.title"), confirmPage{
				Text:   frontend.Tf(lang, "bookings.cancel.what", ch.FirstName, frontend.LongDate(lang, day)),
				Action: "/reservations/annuler", Back: "/reservations",
				Fields: map[string]string{"child": strconv.FormatInt(childID, 10), "day": day.Format(time.DateOnly)}})
		}
	}
	done, err := s.store.CancelBooking(c.UserContext(), s.policy, session(c).ID, childID, day)
	if err != nil {
		return err
	}
	said := url.Values{"annulees": {strconv.Itoa(done.Cancelled)}}
	if len(done.Kept) > 0 {
		said.Set("conserves", strconv.Itoa(len(done.Kept)))
	}
	return c.Redirect("/reservations?"+said.Encode(), fiber.StatusSeeOther)
}
