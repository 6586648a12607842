package api

import (
	"encoding/csv"
	"errors"
	"io"
	"net/mail"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// directorEmailColumns are the names the schools directory, or a spreadsheet made from it, gives
// the column of a school's functional address (ce.<UAI>@ac-<académie>.fr).
var directorEmailColumns = []string{"mail", "email", "e-mail", "courriel", "adresse_mail"}

// parseDirectorsCSV reads a schools directory extract: a "uai" column and a column of the
// school's address (directorEmailColumns), separated by semicolons; other columns are ignored.
// Each bad line is reported with its reason; a file without the columns is refused whole
// (importFileError).
func parseDirectorsCSV(r io.Reader) ([]store.DirectorImport, []importProblem, error) {
	cr, header, err := readCSVHeader(r)
	if err != nil {
		return nil, nil, err
	}
	uaiCol, mailCol := -1, -1
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case h == "uai" && uaiCol < 0:
			uaiCol = i
		case slices.Contains(directorEmailColumns, h) && mailCol < 0:
			mailCol = i
		}
	}
	if uaiCol < 0 || mailCol < 0 {
		return nil, nil, importFileError{Key: "staff.import.err.columns"}
	}
	var rows []store.DirectorImport
	var problems []importProblem
	firstLine := map[string]int{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			line = perr.StartLine
		}
		prob := importProblem{Line: line}
		if uaiCol < len(rec) {
			prob.UAI = strings.ToUpper(strings.TrimSpace(rec[uaiCol]))
		}
		if mailCol < len(rec) {
			prob.Name = strings.TrimSpace(rec[mailCol])
		}
		reject := func(key string, args ...any) {
			prob.Key, prob.Args = key, args
			problems = append(problems, prob)
		}
		switch {
		case err != nil:
			key, args := csvProblem(err)
			reject(key, args...)
		case max(uaiCol, mailCol) >= len(rec):
			reject("import.err.fields", len(rec), len(header))
		case isFormula(prob.UAI) || isFormula(prob.Name):
			reject("import.err.formula", strings.TrimSpace(header[mailCol]))
		case !uaiPattern.MatchString(prob.UAI):
			reject("import.err.uai")
		case firstLine[prob.UAI] != 0:
			reject("import.err.duplicate", prob.UAI, firstLine[prob.UAI])
		case !isEmailAddress(prob.Name):
			reject("staff.import.err.email")
		default:
			rows = append(rows, store.DirectorImport{Line: line, UAI: prob.UAI, Email: prob.Name})
		}
		if uaiPattern.MatchString(prob.UAI) && firstLine[prob.UAI] == 0 {
			firstLine[prob.UAI] = line
		}
	}
	return rows, problems, nil
}

// isEmailAddress accepts a bare address as the account table does: one @, no spaces, 254
// characters at most.
func isEmailAddress(v string) bool {
	a, err := mail.ParseAddress(v)
	return err == nil && a.Address == v && len(v) <= 254 && strings.Count(v, "@") == 1 && !strings.ContainsAny(v, " \t\"<>")
}

// directorRow is one line of the directors import's report, in the reader's language.
type directorRow struct {
	Line    int
	UAI     string
	Email   string
	HubName string
	Action  store.DirectorAction
	Reason  string
}

type directorsImportPage struct {
	CSV     string
	Decoded bool
	Report  []directorRow
	Done    bool              // the import was made; otherwise the report is a preview
	Counts  map[string]int    // by store.DirectorAction
	Fields  map[string]string // the confirmation's hidden fields
}

func (s *Server) directorsImportPage(c *fiber.Ctx) error {
	p := s.page(c, frontend.T(s.lang(c), "staff.import.title"))
	p.Data = directorsImportPage{}
	return s.renderPage(c, "staff_import", p)
}

// importDirectors previews the directors import of the CSV pasted or uploaded, or makes it when
// the preview's form confirms it (confirmer=oui, with the same CSV): a report line by line of
// the directors made (and invited), given a hub, already there, or refused with the reason.
func (s *Server) importDirectors(c *fiber.Ctx) error {
	lang := s.lang(c)
	p := s.page(c, frontend.T(lang, "staff.import.title"))
	text, decoded, err := importText(c)
	if err != nil {
		return err
	}
	data := directorsImportPage{CSV: text, Decoded: decoded, Counts: map[string]int{}}
	rows, problems, err := parseDirectorsCSV(strings.NewReader(text))
	var ferr importFileError
	if errors.As(err, &ferr) || (err == nil && len(rows) == 0 && len(problems) == 0) {
		p.FormError = frontend.T(lang, "import.err.nolines")
		if ferr.Key != "" {
			p.FormError = frontend.Tf(lang, ferr.Key, ferr.Args...)
		}
		p.Data = data
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderPage(c, "staff_import", p)
	} else if err != nil {
		return err
	}
	data.Done = c.FormValue("confirmer") == "oui"
	done, err := s.store.ImportDirectors(c.UserContext(), scopeOf(c), rows, s.invitation, !data.Done)
	if err != nil {
		return err
	}
	for _, o := range done {
		r := directorRow{Line: o.Line, UAI: o.UAI, Email: o.Email, HubName: o.HubName, Action: o.Action}
		switch o.Reason {
		case store.DirectorUnknownHub:
			r.Reason = frontend.Tf(lang, "staff.import.err.hub", o.UAI)
		case store.DirectorOtherRole:
			r.Reason = frontend.Tf(lang, "staff.import.err.role", frontend.T(lang, "role."+o.Detail))
		case store.DirectorDisabled:
			r.Reason = frontend.T(lang, "staff.import.err.disabled")
		}
		data.Report = append(data.Report, r)
	}
	for _, pr := range problems {
		data.Report = append(data.Report, directorRow{Line: pr.Line, UAI: pr.UAI, Email: pr.Name, Action: store.DirectorRejected,
			Reason: frontend.Tf(lang, pr.Key, pr.Args...)})
	}
	slices.SortStableFunc(data.Report, func(a, b directorRow) int { return a.Line - b.Line })
	for _, r := range data.Report {
		data.Counts[string(r.Action)]++
	}
	data.Fields = map[string]string{"csv": text}
	p.Data = data
	return s.renderPage(c, "staff_import", p)
}
