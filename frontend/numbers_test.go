package frontend

import (
	"bytes"
	"strings"
	"testing"
)

func TestNumbersFollowTheLanguage(t *testing.T) {
	const nnbsp = "\u202f"
	for _, tc := range []struct {
		got, want string
	}{
		{FormatInt(French, 0), "0"},
		{FormatInt(French, 999), "999"},
		{FormatInt(French, 3512), "3" + nnbsp + "512"},
		{FormatInt(English, 3512), "3,512"},
		{FormatInt(French, -1234567), "-1" + nnbsp + "234" + nnbsp + "567"},
		{FormatInt(English, 100000), "100,000"},
		{FormatDecimal(French, 6.8, 1), "6,8"},
		{FormatDecimal(English, 6.8, 1), "6.8"},
		{FormatDecimal(French, 1234.56, 1), "1" + nnbsp + "234,6"},
		{FormatDecimal(English, 1234.56, 2), "1,234.56"},
		{FormatDecimal(French, -0.01, 1), "0,0"},
		{FormatDecimal(French, 12, 0), "12"},
		{FormatPercent(French, 45), "45" + nnbsp + "%"},
		{FormatPercent(English, 45), "45%"},
		{FormatKm(French, 6.84), "6,8\u00a0km"},
		{FormatKm(English, 6.84), "6.8\u00a0km"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestTemplatesFormatNumbersPerLanguage: the template functions write numbers as the page's
// language does.
func TestTemplatesFormatNumbersPerLanguage(t *testing.T) {
	v, err := NewViews()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		lang Lang
		want string
	}{
		{French, "6,8\u00a0km|3\u202f512|45\u202f%|2,50"},
		{English, "6.8\u00a0km|3,512|45%|2.50"},
	} {
		tpl, err := v.sets[tc.lang]["occupancy"].Clone()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tpl.New("probe").Parse(`{{km .Km}}|{{num .N}}|{{pct .P}}|{{decimal .D 2}}`); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := tpl.ExecuteTemplate(&b, "probe", map[string]any{"Km": 6.8, "N": 3512, "P": 45, "D": 2.5}); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(b.String()); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.lang, got, tc.want)
		}
	}
}

func TestCountedMessagesAgree(t *testing.T) {
	for _, tc := range []struct {
		lang Lang
		n    int
		want string
	}{
		{French, 1, "1 pôle occupé à plus de 90 %"},
		{French, 2, "2 pôles occupés à plus de 90 %"},
		{French, 1200, "1\u202f200 pôles occupés à plus de 90 %"},
		{English, 1, "1 hub above 90%"},
		{English, 1200, "1,200 hubs above 90%"},
	} {
		if got := TN(tc.lang, "alerts.full", tc.n); got != tc.want {
			t.Errorf("TN(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}
