package sheets

import (
	"fmt"
	"io"
	"time"
)

// ContactDay is the group a child shared with others on one day, for the health authority.
type ContactDay struct {
	Day      time.Time
	Hub      Hub
	Director string
	// Group is the group's title ([Group.Title]), in the list's language.
	Group    string
	Children []Child
}

// ContactList is what the health authority asks for: the groups a child shared, day by day,
// over a period.
type ContactList struct {
	ChildID  int64
	From, To time.Time
	Days     []ContactDay
	// PrintedAt is printed as is, in its own location: pass it in Europe/Paris.
	PrintedAt time.Time
	// Lang is the language of the fixed texts: [English], or French for any other value.
	Lang string
}

// WriteContactsPDF writes a contact list: for each day, the hub, the group and the children in
// it with their parent's phone. It uses the sheet's font, so every accent prints.
func WriteContactsPDF(w io.Writer, l ContactList) error {
	r := newRenderer()
	words := wordsFor(l.Lang)
	pdf := r.pdf
	pdf.SetLang(words.langTag)
	pdf.SetAutoPageBreak(true, 15)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont(family, "", 7)
		pdf.CellFormat(0, 5, printable(fmt.Sprintf(words.contactsFooter,
			l.PrintedAt.Format("02/01/2006"), l.PrintedAt.Format("15:04"), pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont(family, "", 14)
	about := fmt.Sprintf(words.contactsAbout, l.ChildID, l.From.Format("02/01/2006"), l.To.Format("02/01/2006"))
	pdf.CellFormat(0, 8, printable(words.contactsTitle+about), "", 1, "L", false, 0, "")
	if len(l.Days) == 0 {
		pdf.SetFont(family, "", 10)
		pdf.CellFormat(0, 6, printable(words.contactsNone), "", 1, "L", false, 0, "")
	}
	for _, d := range l.Days {
		pdf.Ln(3)
		pdf.SetFont(family, "", 11)
		pdf.MultiCell(0, 6, printable(fmt.Sprintf(words.contactsDay,
			words.date(d.Day), d.Hub.Name, d.Hub.UAI, d.Hub.Commune, d.Group, d.Director)), "B", "L", false)
		pdf.SetFont(family, "", 9)
		for _, c := range d.Children {
			pdf.CellFormat(90, 5, printable(c.LastName+" "+c.FirstName), "", 0, "L", false, 0, "")
			pdf.CellFormat(90, 5, printable(c.ParentName), "", 0, "L", false, 0, "")
			pdf.CellFormat(0, 5, printable(FormatPhone(c.ParentPhone)), "", 1, "L", false, 0, "")
		}
	}
	return r.output(w)
}
