package api

import (
	"encoding/csv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/accueil-prioritaire/accueil/frontend"
)

// csvResponse starts a CSV download as spreadsheets in France open it: UTF-8 with a byte-order
// mark, ';' between cells.
func csvResponse(c *fiber.Ctx, filename string) *csv.Writer {
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	w := c.Response().BodyWriter()
	_, _ = w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.Comma = ';'
	return cw
}

// neutralise keeps a spreadsheet from running a cell as a formula.
func neutralise(cells []string) []string {
	for i, v := range cells {
		if startsFormula(v) {
			cells[i] = "'" + v
		}
	}
	return cells
}

// startsFormula reports whether a spreadsheet would run v as a formula.
func startsFormula(v string) bool { return v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) }

// csvHeader is the first line of a CSV export: the catalogue's words of keys, in lang.
func csvHeader(lang frontend.Lang, keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = frontend.T(lang, k)
	}
	return out
}
