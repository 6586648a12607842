package frontend

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// French typography groups thousands with a narrow no-break space and puts one before the
// percent sign (as CLDR and browsers' Intl.NumberFormat("fr") do); English uses a comma and
// no space.
const narrowNoBreakSpace = "\u202f"

// FormatInt writes n with its thousands grouped: "3 512" in French, "3,512" in English.
func FormatInt(lang Lang, n int) string {
	digits := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, digits = "-", digits[1:]
	}
	return sign + group(lang, digits)
}

// TN returns message key for a count n, written in lang's way: the message key+".one" when n
// is 1 (and it exists), key otherwise; its %s is the count.
func TN(lang Lang, key string, n int) string {
	if _, ok := messages[key+".one"]; ok && n == 1 {
		key += ".one"
	}
	return fmt.Sprintf(T(lang, key), FormatInt(lang, n))
}

// FormatDecimal writes x rounded to places decimals: "6,8" in French, "6.8" in English.
func FormatDecimal(lang Lang, x float64, places int) string {
	s := strconv.FormatFloat(x, 'f', places, 64)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
		if strings.Trim(s, "0.") == "" {
			sign = "" // no "-0,0"
		}
	}
	whole, frac, _ := strings.Cut(s, ".")
	out := sign + group(lang, whole)
	if frac != "" {
		if lang == English {
			out += "." + frac
		} else {
			out += "," + frac
		}
	}
	return out
}

// FormatPercent writes a whole percentage: "45 %" in French, "45%" in English.
func FormatPercent(lang Lang, p int) string {
	if lang == English {
		return FormatInt(lang, p) + "%"
	}
	return FormatInt(lang, p) + narrowNoBreakSpace + "%"
}

// FormatKm writes a distance to a tenth of a kilometre: "6,8 km", "6.8 km".
func FormatKm(lang Lang, km float64) string {
	if math.IsNaN(km) || math.IsInf(km, 0) {
		return "—"
	}
	return FormatDecimal(lang, km, 1) + "\u00a0km"
}

func group(lang Lang, digits string) string {
	sep := narrowNoBreakSpace
	if lang == English {
		sep = ","
	}
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(r)
	}
	return b.String()
}
