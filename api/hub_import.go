package api

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// importColumns are the columns of the schools directory extract, in French as the national
// directory names them (uai;nom;adresse;code_commune;latitude;longitude;type).
var importColumns = []string{"uai", "nom", "adresse", "code_commune", "latitude", "longitude", "type"}

// importPhoneColumns are the names the directory's optional phone column goes by: when the file
// has one, each hub's phone is set from it (an empty cell clears it); without, phones are kept.
var importPhoneColumns = []string{"telephone", "téléphone"}

var (
	uaiPattern = regexp.MustCompile(`^[0-9]{7}[A-Z]$`)
	// coordinatePattern is a plain decimal number: strconv.ParseFloat would also take "NaN",
	// "Inf" and hexadecimal floats.
	coordinatePattern = regexp.MustCompile(`^[-+]?[0-9]{1,3}([.,][0-9]+)?$`)
)

// importLevels maps the type of school to the levels its hub takes.
var importLevels = map[string][]store.Level{
	"maternelle":  {store.Maternelle},
	"elementaire": {store.Elementaire},
	"élémentaire": {store.Elementaire},
	"primaire":    {store.Maternelle, store.Elementaire},
	"college":     {store.College},
	"collège":     {store.College},
}

// importProblem is a line refused, with its reason as an i18n key and its arguments.
type importProblem struct {
	Line int
	UAI  string
	Name string
	Key  string
	Args []any
}

// importFileError is a file refused as a whole (unreadable header, missing column), as an i18n
// key and its arguments.
type importFileError struct {
	Key  string
	Args []any
}

func (e importFileError) Error() string { return frontend.Tf(frontend.French, e.Key, e.Args...) }

// isFormula reports whether a spreadsheet would run cell as a formula, or a trimmed copy of it.
func isFormula(cell string) bool {
	return startsFormula(cell) || startsFormula(strings.TrimLeft(cell, " \u00a0"))
}

// csvProblem words a CSV syntax error.
func csvProblem(err error) (key string, args []any) {
	var perr *csv.ParseError
	if !errors.As(err, &perr) {
		return "import.err.csv", nil
	}
	switch {
	case errors.Is(perr.Err, csv.ErrBareQuote):
		return "import.err.barequote", []any{perr.Column}
	case errors.Is(perr.Err, csv.ErrQuote):
		return "import.err.quote", []any{perr.Column}
	}
	return "import.err.csv", nil
}

// readCSVHeader starts reading a directory extract (semicolons, lines of any length): it returns
// the reader after the line of column names, and those names; an empty or unreadable first line
// is an importFileError.
func readCSVHeader(r io.Reader) (*csv.Reader, []string, error) {
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, importFileError{Key: "import.err.empty"}
	}
	if err != nil {
		key, args := csvProblem(err)
		return nil, nil, importFileError{Key: "import.err.header", Args: []any{frontend.Tf(frontend.French, key, args...)}}
	}
	return cr, header, nil
}

// parseHubCSV reads the directory extract. Every bad line is reported with its reason; the
// lines of a file with problems are never imported, but all of them are checked, so that one
// report lists everything to correct. A file without the columns is refused whole
// (importFileError).
func parseHubCSV(r io.Reader) ([]store.HubImport, []importProblem, error) {
	cr, header, err := readCSVHeader(r)
	if err != nil {
		return nil, nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range importColumns {
		if _, ok := col[c]; !ok {
			return nil, nil, importFileError{Key: "import.err.column", Args: []any{c, strings.Join(importColumns, ";")}}
		}
	}
	phoneCol := -1
	for _, name := range importPhoneColumns {
		if i, ok := col[name]; ok {
			phoneCol = i
		}
	}
	var rows []store.HubImport
	var problems []importProblem
	firstLine := map[string]int{} // UAI → the line that brings it first
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var line int
		var perr *csv.ParseError
		if errors.As(err, &perr) {
			line = perr.StartLine
		} else {
			line, _ = cr.FieldPos(0)
		}
		prob := importProblem{Line: line}
		if len(rec) > col["uai"] {
			prob.UAI = strings.ToUpper(strings.TrimSpace(rec[col["uai"]]))
		}
		if len(rec) > col["nom"] {
			prob.Name = strings.TrimSpace(rec[col["nom"]])
		}
		reject := func(key string, args ...any) {
			prob.Key, prob.Args = key, args
			problems = append(problems, prob)
		}
		if err != nil {
			key, args := csvProblem(err)
			reject(key, args...)
			continue
		}
		if len(rec) < len(header) {
			reject("import.err.fields", len(rec), len(header))
			continue
		}
		formula := ""
		for i, cell := range rec {
			// A coordinate may start with a sign, a phone with +33: neither is stored as typed.
			if isFormula(cell) && !coordinatePattern.MatchString(strings.TrimSpace(cell)) && !(i == phoneCol && frenchPhone.MatchString(normalizePhone(cell))) {
				formula = strings.TrimPrefix(header[i], "\ufeff")
				break
			}
		}
		if formula != "" {
			reject("import.err.formula", strings.TrimSpace(formula))
			continue
		}
		get := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		h := store.HubImport{Line: line, UAI: strings.ToUpper(get("uai")), Name: get("nom"), Address: get("adresse"), CommuneCode: get("code_commune")}
		lat, errLat := strconv.ParseFloat(strings.ReplaceAll(get("latitude"), ",", "."), 64)
		lon, errLon := strconv.ParseFloat(strings.ReplaceAll(get("longitude"), ",", "."), 64)
		levels, okType := importLevels[strings.ToLower(get("type"))]
		if phoneCol >= 0 {
			h.PhoneGiven, h.Phone = true, normalizePhone(rec[phoneCol])
		}
		switch {
		case !uaiPattern.MatchString(h.UAI):
			reject("import.err.uai")
		case firstLine[h.UAI] != 0:
			reject("import.err.duplicate", h.UAI, firstLine[h.UAI])
		case h.Name == "" || len(h.Name) > 200 || !isPrintableText(h.Name):
			reject("import.err.name")
		case !isPrintableText(h.Address) || len(h.Address) > 300:
			reject("import.err.address")
		case !coordinatePattern.MatchString(get("latitude")) || !coordinatePattern.MatchString(get("longitude")) ||
			errLat != nil || errLon != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180:
			reject("import.err.position")
		case !okType:
			reject("import.err.type")
		case h.Phone != "" && !frenchPhone.MatchString(h.Phone):
			reject("import.err.phone")
		default:
			h.Lat, h.Lon, h.Levels = lat, lon, levels
			rows = append(rows, h)
		}
		if uaiPattern.MatchString(h.UAI) && firstLine[h.UAI] == 0 {
			firstLine[h.UAI] = line
		}
	}
	return rows, problems, nil
}

