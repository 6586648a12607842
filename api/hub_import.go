package api

import (
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
	"github.com/accueil-prioritaire/accueil/store"
)

// importColumns are the columns of the schools directory extract, in French as the national
// directory names them (uai;nom;adresse;code_commune;latitude;longitude;type).
var importColumns = []string{"uai", "nom", "adresse", "code_commune", "latitude", "longitude", "type"}

var uaiPattern = regexp.MustCompile(`^[0-9]{7}[A-Z]$`)

// importLevels maps the type of school to the levels its hub takes.
var importLevels = map[string][]store.Level{
	"maternelle":  {store.Maternelle},
	"elementaire": {store.Elementaire},
	"élémentaire": {store.Elementaire},
	"primaire":    {store.Maternelle, store.Elementaire},
	"college":     {store.College},
	"collège":     {store.College},
}

// parseHubCSV reads the directory extract; each bad line is reported with its reason and left out.
func parseHubCSV(r io.Reader) ([]store.HubImport, []store.ImportOutcome, error) {
	cr := csv.NewReader(r)
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("en-tête illisible : %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range importColumns {
		if _, ok := col[c]; !ok {
			return nil, nil, fmt.Errorf("colonne « %s » absente (attendu : %s)", c, strings.Join(importColumns, ";"))
		}
	}
	var rows []store.HubImport
	var rejected []store.ImportOutcome
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		reject := func(reason string) {
			o := store.ImportOutcome{Line: line, Action: "rejected", Reason: reason}
			if len(rec) > col["uai"] {
				o.UAI = rec[col["uai"]]
			}
			rejected = append(rejected, o)
		}
		if err != nil {
			reject("ligne mal formée : " + err.Error())
			continue
		}
		if len(rec) < len(header) {
			reject(fmt.Sprintf("%d champs au lieu de %d", len(rec), len(header)))
			continue
		}
		get := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		h := store.HubImport{Line: line, UAI: strings.ToUpper(get("uai")), Name: get("nom"), Address: get("adresse"), CommuneCode: get("code_commune")}
		lat, errLat := strconv.ParseFloat(strings.ReplaceAll(get("latitude"), ",", "."), 64)
		lon, errLon := strconv.ParseFloat(strings.ReplaceAll(get("longitude"), ",", "."), 64)
		levels, okType := importLevels[strings.ToLower(get("type"))]
		switch {
		case !uaiPattern.MatchString(h.UAI):
			reject("UAI invalide (7 chiffres et une lettre)")
		case h.Name == "" || len(h.Name) > 200 || !isPrintableText(h.Name):
			reject("nom vide ou invalide")
		case !isPrintableText(h.Address) || len(h.Address) > 300:
			reject("adresse invalide")
		case errLat != nil || errLon != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180:
			reject("latitude ou longitude invalide")
		case !okType:
			reject("type inconnu (maternelle, elementaire, primaire ou college)")
		default:
			h.Lat, h.Lon, h.Levels = lat, lon, levels
			rows = append(rows, h)
		}
	}
	return rows, rejected, nil
}

func (s *Server) importPage(c *fiber.Ctx) error {
	p := s.page(c, frontend.T(s.lang(c), "import.title"))
	p.Data = struct {
		Report []store.ImportOutcome
		DryRun bool
		CSV    string
	}{nil, true, ""}
	return s.renderPage(c, "hub_import", p)
}

// importHubs takes the CSV pasted or uploaded; with the dry run ticked nothing is kept.
func (s *Server) importHubs(c *fiber.Ctx) error {
	text := c.FormValue("csv")
	if fh, err := c.FormFile("file"); err == nil && fh.Size > 0 {
		f, err := fh.Open()
		if err != nil {
			return fiber.ErrBadRequest
		}
		b, err := io.ReadAll(io.LimitReader(f, 1<<20))
		f.Close()
		if err != nil {
			return fiber.ErrBadRequest
		}
		text = string(b)
	}
	dryRun := c.FormValue("dry_run") == "true"
	p := s.page(c, frontend.T(s.lang(c), "import.title"))
	rows, rejected, err := parseHubCSV(strings.NewReader(text))
	if err != nil {
		p.FormError = err.Error()
		p.Data = struct {
			Report []store.ImportOutcome
			DryRun bool
			CSV    string
		}{nil, dryRun, text}
		c.Status(fiber.StatusUnprocessableEntity)
		return s.renderPage(c, "hub_import", p)
	}
	done, err := s.store.ImportHubs(c.UserContext(), s.policy, store.ScopeOf(session(c).Account), rows,
		store.Weekdays(s.today(), bookingHorizon), dryRun)
	if err != nil {
		return err
	}
	report := append(rejected, done...)
	p.Data = struct {
		Report []store.ImportOutcome
		DryRun bool
		CSV    string
	}{report, dryRun, text}
	return s.renderPage(c, "hub_import", p)
}
