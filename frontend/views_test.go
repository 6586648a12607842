package frontend

import (
	"testing"
	"time"
)

func TestLongDate(t *testing.T) {
	for _, tc := range []struct {
		day  string
		lang Lang
		want string
	}{
		{"2026-12-01", French, "mardi 1er décembre 2026"},
		{"2026-11-24", French, "mardi 24 novembre 2026"},
		{"2026-12-01", English, "Tuesday 1 December 2026"},
	} {
		d, _ := time.Parse(time.DateOnly, tc.day)
		if got := LongDate(tc.lang, d); got != tc.want {
			t.Errorf("LongDate(%s, %s) = %q, want %q", tc.lang, tc.day, got, tc.want)
		}
	}
}

func TestPreferredLang(t *testing.T) {
	for header, want := range map[string]Lang{
		"":                           French,
		"en-GB,en;q=0.9":             English,
		"de-DE, de;q=0.9, en;q=0.5":  English,
		"fr-FR,fr;q=0.9,en;q=0.8":    French,
		"en;q=0.4, fr;q=0.6":         French,
		"es, it":                     French,
		"EN-us":                      English,
		"en;q=0, fr;q=0":             French,
		"en-US;q=0.8,fr-CA;q=0.8":    English, // a tie goes to the first
		"fr;q=0.2,en;q=0.9,de;q=1.0": English,
	} {
		if got := PreferredLang(header); got != want {
			t.Errorf("PreferredLang(%q) = %s, want %s", header, got, want)
		}
	}
}
