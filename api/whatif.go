package api

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// The what-if page (/simulation) lets prefecture and rectorat staff combine changes of hubs
// and see what they would do (store.RunWhatIf), then reach the levers that make them. It only
// reads: every step is a GET whose query holds the whole what-if, so a what-if can be shared
// by its address, and works without JavaScript. A change is kept in the query as one value of
// "c": fermer:HUB, capacite:HUB:LEVEL:N, ouvrir:HUB:M:E:C or commune:INSEE:M:E:C (seats of
// maternelle, élémentaire, collège).

// whatIfPage is the data of the page.
type whatIfPage struct {
	Day     string // the first day, YYYY-MM-DD
	Week    bool   // the day and the four weekdays after it
	Days    []time.Time
	Codes   []string // the changes as kept in the query
	Changes []whatIfChangeView
	Hubs    []store.Hub
	Result  *store.WhatIfResult
	// Form is the add forms' values sent back with their errors.
	Form map[string]string
}

type whatIfChangeView struct {
	Label  string
	Remove string // the page without this change
	Levers []whatIfLeverLink
	// NoLever: a hub opened where there is no school of the directory: only an import makes it.
	NoLever bool
}

type whatIfLeverLink struct{ Label, URL string }

// whatIf shows the page: the forms, and what the changes of the query would do.
func (s *Server) whatIf(c *fiber.Ctx) error {
	ctx, sc, lang := c.UserContext(), scopeOf(c), s.lang(c)
	hubs, err := s.store.HubsInScope(ctx, sc)
	if err != nil {
		return err
	}
	data := whatIfPage{Day: c.Query("jour"), Week: c.Query("duree") == "semaine", Hubs: hubs, Form: map[string]string{}}
	errs := map[string]string{}
	first := store.Weekdays(s.today(), 1)[0]
	if data.Day == "" {
		data.Day = first.Format(time.DateOnly)
	}
	day, err := time.Parse(time.DateOnly, isoDate(data.Day))
	if err != nil || day.Before(s.today()) {
		errs["jour"] = frontend.Pick(lang, "Choisissez un jour à venir, par exemple "+first.Format("02/01/2006")+".",
			"Choose a coming day, such as "+first.Format("02/01/2006")+".")
		day = first
	}
	data.Day = day.Format(time.DateOnly)
	data.Days = []time.Time{day}
	if data.Week {
		data.Days = store.Weekdays(day, 5)
	}
	byID := map[int64]store.Hub{}
	for _, h := range hubs {
		byID[h.ID] = h
	}
	changes := make([]store.WhatIfChange, 0, len(c.Context().QueryArgs().PeekMulti("c")))
	for _, v := range c.Context().QueryArgs().PeekMulti("c") {
		code := string(v)
		ch, ok := s.parseWhatIfChange(c, code)
		if !ok {
			errs["c"] = frontend.Pick(lang, "Un changement de l’adresse n’est pas lisible : retirez-le ou recommencez.", "A change in the address cannot be read: remove it or start again.")
			continue
		}
		if ch.HubID != 0 {
			if _, ok := byID[ch.HubID]; !ok {
				return store.ErrNotFound // another département's hub looks like no hub at all
			}
		}
		data.Codes = append(data.Codes, code)
		changes = append(changes, ch)
	}
	// An add form: its change joins the others, and the page comes back at its own address.
	if add := c.Query("ajouter"); add != "" && len(errs) == 0 {
		code, field, msg := s.readWhatIfForm(c, add, byID)
		if field == "" {
			q := whatIfQuery(data, append(append([]string{}, data.Codes...), code))
			return c.Redirect("/simulation?"+q.Encode(), fiber.StatusSeeOther)
		}
		errs[field] = msg
		for _, k := range []string{"pole", "niveau", "capacite", "maternelle", "elementaire", "college", "commune"} {
			data.Form[add+"."+k] = c.Query(k)
		}
	}
	if len(data.Codes) > store.WhatIfMaxChanges {
		errs["c"] = frontend.Pick(lang, fmt.Sprintf("Une simulation compte au plus %d changements.", store.WhatIfMaxChanges),
			fmt.Sprintf("A what-if has at most %d changes.", store.WhatIfMaxChanges))
	}
	communes := map[string]string{}
	for _, ch := range changes {
		if ch.Commune != "" {
			entries, err := s.communes.load(ctx, s.store)
			if err != nil {
				return err
			}
			if cc, ok := s.communes.resolve(entries, ch.Commune); ok {
				communes[ch.Commune] = cc.Name
			}
		}
	}
	for i, ch := range changes {
		data.Changes = append(data.Changes, s.whatIfChangeView(lang, data, i, ch, byID, communes))
	}
	if len(changes) > 0 && len(errs) == 0 {
		res, err := s.store.RunWhatIf(ctx, s.policy, sc, store.WhatIf{Days: data.Days, Changes: changes})
		var bad *store.WhatIfInvalid
		switch {
		case errors.As(err, &bad):
			errs["c"] = frontend.Pick(lang, fmt.Sprintf("Le changement n° %d n’est pas possible : %s.", bad.Change+1, whatIfFieldFR[bad.Field]),
				fmt.Sprintf("Change no. %d is not possible: %s.", bad.Change+1, whatIfFieldEN[bad.Field]))
		case err != nil:
			return err
		default:
			data.Result = &res
		}
	}
	p := s.page(c, frontend.T(lang, "whatif.title"))
	if len(errs) > 0 {
		p.Errors, p.FormError = errs, frontend.T(lang, "form.errors")
		c.Status(fiber.StatusUnprocessableEntity)
	}
	p.Data = data
	return s.renderPage(c, "whatif", p)
}

