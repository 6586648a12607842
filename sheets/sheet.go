// Package sheets renders the daily attendance sheet of a hub (issue 5): the A4 PDF the director
// prints before opening, the same content as CSV, and the bulk exports of a day (one ZIP of PDFs,
// or one merged PDF) for the rectorat and the prefectures.
//
// Rendering is pure: the caller gives a [Sheet] (one hub, one day) and gets bytes back; only [Day]
// reads, through the store's methods, and nothing reads the clock or the network. The HTML print page should
// use [Groups], [Counts], [FrenchDate] and [FormatPhone] so that paper and screen show the same
// groups, in the same order, with the same figures.
package sheets

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/accueil-prioritaire/accueil/store"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Sheet is everything printed on the attendance sheet of one hub for one day.
type Sheet struct {
	Hub Hub
	// Day is the day hosted; only its year, month and day are used.
	Day time.Time
	// Director is the name printed as "Direction" (may be empty).
	Director string
	// PrintedAt is printed as is, in its own location: pass it in Europe/Paris.
	PrintedAt time.Time
	// Capacity is the hub's seats per level that day; a level missing from the map has none.
	Capacity map[store.Level]int
	// Children are the children placed at the hub that day, in any order.
	Children []Child
	// Lang is the language of the fixed texts: [English], or French for any other value.
	Lang string
}

// Hub identifies the hub on the sheet.
type Hub struct {
	ID      int64
	UAI     string // national school code, e.g. "0250001A"
	Name    string
	Address string // street address, without the commune
	Commune string // e.g. "25000 Besançon" or "Besançon"
}

// Child is one child expected at the hub that day, with what the director needs at the door.
type Child struct {
	ID        int64
	FirstName string
	LastName  string
	BirthDate time.Time // zero when unknown: the age is then left blank
	Level     store.Level
	// ArriveAt and DepartAt are the booked times, "08:00" (empty when not booked).
	ArriveAt, DepartAt string
	ParentName         string
	ParentPhone        string
	// Pickups are the people allowed to collect the child, besides the parent.
	Pickups []store.Pickup
	// HealthNote is the allergy, PAI or other health information; empty when none.
	HealthNote string
	// ProofToCheck is true when no one has yet seen the parent's employer proof.
	ProofToCheck bool
	// Status is the placement status, StatusProposed or StatusConfirmed.
	Status string
}

// The placement statuses (the placement_status enum of the database).
const (
	StatusProposed  = "proposed"
	StatusConfirmed = "confirmed"
)

// Group is one group of children of a level, as printed and as shown on the HTML page.
type Group struct {
	Level store.Level
	// Number counts from 1 within the level; Of is the number of groups of the level that day.
	Number, Of int
	Children   []Child
	lang       string // the sheet's
}

// Title is the group's heading in the sheet's language, e.g. "Élémentaire — groupe 2 sur 3 ·
// 14 enfants".
func (g Group) Title() string {
	w := wordsFor(g.lang)
	title := w.levelName(g.Level)
	if g.Of > 1 {
		title += fmt.Sprintf(w.group, g.Number, g.Of)
	}
	return title + " · " + plural(len(g.Children), w.child, w.children)
}

// Groups sorts the children of s into groups: by level in school order, then into as few groups
// as the level's group cap allows, by last name then first name in French order (accents, case,
// spaces and apostrophes only break ties, so "Éloïse" sorts with the E and "N'Diaye" as "Ndiaye").
//
// A level's children are shared evenly between its groups (16 élémentaire children make groups of
// 8 and 8, not 15 and 1): the cap and the number of groups are the same, and two half groups are
// what a director would form by hand. Children of an unknown level come last, in groups of 15,
// rather than vanish from the sheet.
func Groups(s Sheet) []Group {
	byLevel := map[store.Level][]Child{}
	var unknown []store.Level
	for _, c := range s.Children {
		if !c.Level.Valid() && len(byLevel[c.Level]) == 0 {
			unknown = append(unknown, c.Level)
		}
		byLevel[c.Level] = append(byLevel[c.Level], c)
	}
	slices.Sort(unknown)
	order := append(slices.Clone(store.Levels), unknown...)

	col := collate.New(language.MustParse("fr-u-ka-shifted"))
	var buf collate.Buffer
	var groups []Group
	for _, level := range order {
		children := byLevel[level]
		if len(children) == 0 {
			continue
		}
		sortChildren(col, &buf, children)
		limit := level.GroupCap()
		n := (len(children) + limit - 1) / limit
		start := 0
		for i := range n {
			// Evenly: the first len%n groups take one child more.
			size := len(children) / n
			if i < len(children)%n {
				size++
			}
			groups = append(groups, Group{Level: level, Number: i + 1, Of: n, Children: children[start : start+size], lang: s.Lang})
			start += size
		}
	}
	return groups
}