// importRow is one line of the import report, in the reader's language.
type importRow struct {
	Line   int
	UAI    string
	Name   string
	Action store.ImportAction
	Reason string
}

type importPage struct {
	Report []importRow
	DryRun bool
	CSV    string
	// Decoded says the file was not UTF-8 and was read as Windows-1252.
	Decoded bool
}

func (s *Server) importPage(c *fiber.Ctx) error {
	p := s.page(c, frontend.T(s.lang(c), "import.title"))
	p.Data = importPage{DryRun: true}
	return s.renderPage(c, "hub_import", p)
}

// importText is the CSV pasted or uploaded, as UTF-8: a file saved by a spreadsheet in
// Windows-1252 (Latin-1 and the Windows additions) is decoded; decoded says so.
func importText(c *fiber.Ctx) (text string, decoded bool, err error) {
	b := []byte(c.FormValue("csv"))
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return "", false, fiber.ErrBadRequest
		}
		b, err = io.ReadAll(io.LimitReader(f, 1<<20))
		f.Close()
		if err != nil {
			return "", false, fiber.ErrBadRequest
		}
	}
	if utf8.Valid(b) {
		return string(b), false, nil
	}
	// Every byte has a character in Windows-1252: decoding cannot fail.
	u, _ := charmap.Windows1252.NewDecoder().Bytes(b)
	return string(u), true, nil
}

// importHubs takes the CSV pasted or uploaded. The import is all or nothing: a file with any
// bad line is refused whole (422) with every problem named by its line; with the dry run ticked
// nothing is kept and the report says what would be done.
func (s *Server) importHubs(c *fiber.Ctx) error {
	lang := s.lang(c)
	dryRun := c.FormValue("dry_run") == "true"
	p := s.page(c, frontend.T(lang, "import.title"))
	data := importPage{DryRun: dryRun}
	refuse := func(msg string) error {
		p.FormError = msg
		p.Data = data
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderPage(c, "hub_import", p)
	}
	text, decoded, err := importText(c)
	if err != nil {
		return err
	}
	data.CSV, data.Decoded = text, decoded
	rows, problems, err := parseHubCSV(strings.NewReader(text))
	var ferr importFileError
	if errors.As(err, &ferr) {
		return refuse(frontend.Tf(lang, ferr.Key, ferr.Args...))
	} else if err != nil {
		return err
	}
	if len(rows) == 0 && len(problems) == 0 {
		return refuse(frontend.T(lang, "import.err.nolines"))
	}
	// A file with bad lines is still run through the store, dry, so that the one report also
	// names the lines the store refuses (unknown commune, out of scope).
	done, err := s.store.ImportHubs(c.UserContext(), s.policy, scopeOf(c), rows,
		store.Weekdays(s.today(), bookingHorizon), dryRun || len(problems) > 0)
	if err != nil {
		return err
	}
	for _, o := range done {
		if o.Action == store.ImportRejected {
			problems = append(problems, storeImportProblem(o))
		}
	}
	if len(problems) > 0 {
		slices.SortStableFunc(problems, func(a, b importProblem) int { return a.Line - b.Line })
		for _, pr := range problems {
			data.Report = append(data.Report, importRow{Line: pr.Line, UAI: pr.UAI, Name: pr.Name, Action: store.ImportRejected,
				Reason: frontend.Tf(lang, "import.err.line", pr.Line, frontend.Tf(lang, pr.Key, pr.Args...))})
		}
		return refuse(frontend.Tf(lang, "import.refused", len(problems)))
	}
	for _, o := range done {
		data.Report = append(data.Report, importRow{Line: o.Line, UAI: o.UAI, Name: o.Name, Action: o.Action})
	}
	p.Data = data
	return s.renderPage(c, "hub_import", p)
}

// storeImportProblem words a line the store refused.
func storeImportProblem(o store.ImportOutcome) importProblem {
	pr := importProblem{Line: o.Line, UAI: o.UAI, Name: o.Name, Args: []any{o.Detail}}
	switch o.Reason {
	case store.ImportUnknownCommune:
		pr.Key = "import.err.commune"
	case store.ImportCommuneOutOfScope:
		pr.Key = "import.err.communescope"
	case store.ImportHubOutOfScope:
		pr.Key = "import.err.hubscope"
		pr.Args = []any{o.UAI, o.Detail}
	default:
		pr.Key, pr.Args = "import.err.unknown", []any{fmt.Sprint(o.Reason)}
	}
	return pr
}
