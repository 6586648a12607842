package sheets

import (
	"fmt"
	"time"

	"github.com/accueil-prioritaire/accueil/store"
)

// English is the value of [Sheet.Lang] for a sheet in English; any other value prints French.
const English = "en"

// words are the fixed texts of a sheet in one language: French for the schools, English for a
// user who chose it. Names, notes and addresses are printed as entered.
type words struct {
	langTag                           string
	title                             string // "Feuille de présence"
	service                           string
	director                          string
	printed                           string // a time layout with the words quoted
	page                              string // "Page %d/%d"
	countsLabel                       string
	confidential                      string
	columns                           [colSign + 1]string // the PDF's column titles, "\n" between lines
	proposed                          string
	noPickup                          string
	health                            string
	proofToCheck, proofBox, proofSeen string
	cut                               string
	cont                              string
	noChild, walkIn                   string // noChild takes the day
	year, years                       string
	group                             string // " — groupe %d sur %d"
	child, children                   string
	levels                            map[store.Level]string
	total                             string
	unknownLevel                      string // takes the level's code
	yes, no                           string
	statuses                          map[string]string
	csvHeader                         []string
	weekdays                          [7]string
	months                            [12]string
	firstOfMonth                      string // "1er" in French
	// The bulk PDF of a day's sheets.
	sheetsTitle, noSheet string
	// The contact list for the health authority.
	contactsTitle  string // followed by contactsAbout
	contactsAbout  string // takes the child's number and the period's first and last days
	contactsNone   string
	contactsDay    string // takes the day, hub, UAI, commune, group and director
	contactsFooter string // takes the printing day and time and the page number
}

