package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

var (
	errLoginRequired = fiber.NewError(fiber.StatusUnauthorized, "login required")
	// errEmailUnconfirmed: booking needs a confirmed address, so that answers reach the family.
	errEmailUnconfirmed = fiber.NewError(fiber.StatusForbidden, "e-mail not confirmed")
	// errDeadline: the request went past its deadline (see requestDeadline). The database is
	// slow: give it some time.
	errDeadline error = &retryAfterError{"request deadline exceeded", 5 * time.Second}
)

// retryAfterError is an error of the API's own that says when to come back (see retryAfter).
type retryAfterError struct {
	msg   string
	after time.Duration
}

func (e *retryAfterError) Error() string             { return e.msg }
func (e *retryAfterError) RetryAfter() time.Duration { return e.after }

// errorKind is how one error is shown: its status and its message in both languages.
type errorKind struct {
	err    error
	status int
	fr, en string
}

// errorKinds is the one table from errors to HTTP. The first match wins.
var errorKinds = []errorKind{
	// Refused at once, nothing done.
	{store.ErrOverloaded, fiber.StatusServiceUnavailable, "Le service reçoit trop de demandes en ce moment : la vôtre n’a pas été traitée. Réessayez dans quelques secondes.",
		"The service is receiving too many requests right now: yours was not processed. Try again in a few seconds."},
	{store.ErrUnavailable, fiber.StatusServiceUnavailable, "Le service est momentanément indisponible. Réessayez dans quelques secondes ; si vous réserviez, vérifiez ensuite « Mes réservations ».",
		"The service is unavailable for a moment. Try again in a few seconds; if you were booking, then check “My bookings”."},
	// A booking may have been made all the same.
	{errDeadline, fiber.StatusServiceUnavailable, "Le service est très sollicité et votre demande a pris trop de temps. Réessayez dans quelques instants ; si vous réserviez, vérifiez d’abord « Mes réservations ».",
		"The service is very busy and your request took too long. Try again in a moment; if you were booking, first check “My bookings”."},
	{store.ErrNotFound, fiber.StatusNotFound, "Cette page n’existe pas ou ne vous est pas accessible.", "This page does not exist or is not available to you."},
	{store.ErrChildrenPresent, fiber.StatusConflict, "Des enfants sont déjà présents dans ce pôle : la capacité ne peut pas descendre sous leur nombre, ni le pôle fermer, avant leur départ.",
		"Children are already present at this hub: the capacity cannot go below their number, nor the hub close, before they leave."},
	{store.ErrDayLocked, fiber.StatusUnprocessableEntity, "Ce jour est passé ou l’enfant a déjà été accueilli : il ne peut plus être annulé.",
		"This day is over or the child has already been checked in: it can no longer be cancelled."},
	{store.ErrChildHosted, fiber.StatusConflict, "Cet enfant a déjà été accueilli : sa fiche est conservée pour les listes de présence et de contacts de ces jours-là, que l’autorité sanitaire peut demander. Vous pouvez annuler ses réservations à venir dans « Mes réservations ».",
		"This child has already been hosted: the record is kept for the attendance and contact lists of those days, which the health authority may ask for. You can cancel the coming bookings under “My bookings”."},
	{store.ErrFull, fiber.StatusConflict, "Il n’y a plus de place disponible.", "No seat is left."},
	{store.ErrHubClosed, fiber.StatusConflict, "Ce pôle n’accueille pas ce niveau ce jour-là.", "This hub does not take this level on that day."},
	{store.ErrOwnAccount, fiber.StatusConflict, "Vous ne pouvez pas désactiver votre propre compte.", "You cannot disable your own account."},
	{store.ErrLastAdmin, fiber.StatusConflict, "C’est le dernier compte d’administration actif : il ne peut pas être désactivé. Créez d’abord un autre compte d’administration.",
		"This is the last active administration account: it cannot be disabled. First create another administration account."},
	{store.ErrAccountDisabled, fiber.StatusConflict, "Ce compte est désactivé : réactivez-le d’abord.", "This account is disabled: enable it first."},
	{store.ErrConflict, fiber.StatusConflict, "Cette opération entre en conflit avec une donnée existante.", "This conflicts with existing data."},
	{store.ErrInvalid, fiber.StatusUnprocessableEntity, "Une valeur envoyée n’est pas valide.", "A value sent is not valid."},
	{store.ErrUnauthorized, fiber.StatusUnauthorized, "Adresse e-mail ou mot de passe incorrect.", "Wrong e-mail address or password."},
	{store.ErrThrottled, fiber.StatusTooManyRequests, "Trop de tentatives. Réessayez dans quelques minutes.", "Too many attempts. Try again in a few minutes."},
	{store.ErrRateLimited, fiber.StatusTooManyRequests, "Trop de demandes en peu de temps depuis votre connexion ou votre compte. Patientez un moment avant de réessayer.",
		"Too many requests in a short time from your connection or your account. Wait a moment before trying again."},
	{errEmailUnconfirmed, fiber.StatusForbidden, "Confirmez d’abord votre adresse e-mail avec le lien reçu (voir « Mon foyer » pour le recevoir de nouveau).", "First confirm your e-mail address with the link you received (see “My household” to get it again)."},
	{errLoginRequired, fiber.StatusUnauthorized, "Connectez-vous pour continuer.", "Log in to continue."},
	{errWaitingRoom, fiber.StatusServiceUnavailable, "Beaucoup de familles se connectent en ce moment : vous êtes dans la salle d’attente. Votre tour viendra dans l’ordre d’arrivée.",
		"Many families are connecting right now: you are in the waiting room. Your turn will come in order of arrival."},
	{errCSRF, fiber.StatusForbidden, "Le formulaire a expiré ou ne vient pas de ce site. Rechargez la page et recommencez.", "The form has expired or does not come from this site. Reload the page and try again."},
}