func sortChildren(col *collate.Collator, buf *collate.Buffer, children []Child) {
	type keyed struct {
		last, first []byte
		c           Child
	}
	ks := make([]keyed, len(children))
	for i, c := range children {
		ks[i] = keyed{
			last:  col.KeyFromString(buf, c.LastName),
			first: col.KeyFromString(buf, c.FirstName),
			c:     c,
		}
	}
	slices.SortStableFunc(ks, func(a, b keyed) int {
		if d := strings.Compare(string(a.last), string(b.last)); d != 0 {
			return d
		}
		if d := strings.Compare(string(a.first), string(b.first)); d != 0 {
			return d
		}
		switch {
		case a.c.ID < b.c.ID:
			return -1
		case a.c.ID > b.c.ID:
			return 1
		}
		return 0
	})
	for i := range ks {
		children[i] = ks[i].c
	}
}

// Count is the number of children of a level against the hub's capacity for it.
type Count struct {
	Level    store.Level
	Children int
	Capacity int
}

// Counts returns the children per level against capacity, in school order, for every level that
// has seats or children (children of an unknown level are counted under their own level, with no
// capacity), then the total under the level "" .
func Counts(s Sheet) []Count {
	children := map[store.Level]int{}
	for _, c := range s.Children {
		children[c.Level]++
	}
	var out []Count
	total := Count{}
	seen := map[store.Level]bool{}
	add := func(l store.Level) {
		if seen[l] {
			return
		}
		seen[l] = true
		if children[l] == 0 && s.Capacity[l] == 0 {
			return
		}
		out = append(out, Count{Level: l, Children: children[l], Capacity: s.Capacity[l]})
		total.Children += children[l]
		total.Capacity += s.Capacity[l]
	}
	for _, l := range store.Levels {
		add(l)
	}
	var others []store.Level
	for l := range children {
		if !l.Valid() {
			others = append(others, l)
		}
	}
	slices.Sort(others)
	for _, l := range others {
		add(l)
	}
	return append(out, total)
}

// LevelName is a level as printed in French, "Maternelle", "Élémentaire", "Collège"; the total
// (level "") is "Total".
func LevelName(l store.Level) string { return french.levelName(l) }

// FrenchDate writes a day as on a French document: "lundi 23 novembre 2026", "mardi 1er décembre 2026".
func FrenchDate(t time.Time) string { return french.date(t) }

// FormatPhone groups a French number by pairs ("06 12 34 56 78", "+33 6 12 34 56 78") so it can be
// dialled at a glance; any other number is returned trimmed, as entered.
func FormatPhone(p string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if r == ' ' || r == '.' || r == '-' {
			return -1
		}
		return 'x'
	}, strings.TrimPrefix(strings.TrimSpace(p), "+"))
	pairs := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i += 2 {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s[i:min(i+2, len(s))])
		}
		return b.String()
	}
	switch t := strings.TrimSpace(p); {
	case strings.ContainsRune(digits, 'x'):
	case len(digits) == 10 && digits[0] == '0' && !strings.HasPrefix(t, "+"):
		return pairs(digits)
	case len(digits) == 11 && strings.HasPrefix(digits, "33") && strings.HasPrefix(t, "+"):
		return "+33 " + digits[2:3] + " " + pairs(digits[3:])
	}
	return strings.TrimSpace(p)
}

// clean makes a value safe to lay out on one line: NFC (a name typed on a Mac arrives decomposed,
// and fpdf draws combining marks beside their letter), no control characters, single spaces.
func clean(s string) string {
	s = norm.NFC.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || breakingSpace(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.FieldsFunc(s, breakingSpace), " ")
}

// breakingSpace is a space a line may break at; the no-break spaces of French typography
// ("10 h", "« PAI »") keep their words together.
func breakingSpace(r rune) bool {
	return unicode.IsSpace(r) && r != '\u00A0' && r != '\u202F'
}

func plural(n int, one, many string) string {
	if n == 1 || n == 0 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