var french = words{
	langTag:  "fr-FR",
	title:    "Feuille de présence",
	service:  "Accueil prioritaire des enfants des personnels prioritaires",
	director: "Direction : ",
	printed:  "Imprimé le %s à %s",
	page:     "Page %d/%d", countsLabel: "Enfants / places : ",
	confidential: "Document confidentiel (données de santé) : ne pas afficher ni laisser sans surveillance. " +
		"Justificatif employeur : le regarder, cocher « vu », n'en garder aucune copie.",
	// No median dot ("autorisé·es"): the 2021 circular bans it from school documents.
	columns: [...]string{"N°", "Enfant", "Horaires\nprévus", "Responsable légal", "Personnes autorisées\nà récupérer l'enfant",
		"Santé / PAI", "Justificatif\nemployeur", "Arrivée", "Départ", "Signature"},
	proposed: "placement proposé, non confirmé", noPickup: "personne d'autre que le responsable",
	health: "⚠ SANTÉ / PAI", proofToCheck: "À VÉRIFIER", proofBox: "☐ vu", proofSeen: "vu ✓",
	cut: "… suite dans la fiche de l'enfant", cont: " (suite)",
	noChild: "Aucun enfant n'est attendu dans ce pôle le %s.",
	walkIn:  "Un enfant qui se présente sans réservation est inscrit sur l'application avant d'être accueilli.",
	year:    "an", years: "ans", group: " — groupe %d sur %d", child: "enfant", children: "enfants",
	levels: map[store.Level]string{store.Maternelle: "Maternelle", store.Elementaire: "Élémentaire", store.College: "Collège"},
	total:  "Total", unknownLevel: "Niveau « %s »", yes: "oui", no: "non",
	statuses: map[string]string{StatusProposed: "proposé", StatusConfirmed: "confirmé"},
	csvHeader: []string{
		"Date", "UAI", "Pôle", "Niveau", "Groupe", "Nom", "Prénom", "Date de naissance", "Âge",
		"Arrivée prévue", "Départ prévu", "Responsable légal", "Téléphone du responsable",
		"Personnes autorisées à récupérer l'enfant", "Santé / PAI", "Justificatif à vérifier",
		"Statut du placement", "Heure d'arrivée", "Heure de départ", "Signature",
	},
	weekdays: [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"},
	months: [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
		"septembre", "octobre", "novembre", "décembre"},
	firstOfMonth: "1er",
	sheetsTitle:  "Feuilles de présence", noSheet: "Aucune feuille de présence pour cette sélection.",
	contactsTitle: "Liste de contacts — ", contactsAbout: "enfant n° %d, du %s au %s",
	contactsNone:   "Aucun jour d’accueil sur la période.",
	contactsDay:    "%s — %s (UAI %s), %s — %s — direction : %s",
	contactsFooter: "Document confidentiel destiné à l’autorité sanitaire — imprimé le %s à %s — page %d",
}

var english = words{
	langTag:  "en-GB",
	title:    "Attendance sheet",
	service:  "Priority care for the children of priority workers",
	director: "Head: ",
	printed:  "Printed on %s at %s",
	page:     "Page %d/%d", countsLabel: "Children / seats: ",
	confidential: "Confidential document (health data): do not display or leave unattended. " +
		"Employer proof: look at it, tick “seen”, keep no copy.",
	columns: [...]string{"No.", "Child", "Booked\ntimes", "Parent", "People allowed\nto collect the child",
		"Health / PAI", "Employer\nproof", "Arrival", "Departure", "Signature"},
	proposed: "seat proposed, not confirmed", noPickup: "nobody but the parent",
	health: "⚠ HEALTH / PAI", proofToCheck: "TO CHECK", proofBox: "☐ seen", proofSeen: "seen ✓",
	cut: "… more in the child's record", cont: " (continued)",
	noChild: "No child is expected at this hub on %s.",
	walkIn:  "A child who comes without a booking is registered in the application before being hosted.",
	year:    "year", years: "years", group: " — group %d of %d", child: "child", children: "children",
	levels: map[store.Level]string{store.Maternelle: "Nursery school", store.Elementaire: "Primary school", store.College: "Secondary school"},
	total:  "Total", unknownLevel: "Level “%s”", yes: "yes", no: "no",
	statuses: map[string]string{StatusProposed: "proposed", StatusConfirmed: "confirmed"},
	csvHeader: []string{
		"Date", "UAI", "Hub", "Level", "Group", "Last name", "First name", "Date of birth", "Age",
		"Booked arrival", "Booked departure", "Parent", "Parent's phone",
		"People allowed to collect the child", "Health / PAI", "Proof to check",
		"Placement status", "Arrival time", "Departure time", "Signature",
	},
	weekdays: [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
	months: [...]string{"January", "February", "March", "April", "May", "June", "July", "August",
		"September", "October", "November", "December"},
	firstOfMonth: "1",
	sheetsTitle:  "Attendance sheets", noSheet: "No attendance sheet for this selection.",
	contactsTitle: "Contact list — ", contactsAbout: "child no. %d, from %s to %s",
	contactsNone:   "No day hosted in the period.",
	contactsDay:    "%s — %s (UAI %s), %s — %s — head: %s",
	contactsFooter: "Confidential document for the health authority — printed on %s at %s — page %d",
}

// wordsFor returns the texts of lang ([English] or French).
func wordsFor(lang string) *words {
	if lang == English {
		return &english
	}
	return &french
}

// levelName is a level as printed; the total (level "") is "Total".
func (w *words) levelName(l store.Level) string {
	if l == "" {
		return w.total
	}
	if n, ok := w.levels[l]; ok {
		return n
	}
	return fmt.Sprintf(w.unknownLevel, l)
}

// date writes a day as on a document: "lundi 23 novembre 2026", "Monday 23 November 2026".
func (w *words) date(t time.Time) string {
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = w.firstOfMonth
	}
	return fmt.Sprintf("%s %s %s %d", w.weekdays[t.Weekday()], day, w.months[t.Month()-1], t.Year())
}

// LongDate writes a day in lang as on the sheet ([FrenchDate] in French).
func LongDate(t time.Time, lang string) string { return wordsFor(lang).date(t) }

// LevelNameIn is [LevelName] in lang.
func LevelNameIn(l store.Level, lang string) string { return wordsFor(lang).levelName(l) }

// Title is the sheet's title with its day, "Feuille de présence — lundi 23 novembre 2026".
func Title(s Sheet) string {
	w := wordsFor(s.Lang)
	return w.title + " — " + w.date(s.Day)
}
