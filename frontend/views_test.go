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
