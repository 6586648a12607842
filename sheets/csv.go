package sheets

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/accueil-prioritaire/accueil/store"
)

// WriteCSV writes the sheet as CSV for a French spreadsheet (headers and fixed words in the
// sheet's language): UTF-8 with a byte order mark (or
// Excel reads it as Windows-1252), ";" between fields, one header row, then one row per child in
// the order and groups of [Groups]. The three last columns are left empty for the director, as on
// paper. Any cell starting with = + - @ tab or carriage return gets a leading apostrophe so that a
// spreadsheet never runs a name or a note as a formula (CSV injection).
func WriteCSV(w io.Writer, s Sheet) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.Comma = ';'
	// CRLF is what RFC 4180 and Excel expect.
	cw.UseCRLF = true
	ws := wordsFor(s.Lang)
	if err := cw.Write(ws.csvHeader); err != nil {
		return err
	}
	day := s.Day.Format("02/01/2006")
	for _, g := range Groups(s) {
		group := fmt.Sprint(g.Number)
		for _, c := range g.Children {
			birth, age := "", ""
			if !c.BirthDate.IsZero() {
				birth = c.BirthDate.Format("02/01/2006")
				age = fmt.Sprint(store.AgeOn(c.BirthDate, s.Day))
			}
			pickups := make([]string, 0, len(c.Pickups))
			for _, p := range c.Pickups {
				pickups = append(pickups, pickupText(p))
			}
			proof := ws.no
			if c.ProofToCheck {
				proof = ws.yes
			}
			row := []string{
				day, s.Hub.UAI, s.Hub.Name, ws.levelName(c.Level), group, c.LastName, c.FirstName, birth, age,
				c.ArriveAt, c.DepartAt, c.ParentName, FormatPhone(c.ParentPhone),
				strings.Join(pickups, " ; "), c.HealthNote, proof, ws.status(c.Status), "", "", "",
			}
			for i := range row {
				row[i] = neutralise(clean(row[i]))
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// neutralise prefixes with an apostrophe a cell a spreadsheet would read as a formula (OWASP
// "CSV injection"). Phone numbers such as "+33 6…" are prefixed too: the apostrophe is hidden by
// spreadsheets and keeps them text.
func neutralise(cell string) string {
	if cell == "" {
		return cell
	}
	switch cell[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + cell
	}
	return cell
}

func pickupText(p store.Pickup) string {
	t := clean(p.Name)
	if r := clean(p.Relation); r != "" {
		t += " (" + r + ")"
	}
	if ph := FormatPhone(clean(p.Phone)); ph != "" {
		t += " " + ph
	}
	return t
}

func (w *words) status(s string) string {
	if n, ok := w.statuses[s]; ok {
		return n
	}
	return s
}
