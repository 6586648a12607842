package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAttendanceSheetInEnglish: a director who chose English gets the sheet's titles, column
// headers and footer in English, as HTML, PDF and CSV; the French stays for everyone else.
func TestAttendanceSheetInEnglish(t *testing.T) {
	app, st := newApp(t)
	day := nextWeekdays(1)[0]
	loadAndPlace(t, st, twoDepartements(day), day)
	setHealthNote(t, st, "Zoé", "Allergie aux œufs")
	ids, _ := st.HubIDsByUAI(context.Background(), []string{"0250001A"})
	sheet := fmt.Sprintf("/poles/%d/feuille?jour=%s", ids[0], day.Format(time.DateOnly))
	fr := newBrowser(t, app)
	fr.login("dir25@example.fr", goodPassword)
	en := newBrowser(t, app)
	en.login("dir25@example.fr", goodPassword)
	en.get("/langue?lang=en&next=/")

	html := en.get(sheet + "&format=html").body
	for _, want := range []string{"Attendance sheet — ", "Head:", ">Child<", ">Parent<", ">People allowed to collect the child<", ">Health / PAI<",
		">Employer proof<", ">Arrival<", ">Departure<", ">Signature<", "Primary school · 1 child", "HEALTH / PAI", "Allergie aux œufs",
		"Children / seats:", "Confidential document", "Download the PDF"} {
		if !strings.Contains(html, want) {
			t.Errorf("the English HTML sheet lacks %q", want)
		}
	}
	for _, french := range []string{"Feuille de présence", "Direction", ">Enfant<", "Responsable légal", "Personnes autorisées", "Santé / PAI",
		"Justificatif", ">Arrivée<", ">Départ<", "Élémentaire", "enfant ·", "Enfants / places", "Document confidentiel", " ans<"} {
		if strings.Contains(html, french) {
			t.Errorf("the English HTML sheet says %q", french)
		}
	}
	if frHTML := fr.get(sheet + "&format=html").body; !strings.Contains(frHTML, "Feuille de présence — ") || !strings.Contains(frHTML, ">Signature<") ||
		!strings.Contains(frHTML, ">Départ<") || strings.Contains(frHTML, "Attendance sheet") {
		t.Error("the French HTML sheet is not in French")
	}

	pdf := pdfText(t, en.get(sheet).body)
	for _, want := range []string{"Attendance sheet — ", "Head:", "Child", "Departure", "Signature", "Printed on", "Page 1/1", "Children / seats:"} {
		if !strings.Contains(pdf, want) {
			t.Errorf("the English PDF lacks %q", want)
		}
	}
	if strings.Contains(pdf, "Feuille de présence") || strings.Contains(pdf, "Imprimé le") {
		t.Error("the English PDF is in French")
	}
	if frPDF := pdfText(t, fr.get(sheet).body); !strings.Contains(frPDF, "Feuille de présence") {
		t.Error("the French PDF is not in French")
	}

	csv := en.get(sheet + "&format=csv").body
	if !strings.HasPrefix(csv, "\ufeffDate;UAI;Hub;Level;Group;Last name;First name;") || !strings.Contains(csv, ";Primary school;") {
		t.Errorf("the English CSV:\n%s", csv)
	}
	if frCSV := fr.get(sheet + "&format=csv").body; !strings.HasPrefix(frCSV, "\ufeffDate;UAI;Pôle;Niveau;") {
		t.Errorf("the French CSV:\n%.80s", frCSV)
	}
}