var whatIfFieldFR = map[string]string{
	"hub": "pôle inconnu", "level": "ce pôle n’accueille pas ce niveau", "capacity": "capacité entre 0 et 500",
	"seats": "indiquez des places (0 à 500) pour au moins un niveau", "commune": "commune hors de votre périmètre", "action": "changement inconnu",
}

var whatIfFieldEN = map[string]string{
	"hub": "unknown hub", "level": "this hub does not take this level", "capacity": "capacity between 0 and 500",
	"seats": "give seats (0 to 500) for at least one level", "commune": "commune outside your area", "action": "unknown change",
}

// whatIfQuery is the page's address for codes.
func whatIfQuery(d whatIfPage, codes []string) url.Values {
	q := url.Values{"jour": {d.Day}}
	if d.Week {
		q.Set("duree", "semaine")
	}
	q["c"] = codes
	return q
}

// parseWhatIfChange reads one change of the query.
func (s *Server) parseWhatIfChange(c *fiber.Ctx, code string) (store.WhatIfChange, bool) {
	parts := strings.Split(code, ":")
	num := func(i int) (int, bool) {
		n, err := strconv.Atoi(parts[i])
		return n, err == nil && n >= 0 && n <= 500
	}
	var ch store.WhatIfChange
	var err error
	switch {
	case parts[0] == "fermer" && len(parts) == 2:
		ch.Action = store.WhatIfClose
		ch.HubID, err = parseID(parts[1])
		return ch, err == nil
	case parts[0] == "capacite" && len(parts) == 4:
		ch.Action, ch.Level = store.WhatIfCapacity, store.Level(parts[2])
		ch.HubID, err = parseID(parts[1])
		n, ok := num(3)
		ch.Capacity = n
		return ch, err == nil && ok && ch.Level.Valid()
	case (parts[0] == "ouvrir" || parts[0] == "commune") && len(parts) == 5:
		ch.Action, ch.Seats = store.WhatIfOpen, map[store.Level]int{}
		if parts[0] == "ouvrir" {
			ch.HubID, err = parseID(parts[1])
		} else {
			ch.Commune = parts[1]
		}
		total := 0
		for i, l := range store.Levels {
			n, ok := num(2 + i)
			if !ok {
				return ch, false
			}
			ch.Seats[l], total = n, total+n
		}
		return ch, err == nil && total > 0
	}
	return ch, false
}

