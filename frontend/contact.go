package frontend

import (
	"strings"
)

// FormatClock writes a time of day "07:30" as people read it: "7 h 30" in French (the
// typographic rule; "8 h" for the hour), "7:30" in English. Anything else is returned as is.
func FormatClock(lang Lang, hhmm string) string {
	h, m, ok := strings.Cut(hhmm, ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return hhmm
	}
	h = strings.TrimPrefix(h, "0")
	if h == "" {
		h = "0"
	}
	if lang == English {
		return h + ":" + m
	}
	if m == "00" {
		return h + "\u00a0h"
	}
	return h + "\u00a0h\u00a0" + m
}

// FormatPhone writes a ten-digit French number in pairs, "03 81 12 34 56", with no-break spaces
// so that it never wraps on a phone; anything else is returned as is.
func FormatPhone(p string) string {
	if len(p) != 10 || strings.Trim(p, "0123456789") != "" {
		return p
	}
	return p[0:2] + "\u00a0" + p[2:4] + "\u00a0" + p[4:6] + "\u00a0" + p[6:8] + "\u00a0" + p[8:10]
}

// PhoneURI is the tel: link of a ten-digit French number, in international form.
func PhoneURI(p string) string {
	if len(p) != 10 || p[0] != '0' {
		return "tel:" + p
	}
	return "tel:+33" + p[1:]
}