// fiberMessages gives French words to the errors Fiber raises itself.
var fiberMessages = map[int][2]string{
	fiber.StatusNotFound:              {"Cette page n’existe pas ou ne vous est pas accessible.", "This page does not exist or is not available to you."},
	fiber.StatusMethodNotAllowed:      {"Cette action n’est pas possible sur cette page.", "This action is not allowed on this page."},
	fiber.StatusRequestEntityTooLarge: {"La demande envoyée est trop volumineuse.", "The request sent is too large."},
	fiber.StatusBadRequest:            {"La demande envoyée est mal formée.", "The request sent is malformed."},
	fiber.StatusRequestTimeout:        {"La demande a pris trop de temps.", "The request took too long."},
}

const internalFR, internalEN = "Une erreur est survenue de notre côté. Réessayez dans quelques instants.",
	"Something went wrong on our side. Try again in a moment."

// handleError is Fiber's error handler: it maps err through errorKinds (and fields refused,
// *fieldsError, to 422 naming each field) and answers in JSON for the API and as a French
// page otherwise, with a Retry-After header for an error that says when to come back
// (setRetryAfter: store.ErrOverloaded, errDeadline, limits).
// Details of a 5xx go to the log only.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	err = store.Unavailable(err)
	noteRefusal(c, err)
	// A request refused by fasthttp itself (413, 431, 408) reaches here without the middleware.
	setSecurityHeaders(c)
	if reqID(c) == "" {
		setRequestID(c)
	}
	status, fr, en := fiber.StatusInternalServerError, internalFR, internalEN
	matched := false
	for _, k := range errorKinds {
		if errors.Is(err, k.err) {
			status, fr, en, matched = k.status, k.fr, k.en, true
			break
		}
	}
	var fields, fieldsEN map[string]string
	var ferrs *fieldsError
	if !matched && errors.As(err, &ferrs) {
		status, matched = fiber.StatusUnprocessableEntity, true
		fr, en = ferrs.message()
		fields, fieldsEN = ferrs.fr, ferrs.en
	}
	var ferr *fiber.Error
	if !matched && errors.As(err, &ferr) {
		status = ferr.Code
		if m, ok := fiberMessages[status]; ok {
			fr, en = m[0], m[1]
		} else if status < 500 {
			fr, en = fiberMessages[fiber.StatusBadRequest][0], fiberMessages[fiber.StatusBadRequest][1]
		}
	}
	// A visitor in the waiting room is no failure: no log line, and the room's page.
	var werr *waitingRoomError
	var room waitingRoomView
	if errors.As(err, &werr) {
		room = s.newWaitingRoomView(werr.pass, werr.next)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(room.Refresh))
	}
	switch {
	case werr != nil, errors.Is(err, store.ErrOverloaded):
		// Refusals by design: /metrics counts them, a log line each would flood the log at the rush.
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, errDeadline):
		s.log.Warn("request refused", slog.String("request_id", reqID(c)), slog.String("path", c.Path()), slog.Any("error", err))
	case status >= 500:
		s.log.Error("request failed", slog.String("request_id", reqID(c)), slog.String("path", c.Path()), slog.Any("error", err))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	setRetryAfter(c, err)
	if wantsJSON(c) {
		body := fiber.Map{"status": status, "message": fr, "message_en": en, "request_id": reqID(c)}
		if fields != nil {
			body["fields"], body["fields_en"] = fields, fieldsEN
		}
		if werr != nil {
			body["waiting_room"] = fiber.Map{"position": room.Position, "wait_seconds": room.WaitSeconds}
		}
		return c.Status(status).JSON(fiber.Map{"error": body})
	}
	if werr != nil {
		c.Status(status)
		return s.renderWaitingRoom(c, room)
	}
	lang := s.lang(c)
	msg := fr
	if lang == frontend.English {
		msg = en
	}
	p := s.page(c, frontend.T(lang, "error.title"))
	p.FormError, p.Status, p.RequestID = msg, status, reqID(c)
	c.Status(status)
	return s.renderPage(c, "error", p)
}