// readWhatIfForm reads the add form named form into a change code, or names the field that is
// wrong with its message.
func (s *Server) readWhatIfForm(c *fiber.Ctx, form string, hubs map[int64]store.Hub) (code, field, msg string) {
	lang := s.lang(c)
	field = form + "."
	hub := func() (int64, bool) {
		id, err := strconv.ParseInt(c.Query("pole"), 10, 64)
		_, ok := hubs[id]
		return id, err == nil && ok
	}
	seats := func(k string) (int, bool) {
		v := strings.TrimSpace(c.Query(k))
		if v == "" {
			return 0, true
		}
		n, err := strconv.Atoi(v)
		return n, err == nil && n >= 0 && n <= 500
	}
	switch form {
	case "fermer":
		id, ok := hub()
		if !ok {
			return "", field + "pole", frontend.T(lang, "whatif.err.hub")
		}
		return fmt.Sprintf("fermer:%d", id), "", ""
	case "capacite":
		id, ok := hub()
		if !ok {
			return "", field + "pole", frontend.T(lang, "whatif.err.hub")
		}
		if !store.Level(c.Query("niveau")).Valid() {
			return "", field + "niveau", frontend.T(lang, "whatif.err.level")
		}
		n, ok := seats("capacite")
		if !ok || strings.TrimSpace(c.Query("capacite")) == "" {
			return "", field + "capacite", frontend.T(lang, "whatif.err.seats")
		}
		return fmt.Sprintf("capacite:%d:%s:%d", id, c.Query("niveau"), n), "", ""
	case "ouvrir":
		var where string
		if v := strings.TrimSpace(c.Query("commune")); v != "" {
			entries, err := s.communes.load(c.UserContext(), s.store)
			if err != nil {
				return "", field + "commune", frontend.T(lang, "whatif.err.commune")
			}
			cc, ok := s.communes.resolve(entries, v)
			sc := scopeOf(c)
			if !ok || (sc.Role == store.RolePrefecture && cc.Departement != sc.Departement) {
				return "", field + "commune", frontend.T(lang, "whatif.err.commune")
			}
			where = "commune:" + cc.InseeCode
		} else {
			id, ok := hub()
			if !ok {
				return "", field + "pole", frontend.T(lang, "whatif.err.where")
			}
			where = fmt.Sprintf("ouvrir:%d", id)
		}
		total := 0
		for _, l := range store.Levels {
			n, ok := seats(string(l))
			if !ok {
				return "", field + string(l), frontend.T(lang, "whatif.err.seats")
			}
			where, total = where+":"+strconv.Itoa(n), total+n
		}
		if total == 0 {
			return "", field + "maternelle", frontend.T(lang, "whatif.err.noseat")
		}
		return where, "", ""
	}
	return "", "c", frontend.T(lang, "whatif.err.hub")
}

// whatIfChangeView describes change i and the levers that make it, prefilled.
func (s *Server) whatIfChangeView(lang frontend.Lang, d whatIfPage, i int, ch store.WhatIfChange, hubs map[int64]store.Hub, communes map[string]string) whatIfChangeView {
	rest := append(append([]string{}, d.Codes[:i]...), d.Codes[i+1:]...)
	v := whatIfChangeView{Remove: "/simulation?" + whatIfQuery(d, rest).Encode()}
	h := hubs[ch.HubID]
	name := h.Name + " (" + h.Commune + ")"
	capacityLink := func(day time.Time, l store.Level, n int) whatIfLeverLink {
		q := url.Values{"jour": {day.Format(time.DateOnly)}, "niveau": {string(l)}, "capacite": {strconv.Itoa(n)}}
		return whatIfLeverLink{Label: frontend.Tf(lang, "whatif.lever.capacity", frontend.T(lang, "level."+string(l)), n, frontend.LongDate(lang, day)),
			URL: fmt.Sprintf("/poles/%d/capacite?%s", ch.HubID, q.Encode())}
	}
	switch ch.Action {
	case store.WhatIfClose:
		v.Label = frontend.Tf(lang, "whatif.change.close", name)
		for _, day := range d.Days {
			v.Levers = append(v.Levers, whatIfLeverLink{Label: frontend.Tf(lang, "hub.close.day", frontend.LongDate(lang, day)),
				URL: fmt.Sprintf("/poles/%d/fermer?jour=%s", ch.HubID, day.Format(time.DateOnly))})
		}
	case store.WhatIfCapacity:
		v.Label = frontend.Tf(lang, "whatif.change.capacity", name, frontend.T(lang, "level."+string(ch.Level)), ch.Capacity)
		for _, day := range d.Days {
			v.Levers = append(v.Levers, capacityLink(day, ch.Level, ch.Capacity))
		}
	case store.WhatIfOpen:
		var seats []string
		for _, l := range store.Levels {
			if ch.Seats[l] > 0 {
				seats = append(seats, fmt.Sprintf("%s %d", frontend.T(lang, "level."+string(l)), ch.Seats[l]))
			}
		}
		if ch.HubID == 0 {
			v.Label, v.NoLever = frontend.Tf(lang, "whatif.change.commune", communes[ch.Commune], ch.Commune, strings.Join(seats, ", ")), true
			break
		}
		v.Label = frontend.Tf(lang, "whatif.change.open", name, strings.Join(seats, ", "))
		if h.Status == "closed" {
			v.Levers = append(v.Levers, whatIfLeverLink{Label: frontend.T(lang, "hub.reopen"), URL: fmt.Sprintf("/poles/%d/rouvrir", ch.HubID)})
		}
		for _, day := range d.Days {
			for _, l := range store.Levels {
				if ch.Seats[l] > 0 {
					v.Levers = append(v.Levers, capacityLink(day, l, ch.Seats[l]))
				}
			}
		}
	}
	return v
}
