package api

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"unicode"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/unicode/norm"

	"github.com/accueil-prioritaire/accueil/store"
)

// communeIndex answers the commune fields' autocomplete from memory: the communes change only
// with a new académie, and this keeps the database out of every keystroke.
type communeIndex struct {
	mu      sync.Mutex
	entries []communeEntry
}

type communeEntry struct {
	store.CommuneChoice
	key string // the name folded: no case, no accents, hyphens and apostrophes as spaces
}

// label is how a commune shows in a field: "Besançon (25000)".
func communeLabel(c store.CommuneChoice) string { return c.Name + " (" + c.PostalCode + ")" }

// fold lowers s, drops its accents and turns hyphens and apostrophes into spaces, so that
// "st-hippolyte" finds "Saint-Hippolyte" and "besancon" finds "Besançon".
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == '-' || r == '\'' || r == '’':
			b.WriteRune(' ')
		default:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func (ix *communeIndex) load(ctx context.Context, st *store.Store) ([]communeEntry, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if len(ix.entries) > 0 {
		return ix.entries, nil
	}
	cs, err := st.CommuneChoices(ctx)
	if err != nil {
		return nil, err
	}
	entries := make([]communeEntry, len(cs))
	for i, c := range cs {
		entries[i] = communeEntry{CommuneChoice: c, key: fold(strings.NewReplacer("Saint ", "St ", "Sainte ", "Ste ").Replace(c.Name) + " " + c.Name)}
	}
	ix.entries = entries
	return entries, nil
}

var labelPattern = regexp.MustCompile(`^(.+?)\s*\((\d{5})\)$`)

// search returns up to limit communes whose name starts with q (folded) or whose postal code
// starts with q, the most exact first.
func (ix *communeIndex) search(entries []communeEntry, q string, limit int) []store.CommuneChoice {
	q = fold(q)
	if q == "" {
		return nil
	}
	var exact, prefix, word []store.CommuneChoice
	for _, e := range entries {
		name := fold(e.Name)
		switch {
		case name == q:
			exact = append(exact, e.CommuneChoice)
		case strings.HasPrefix(name, q), strings.HasPrefix(e.PostalCode, q):
			prefix = append(prefix, e.CommuneChoice)
		case strings.Contains(" "+e.key, " "+q):
			word = append(word, e.CommuneChoice)
		}
	}
	out := append(append(exact, prefix...), word...)
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// resolve finds the commune a field holds: a label "Name (postal code)", an INSEE code, or a
// name that only one commune has.
func (ix *communeIndex) resolve(entries []communeEntry, value string) (store.CommuneChoice, bool) {
	value = strings.TrimSpace(value)
	name, postal := value, ""
	if m := labelPattern.FindStringSubmatch(value); m != nil {
		name, postal = m[1], m[2]
	}
	var found []store.CommuneChoice
	for _, e := range entries {
		if e.InseeCode == value || (fold(e.Name) == fold(name) && (postal == "" || e.PostalCode == postal)) {
			found = append(found, e.CommuneChoice)
		}
	}
	if len(found) != 1 {
		return store.CommuneChoice{}, false
	}
	return found[0], true
}

// searchCommunes is the autocomplete of the commune fields.
func (s *Server) searchCommunes(c *fiber.Ctx) error {
	entries, err := s.communes.load(c.UserContext(), s.store)
	if err != nil {
		return err
	}
	found := s.communes.search(entries, c.Query("q"), 12)
	out := make([]fiber.Map, len(found))
	for i, f := range found {
		out[i] = fiber.Map{"code": f.InseeCode, "label": communeLabel(f), "departement": f.Departement}
	}
	c.Set(fiber.HeaderCacheControl, "private, max-age=3600")
	return c.JSON(out)
}