func wantsJSON(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/") || strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON)
}

func (s *Server) notFound(c *fiber.Ctx) error {
	c.Locals(localUnmatched, true)
	return store.ErrNotFound
}

// fieldsError refuses a request for some of its fields, with a message for each in French and
// English, keyed by the field's name in the request. handleError answers it 422: in JSON with
// the messages by field (fields, fields_en), on a page with the messages, which name their
// field. Build it with fieldError or validationError.
type fieldsError struct {
	fr, en map[string]string
}

func (e *fieldsError) Error() string {
	names := slices.Sorted(maps.Keys(e.en))
	parts := make([]string, len(names))
	for i, f := range names {
		parts[i] = f + ": " + e.en[f]
	}
	return "fields refused: " + strings.Join(parts, "; ")
}

func (e *fieldsError) add(field, fr, en string) { e.fr[field], e.en[field] = fr, en }

// in is the messages by field in lang, for a form shown again with them.
func (e *fieldsError) in(lang frontend.Lang) map[string]string {
	if lang == frontend.English {
		return e.en
	}
	return e.fr
}

// message is the answer's headline, naming each field refused: a message that names no field
// between « » ("Ce champ est obligatoire.") gets its field's name in front.
func (e *fieldsError) message() (fr, en string) {
	var frs, ens []string
	for _, f := range slices.Sorted(maps.Keys(e.fr)) {
		mfr, men := e.fr[f], e.en[f]
		if !strings.Contains(mfr, "«") {
			mfr, men = "« "+f+" » : "+mfr, "“"+f+"”: "+men
		}
		frs, ens = append(frs, mfr), append(ens, men)
	}
	if len(frs) == 1 {
		return frs[0], ens[0]
	}
	return "Certains champs ne sont pas valides. " + strings.Join(frs, " "), "Some fields are not valid. " + strings.Join(ens, " ")
}

// fieldError refuses one field of a request, the messages naming it.
func fieldError(field, fr, en string) error {
	return &fieldsError{fr: map[string]string{field: fr}, en: map[string]string{field: en}}
}

// decodeBody reads the request body into req. A body the sender got wrong is a *fieldsError
// naming the field (or "body" for JSON that does not parse); a form body that does not decode
// stays a 400.
func decodeBody(c *fiber.Ctx, req any) error {
	err := c.BodyParser(req)
	if err == nil {
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		fr, en := jsonKind(typeErr.Type)
		return fieldError(field,
			fmt.Sprintf("Le champ « %s » doit être %s (reçu : %s).", field, fr, jsonValueFR[jsonValueKind(typeErr.Value)]),
			fmt.Sprintf("The field “%s” must be %s (got: %s).", field, en, typeErr.Value))
	case errors.As(err, &syntaxErr):
		return fieldError("body",
			fmt.Sprintf("Le corps de la demande n’est pas du JSON valide (caractère %d).", syntaxErr.Offset),
			fmt.Sprintf("The request body is not valid JSON (character %d).", syntaxErr.Offset))
	}
	return fiber.ErrBadRequest
}

// jsonValueFR words the JSON kinds encoding/json reports.
var jsonValueFR = map[string]string{
	"string": "un texte", "number": "un nombre", "bool": "vrai ou faux", "array": "une liste",
	"object": "un objet", "null": "null",
}

// jsonValueKind is the kind of a value as encoding/json reports it: "number 1.5" is a number.
func jsonValueKind(v string) string {
	kind, _, _ := strings.Cut(v, " ")
	return kind
}

// jsonKind words what a Go type takes in JSON.
func jsonKind(t reflect.Type) (fr, en string) {
	if t == nil {
		return "une valeur d’un autre type", "a value of another type"
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		efr, een := jsonKind(t.Elem())
		return "une liste de valeurs (chacune " + efr + ")", "a list of values (each " + een + ")"
	case reflect.String:
		return "un texte", "a string"
	case reflect.Bool:
		return "vrai ou faux (true, false)", "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "un nombre entier", "a whole number"
	case reflect.Float32, reflect.Float64:
		return "un nombre", "a number"
	case reflect.Struct, reflect.Map:
		return "un objet", "an object"
	}
	return "une valeur d’un autre type", "a value of another type"
}
