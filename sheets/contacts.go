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
	Group    string
	Children []Child
}

// WriteContactsPDF writes a contact list: for each day, the hub, the group and the children in
// it with their parent's phone. It uses the sheet's font, so every accent prints.
func WriteContactsPDF(w io.Writer, about string, days []ContactDay, printedAt time.Time) error {
	r := newRenderer()
	pdf := r.pdf
	pdf.SetAutoPageBreak(true, 15)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-12)
		pdf.SetFont(family, "", 7)
		pdf.CellFormat(0, 5, printable(fmt.Sprintf("Document confidentiel destiné à l’autorité sanitaire — imprimé le %s — page %d",
			printedAt.Format("02/01/2006 à 15:04"), pdf.PageNo())), "", 0, "C", false, 0, "")
	})
	pdf.AddPage()
	pdf.SetFont(family, "", 14)
	pdf.CellFormat(0, 8, printable("Liste de contacts — "+about), "", 1, "L", false, 0, "")
	if len(days) == 0 {
		pdf.SetFont(family, "", 10)
		pdf.CellFormat(0, 6, printable("Aucun jour d’accueil sur la période."), "", 1, "L", false, 0, "")
	}
	for _, d := range days {
		pdf.Ln(3)
		pdf.SetFont(family, "", 11)
		pdf.MultiCell(0, 6, printable(fmt.Sprintf("%s — %s (UAI %s), %s — %s — direction : %s",
			FrenchDate(d.Day), d.Hub.Name, d.Hub.UAI, d.Hub.Commune, d.Group, d.Director)), "B", "L", false)
		pdf.SetFont(family, "", 9)
		for _, c := range d.Children {
			pdf.CellFormat(90, 5, printable(c.LastName+" "+c.FirstName), "", 0, "L", false, 0, "")
			pdf.CellFormat(90, 5, printable(c.ParentName), "", 0, "L", false, 0, "")
			pdf.CellFormat(0, 5, printable(FormatPhone(c.ParentPhone)), "", 1, "L", false, 0, "")
		}
	}
	return r.output(w)
}
