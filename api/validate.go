package api

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/go-playground/validator/v10"

	"github.com/accueil-prioritaire/accueil/frontend"
)

func newValidator() *validator.Validate {
	v := validator.New(validator.WithRequiredStructEnabled())
	// Errors name fields as the form does.
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("form"), ",")
		if name == "" {
			name, _, _ = strings.Cut(f.Tag.Get("json"), ",")
		}
		if name == "" || name == "-" {
			return f.Name
		}
		return name
	})
	// printable refuses control characters and the bidi overrides that can disguise a name.
	_ = v.RegisterValidation("printable", func(fl validator.FieldLevel) bool {
		return isPrintableText(fl.Field().String())
	})
	// personname is the one rule for every person's name (account, parents, children, pick-up
	// persons): letters of any script with accents, spaces, apostrophes (' and ’), hyphens and
	// dots: "Éloïse", "N'Diaye", "Lê", "Anne-Sophie", "J.-P. Roux". Markup and SQL-looking text
	// are refused with it.
	_ = v.RegisterValidation("personname", func(fl validator.FieldLevel) bool {
		return isPersonName(fl.Field().String())
	})
	// note is free text on several lines: printable, line breaks allowed.
	_ = v.RegisterValidation("note", func(fl validator.FieldLevel) bool {
		return isPrintableText(strings.NewReplacer("\n", "", "\r", "", "\t", "").Replace(fl.Field().String()))
	})
	_ = v.RegisterValidation("frphone", func(fl validator.FieldLevel) bool {
		return frenchPhone.MatchString(fl.Field().String())
	})
	// frdate is a date a person types in a form, read by isoDate: its error gives the French
	// format the form's hint gives. The JSON API takes dates as 2006-01-02 (datetime).
	_ = v.RegisterValidation("frdate", func(fl validator.FieldLevel) bool {
		_, err := time.Parse(time.DateOnly, fl.Field().String())
		return err == nil
	})
	return v
}

var personNamePattern = regexp.MustCompile(`^[\p{L}\p{M}][\p{L}\p{M}'’ .\-]*$`)

func isPersonName(s string) bool { return isPrintableText(s) && personNamePattern.MatchString(s) }

// personNameLabels name the person-name fields, as their forms label them, in the messages
// that refuse them.
var personNameLabels = map[string][2]string{
	"name":       {"Prénom et nom", "First and last name"},
	"first_name": {"Prénom", "First name"},
	"last_name":  {"Nom", "Last name"},
	"p1_first":   {"Prénom du parent 1", "Parent 1’s first name"},
	"p1_last":    {"Nom du parent 1", "Parent 1’s last name"},
	"p2_first":   {"Prénom du parent 2", "Parent 2’s first name"},
	"p2_last":    {"Nom du parent 2", "Parent 2’s last name"},
}

// personNameMessage refuses a person's name in field, naming the field.
func personNameMessage(lang frontend.Lang, field string) string {
	label, ok := personNameLabels[field]
	if !ok {
		label = [2]string{"Nom", "Name"}
		if n, found := strings.CutPrefix(field, "pickup_name_"); found {
			label = [2]string{"Personne " + n + " : prénom et nom", "Person " + n + ": first and last name"}
		}
	}
	return frontend.Pick(lang,
		"Le champ « "+label[0]+" » ne peut contenir que des lettres (accents acceptés), des espaces, des apostrophes, des traits d’union et des points.",
		"The field “"+label[1]+"” may hold only letters (accents allowed), spaces, apostrophes, hyphens and dots.")
}

// isPrintableText accepts letters of every script, accents, apostrophes and spaces, and refuses
// control characters and bidirectional formatting characters.
func isPrintableText(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u200b' || r == '\ufeff' {
			return false
		}
	}
	return true
}

// fieldErrors turns a validation error into one message per form field, in lang.
func fieldErrors(lang frontend.Lang, err error) map[string]string {
	out := map[string]string{}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return out
	}
	for _, fe := range verrs {
		if _, done := out[fe.Field()]; done {
			continue
		}
		out[fe.Field()] = fieldMessage(lang, fe)
	}
	return out
}

func fieldMessage(lang frontend.Lang, fe validator.FieldError) string {
	fr, en := "Cette valeur n’est pas valide.", "This value is not valid."
	switch fe.Tag() {
	case "required", "required_if":
		fr, en = "Ce champ est obligatoire.", "This field is required."
		if fe.Field() == "sworn" {
			fr, en = "Cochez la déclaration sur l’honneur pour continuer.", "Tick the sworn statement to continue."
		}
	case "personname":
		return personNameMessage(lang, fe.Field())
	case "frphone":
		fr, en = "Saisissez un numéro de téléphone à 10 chiffres, par exemple 06 12 34 56 78.", "Enter a 10-digit phone number, such as 06 12 34 56 78."
	case "email":
		fr, en = "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.", "Enter a valid e-mail address, such as name@example.fr."
	case "min":
		fr, en = fmt.Sprintf("Saisissez au moins %s caractères.", fe.Param()), fmt.Sprintf("Enter at least %s characters.", fe.Param())
	case "max":
		fr, en = fmt.Sprintf("Saisissez au plus %s caractères.", fe.Param()), fmt.Sprintf("Enter at most %s characters.", fe.Param())
	case "eqfield":
		fr, en = "Les deux mots de passe ne sont pas identiques.", "The two passwords differ."
	case "datetime":
		if fe.Param() == "15:04" {
			fr, en = "Saisissez une heure au format HH:MM, par exemple 08:30.", "Enter a time as HH:MM, such as 08:30."
		} else {
			fr, en = "Saisissez une date au format AAAA-MM-JJ.", "Enter a date as YYYY-MM-DD."
		}
	case "frdate":
		fr, en = "Saisissez une date au format JJ/MM/AAAA, par exemple 01/05/2019.", "Enter a date as DD/MM/YYYY, such as 01/05/2019."
	case "oneof":
		fr, en = "Choisissez une valeur de la liste.", "Choose a value from the list."
	case "note", "printable":
		fr, en = "Ce champ contient des caractères non autorisés.", "This field contains characters that are not allowed."
	}
	if lang == frontend.English {
		return en
	}
	return fr
}

// validationError refuses the fields of a request that did not validate (err from the
// validator), one message per field in French and English (see fieldsError).
func validationError(err error) error {
	return &fieldsError{fr: fieldErrors(frontend.French, err), en: fieldErrors(frontend.English, err)}
}

// isoDate turns a date typed the French way (01/05/2019, 1/5/2019, 01.05.2019, 01-05-2019), as
// browsers without a date picker let people type it, into the form's own (2019-05-01); anything
// else is returned as it is, for the validator to name.
func isoDate(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 5 && v[4] == '-' {
		return v
	}
	d, err := time.Parse("2/1/2006", strings.NewReplacer(".", "/", "-", "/", " ", "").Replace(v))
	if err != nil {
		return v
	}
	return d.Format(time.DateOnly)
}
