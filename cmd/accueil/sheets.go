package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/accueil-prioritaire/accueil/sheets"
	"github.com/accueil-prioritaire/accueil/store"
)

// printSheets writes every open hub's attendance sheet of a day as PDF files in a folder, plus
// the ZIP and the merged PDF, as the rectorat downloads them, in French (the schools'
// language) or, with --lang en, in English as the site gives them to a user who chose it.
func printSheets(ctx context.Context, e env, args []string) error {
	fs := newFlags("sheets")
	dayFlag := fs.String("day", "", "the day, YYYY-MM-DD")
	out := fs.String("out", "", "folder to write into")
	langFlag := fs.String("lang", "fr", "the sheets' language: fr or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	day, err := time.Parse(time.DateOnly, *dayFlag)
	lang, known := map[string]string{"fr": "", "en": sheets.English}[*langFlag]
	if err != nil || *out == "" || !known {
		return errors.New("usage: accueil sheets --day YYYY-MM-DD --out DIR [--lang fr|en]")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	st, closeDB, err := openStore(ctx, e, false)
	if err != nil {
		return err
	}
	defer closeDB()
	sc := store.Scope{Role: store.RoleRectorat}
	printed := e.now().In(store.DefaultAllocationPolicy().Location)
	n := 0
	for sh, err := range sheets.Day(ctx, st, sc, day, printed, lang) {
		if err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(*out, sheets.FileName(sh)))
		if err != nil {
			return err
		}
		if err := sheets.WritePDF(f, sh); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		n++
	}
	for name, write := range map[string]func(*os.File) error{
		"feuilles-" + *dayFlag + ".zip": func(f *os.File) error { return sheets.WriteZIP(f, sheets.Day(ctx, st, sc, day, printed, lang)) },
		"feuilles-" + *dayFlag + ".pdf": func(f *os.File) error {
			return sheets.WriteMergedPDF(f, lang, sheets.Day(ctx, st, sc, day, printed, lang))
		},
	} {
		f, err := os.Create(filepath.Join(*out, name))
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	children, err := st.ChildrenPlacedOn(ctx, sc, day)
	if err != nil {
		return err
	}
	if err := st.Audit(ctx, store.AuditEntry{Action: "sheet.download_day", ObjectType: "day", ObjectID: *dayFlag, Day: day, ChildIDs: children,
		Details: map[string]any{"via": "command line", "hubs": n, "lang": *langFlag}}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%d sheets written to %s, with the ZIP and the merged PDF\n", n, *out)
	return nil
}
