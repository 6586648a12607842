package api_test

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
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

// zipText is the text of every PDF of a ZIP, one after the other.
func zipText(t *testing.T, body string) string {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if _, err := io.Copy(&b, r); err != nil {
			t.Fatal(err)
		}
		r.Close()
		text.WriteString(pdfText(t, b.String()))
	}
	return text.String()
}

// TestDaySheetsAndContactsInEnglish: in English, the day's ZIP and merged PDF of every sheet
// (the one page of an empty day too), and the contact list as a page, PDF and CSV, print their
// fixed texts and the groups' titles in English; in French they stay French.
func TestDaySheetsAndContactsInEnglish(t *testing.T) {
	app, st := newApp(t)
	day := nextWeekdays(1)[0]
	loadAndPlace(t, st, twoDepartements(day), day)
	var zoe int64
	if err := st.DB().Get(&zoe, `SELECT id FROM child WHERE first_name = 'Zoé'`); err != nil {
		t.Fatal(err)
	}
	d := day.Format(time.DateOnly)
	// A day with no open hub: the merged PDF is the one page saying so.
	empty := nextWeekdays(2)[1].Format(time.DateOnly)
	contacts := fmt.Sprintf("/contacts?enfant=%d&du=%s&au=%s", zoe, d, d)
	fr := newBrowser(t, app)
	fr.login("rectorat@example.fr", goodPassword)
	en := newBrowser(t, app)
	en.login("rectorat@example.fr", goodPassword)
	en.get("/langue?lang=en&next=/")

	check := func(what, text string, want, french []string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q:\n%s", what, w, text)
			}
		}
		for _, f := range french {
			if strings.Contains(text, f) {
				t.Errorf("%s says %q", what, f)
			}
		}
	}
	sheetFrench := []string{"Feuille de présence", "Direction", "Enfant", "Imprimé le", "Élémentaire", "Document confidentiel"}
	sheetEnglish := []string{"Attendance sheet — ", "Head:", "Child", "Printed on", "Primary school · 1 child", "Confidential document"}
	check("the English ZIP", zipText(t, en.get("/feuilles/"+d+"?format=zip").body), sheetEnglish, sheetFrench)
	check("the English merged PDF", pdfText(t, en.get("/feuilles/"+d+"?format=pdf").body), sheetEnglish, sheetFrench)
	check("the French ZIP", zipText(t, fr.get("/feuilles/"+d+"?format=zip").body), []string{"Feuille de présence — ", "Élémentaire · 1 enfant"}, []string{"Attendance sheet"})
	check("the French merged PDF", pdfText(t, fr.get("/feuilles/"+d+"?format=pdf").body), []string{"Feuille de présence — "}, []string{"Attendance sheet"})
	check("the English empty merged PDF", pdfText(t, en.get("/feuilles/"+empty+"?format=pdf").body), []string{"No attendance sheet for this selection."}, []string{"Aucune feuille"})
	check("the French empty merged PDF", pdfText(t, fr.get("/feuilles/"+empty+"?format=pdf").body), []string{"Aucune feuille de présence pour cette sélection."}, nil)

	contactsFrench := []string{"Liste de contacts", "enfant n°", "direction :", "Élémentaire", "enfant", "imprimé le", "Document confidentiel"}
	check("the English contacts PDF", pdfText(t, en.get(contacts+"&format=pdf").body),
		[]string{"Contact list — child no. ", "from " + day.Format("02/01/2006") + " to " + day.Format("02/01/2006"), "Primary school · 1 child", "head:",
			"Confidential document for the health authority — printed on", "Zoé"}, contactsFrench)
	check("the French contacts PDF", pdfText(t, fr.get(contacts+"&format=pdf").body),
		[]string{"Liste de contacts — enfant n° ", "Élémentaire · 1 enfant", "direction :", "imprimé le"}, []string{"Contact list", "Primary school"})
	check("the English contacts page", en.get(contacts).body, []string{"Primary school · 1 child"}, []string{"Élémentaire", " enfant"})
	check("the French contacts page", fr.get(contacts).body, []string{"Élémentaire · 1 enfant"}, []string{"Primary school"})
	check("the English contacts CSV", en.get(contacts+"&format=csv").body, []string{";Primary school · 1 child;"}, []string{"Élémentaire"})
}
