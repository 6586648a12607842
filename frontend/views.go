package frontend

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Page is what every page template gets: the layout's needs, and the page's own Data.
type Page struct {
	Lang    Lang
	Title   string
	Path    string // the request path, for the current menu item
	Here    string // the request path and query, for the language switch to come back to
	Account *Viewer
	CSRF    string
	// Errors maps form field names to their message; FormError is the summary above the form.
	Errors    map[string]string
	FormError string
	Status    int
	RequestID string
	Data      any
}

// Viewer is the logged-in person as the layout shows them.
type Viewer struct {
	Name string
	Role string
}

// Views renders the pages, one template set per page and language.
type Views struct {
	sets      map[Lang]map[string]*template.Template
	assetBase string
	static    fs.FS
}

// AssetBase is the URL prefix of the static files. It embeds a hash of their content so that
// they can be cached for a year and still change with each release.
func (v *Views) AssetBase() string { return v.assetBase }

// Static is the file system served under AssetBase.
func (v *Views) Static() fs.FS { return v.static }

// NewViews parses every page with the layout.
func NewViews() (*Views, error) {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	hash, err := hashFS(sub)
	if err != nil {
		return nil, err
	}
	v := &Views{sets: map[Lang]map[string]*template.Template{}, assetBase: "/static/" + hash, static: sub}
	pages, err := fs.Glob(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, lang := range []Lang{French, English} {
		v.sets[lang] = map[string]*template.Template{}
		base, err := template.New("").Funcs(v.funcs(lang)).ParseFS(templates, "templates/_*.html")
		if err != nil {
			return nil, err
		}
		for _, p := range pages {
			name := strings.TrimSuffix(path.Base(p), ".html")
			if strings.HasPrefix(name, "_") {
				continue
			}
			clone, err := base.Clone()
			if err != nil {
				return nil, err
			}
			t, err := clone.ParseFS(templates, p)
			if err != nil {
				return nil, fmt.Errorf("template %s: %w", p, err)
			}
			v.sets[lang][name] = t
		}
	}
	return v, nil
}

// Render writes page name (its file name without .html) in the layout.
func (v *Views) Render(w io.Writer, name string, p Page) error {
	t, ok := v.sets[p.Lang][name]
	if !ok {
		return fmt.Errorf("no page %q", name)
	}
	return t.ExecuteTemplate(w, "layout", p)
}

var frenchMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
	"septembre", "octobre", "novembre", "décembre"}
var frenchDays = []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// LongDate writes a date as people read it: "lundi 23 novembre 2026", "Monday 23 November 2026".
func LongDate(lang Lang, d time.Time) string {
	if lang == English {
		return d.Format("Monday 2 January 2006")
	}
	day := fmt.Sprint(d.Day())
	if d.Day() == 1 {
		day = "1er" // French writes the first of the month as an ordinal
	}
	return fmt.Sprintf("%s %s %s %d", frenchDays[d.Weekday()], day, frenchMonths[d.Month()-1], d.Year())
}

var frenchShortMonths = []string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// ShortDate writes a date in a narrow column: "mar. 8 déc.", "Tue 8 Dec".
func ShortDate(lang Lang, d time.Time) string {
	if lang == English {
		return d.Format("Mon 2 Jan")
	}
	day := fmt.Sprint(d.Day())
	if d.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s. %s %s", frenchDays[d.Weekday()][:3], day, frenchShortMonths[d.Month()-1])
}

func (v *Views) funcs(lang Lang) template.FuncMap {
	return template.FuncMap{
		"t":           func(key string) string { return T(lang, key) },
		"tf":          func(key string, args ...any) string { return fmt.Sprintf(T(lang, key), args...) },
		"asset":       func(p string) string { return v.assetBase + "/" + p },
		"longDate":    func(d time.Time) string { return LongDate(lang, d) },
		"shortDate":   func(d time.Time) string { return ShortDate(lang, d) },
		"attribution": func() string { return T(lang, "geo.attribution") },
		"percent": func(a, b int) int {
			if b == 0 {
				return 0
			}
			return (a*100 + b/2) / b
		},
		"num":        func(n int) string { return FormatInt(lang, n) },
		"tn":         func(key string, n int) string { return TN(lang, key, n) },
		"decimal":    func(x float64, places int) string { return FormatDecimal(lang, x, places) },
		"pct":        func(p int) string { return FormatPercent(lang, p) },
		"km":         func(x float64) string { return FormatKm(lang, x) },
		"clock":      func(hhmm string) string { return FormatClock(lang, hhmm) },
		"phone":      FormatPhone,
		"phoneURI":   func(p string) template.URL { return template.URL(PhoneURI(p)) },
		"oneDecimal": func(x float64) string { return FormatDecimal(lang, x, 1) },
		"inc":        func(i int) int { return i + 1 },
		"dec":        func(i int) int { return i - 1 },
		"hasID": func(ids []int64, id int64) bool {
			for _, x := range ids {
				if x == id {
					return true
				}
			}
			return false
		},
		"hasDay": func(days []string, d string) bool {
			for _, x := range days {
				if x == d {
					return true
				}
			}
			return false
		},
		"list": func(items ...string) []string { return items },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict takes key/value pairs")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		"otherLang": func() Lang {
			if lang == English {
				return French
			}
			return English
		},
	}
}

func hashFS(fsys fs.FS) (string, error) {
	var files []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", f, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}
