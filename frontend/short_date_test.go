package frontend

import (
	"testing"
	"time"
)

func TestShortDate(t *testing.T) {
	for _, tc := range []struct {
		day    time.Time
		fr, en string
	}{
		{time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC), "mar. 8 déc.", "Tue 8 Dec"},
		{time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), "lun. 1er févr.", "Mon 1 Feb"},
		{time.Date(2027, 8, 15, 0, 0, 0, 0, time.UTC), "dim. 15 août", "Sun 15 Aug"},
	} {
		if got := ShortDate(French, tc.day); got != tc.fr {
			t.Errorf("ShortDate(fr, %s) = %q, want %q", tc.day.Format(time.DateOnly), got, tc.fr)
		}
		if got := ShortDate(English, tc.day); got != tc.en {
			t.Errorf("ShortDate(en, %s) = %q, want %q", tc.day.Format(time.DateOnly), got, tc.en)
		}
	}
}
