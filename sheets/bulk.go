package sheets

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"iter"
	"runtime"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// WriteZIP writes one PDF per sheet (see [WritePDF]) into a ZIP streamed to w, named by
// [FileName]. Sheets are pulled from the sequence as the ZIP is written and rendered by a few
// workers, so memory stays bounded by a handful of sheets whatever their number, and the entries
// keep the order of the sequence.
//
// It stops at the first error of the sequence, of a rendering or of w, and returns it without
// finishing the ZIP: a truncated archive fails to open rather than passing for a complete one.
func WriteZIP(w io.Writer, sheets iter.Seq2[Sheet, error]) error {
	// The PDFs are compressed already: storing them saves time and no space worth having.
	zw := zip.NewWriter(w)
	workers := min(runtime.GOMAXPROCS(0), 4)

	type result struct {
		name  string
		sheet Sheet
		pdf   []byte
		err   error
	}
	type job struct {
		sheet Sheet
		done  chan result
	}
	jobs := make(chan *job)
	order := make(chan *job, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				var b bytes.Buffer
				err := WritePDF(&b, j.sheet)
				j.done <- result{name: FileName(j.sheet), sheet: j.sheet, pdf: b.Bytes(), err: err}
			}
		})
	}

	// The writer takes the jobs in the order they were queued; after an error it keeps draining
	// so that the producer and the workers never block.
	stop := make(chan struct{})
	written := make(chan error, 1)
	go func() {
		var err error
		names := map[string]int{}
		for j := range order {
			res := <-j.done
			if err != nil {
				continue
			}
			err = res.err
			if err == nil {
				err = addStored(zw, uniqueName(names, res.name), res.sheet, res.pdf)
			}
			if err != nil {
				close(stop)
			}
		}
		written <- err
	}()

	var seqErr error
produce:
	for s, err := range sheets {
		if err != nil {
			seqErr = fmt.Errorf("sheets: read sheets: %w", err)
			break
		}
		j := &job{sheet: s, done: make(chan result, 1)}
		select {
		case jobs <- j:
		case <-stop:
			break produce
		}
		order <- j
	}
	close(jobs)
	close(order)
	wg.Wait()
	if err := <-written; err != nil {
		return err
	}
	if seqErr != nil {
		return seqErr
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("sheets: write ZIP: %w", err)
	}
	return nil
}

func addStored(zw *zip.Writer, name string, s Sheet, pdf []byte) error {
	h := &zip.FileHeader{Name: name, Method: zip.Store}
	if !s.PrintedAt.IsZero() {
		h.Modified = s.PrintedAt
	}
	f, err := zw.CreateHeader(h)
	if err != nil {
		return fmt.Errorf("sheets: write ZIP: %w", err)
	}
	if _, err := f.Write(pdf); err != nil {
		return fmt.Errorf("sheets: write ZIP: %w", err)
	}
	return nil
}

// uniqueName suffixes a name already used in the archive ("…-2.pdf"): two entries with one name
// would hide a hub's sheet when unzipped.
func uniqueName(seen map[string]int, name string) string {
	seen[name]++
	if n := seen[name]; n > 1 {
		return fmt.Sprintf("%s-%d.pdf", strings.TrimSuffix(name, ".pdf"), n)
	}
	return name
}

// WriteMergedPDF writes every sheet of the sequence into one PDF, one after the other, each
// with its own page numbering ("page 1/2" of each hub) and an outline entry per hub. Unlike
// [WriteZIP] the whole document is held in memory until written (fpdf builds it so): about
// 40 kB per hub. The document's title, and the one page saying there is no sheet when the
// sequence is empty, are in lang ([English] or French); each sheet is in its own [Sheet.Lang].
func WriteMergedPDF(w io.Writer, lang string, sheets iter.Seq2[Sheet, error]) error {
	r := newRenderer()
	w0 := wordsFor(lang)
	r.pdf.SetLang(w0.langTag)
	first := true
	for s, err := range sheets {
		if err != nil {
			return fmt.Errorf("sheets: read sheets: %w", err)
		}
		if first {
			r.pdf.SetTitle(w0.sheetsTitle+" — "+w0.date(s.Day), true)
			r.pdf.SetCreationDate(s.PrintedAt)
			r.pdf.SetModificationDate(s.PrintedAt)
			first = false
		}
		r.sheet(s, true)
		if err := r.pdf.Error(); err != nil {
			return fmt.Errorf("sheets: render PDF: %w", err)
		}
	}
	if first {
		r.pdf.SetTitle(w0.sheetsTitle, true)
		r.pdf.AddPage()
		r.setStyle(textStyle{bold: true, size: 13})
		r.pdf.SetXY(marginX, 40)
		r.pdf.CellFormat(tableW, 8, w0.noSheet, "", 0, "C", false, 0, "")
	}
	return r.output(w)
}

// FileName names the PDF of a sheet in a ZIP, ASCII only so that every unzip tool and file
// system keeps it: "2026-11-23_0250001A_ecole-jean-mace.pdf".
func FileName(s Sheet) string {
	uai := strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToUpper(r)
		}
		return -1
	}, s.Hub.UAI)
	if uai == "" {
		uai = fmt.Sprintf("pole-%d", s.Hub.ID)
	}
	name := s.Day.Format("2006-01-02") + "_" + uai
	if slug := slugify(s.Hub.Name, 60); slug != "" {
		name += "_" + slug
	}
	return name + ".pdf"
}

// ligatures are the letters NFD does not decompose into an ASCII base.
var ligatures = strings.NewReplacer("œ", "oe", "Œ", "OE", "æ", "ae", "Æ", "AE", "ß", "ss",
	"ø", "o", "Ø", "O", "đ", "d", "Đ", "D", "ł", "l", "Ł", "L")

// slugify keeps ASCII letters and digits, lower case, words joined by "-", at most limit bytes.
func slugify(s string, limit int) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFD.String(ligatures.Replace(s)) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		case unicode.Is(unicode.Mn, r):
			// The accent of a decomposed letter: "é" keeps its "e".
		default:
			dash = true
		}
	}
	out := b.String()
	if len(out) > limit {
		out = strings.TrimRight(out[:limit], "-")
	}
	return out
}
