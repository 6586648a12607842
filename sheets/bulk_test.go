package sheets

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"
	"testing"
)

// hubs yields n sheets of about per children each, one hub after the other.
func hubs(n, per int) iter.Seq2[Sheet, error] {
	return func(yield func(Sheet, error) bool) {
		for i := range n {
			if !yield(fixture(100+i, per-2+i%5, uint64(i)), nil) {
				return
			}
		}
	}
}

func TestZIP(t *testing.T) {
	var b bytes.Buffer
	if err := WriteZIP(&b, hubs(12, 9)); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 12 {
		t.Fatalf("%d entries, want 12", len(zr.File))
	}
	i := 0
	for s := range hubs(12, 9) {
		f := zr.File[i]
		if want := FileName(s); f.Name != want {
			t.Errorf("entry %d is %q, want %q (order of the sequence)", i, f.Name, want)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("%s does not start with %%PDF", f.Name)
		}
		// Each entry is its hub's sheet, not another's.
		if i == 3 {
			text := strings.Join(pdfText(t, pdf), " ")
			if !strings.Contains(text, "UAI "+s.Hub.UAI) || !strings.Contains(text, printedName(s.Children[0])) {
				t.Errorf("%s is not the sheet of %s", f.Name, s.Hub.UAI)
			}
		}
		i++
	}
}

func TestZIPDuplicateNames(t *testing.T) {
	s := fixture(1, 2, 1)
	var b bytes.Buffer
	err := WriteZIP(&b, func(yield func(Sheet, error) bool) {
		_ = yield(s, nil) && yield(s, nil)
	})
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 2 || zr.File[1].Name != strings.TrimSuffix(FileName(s), ".pdf")+"-2.pdf" {
		t.Errorf("entries %v", zr.File)
	}
}

func TestZIPErrors(t *testing.T) {
	boom := errors.New("boom")
	var b bytes.Buffer
	err := WriteZIP(&b, func(yield func(Sheet, error) bool) {
		for i := range 20 {
			if i == 7 {
				yield(Sheet{}, boom)
				return
			}
			if !yield(fixture(i, 3, 1), nil) {
				return
			}
		}
	})
	if !errors.Is(err, boom) {
		t.Errorf("sequence error: got %v", err)
	}
	if _, err := zip.NewReader(bytes.NewReader(b.Bytes()), int64(b.Len())); err == nil {
		t.Error("a ZIP cut by an error opens as if complete")
	}

	// A failing writer stops the sequence early instead of rendering every sheet.
	pulled := 0
	err = WriteZIP(failingWriter{}, func(yield func(Sheet, error) bool) {
		for i := range 1000 {
			pulled++
			if !yield(fixture(i, 3, 1), nil) {
				return
			}
		}
	})
	if err == nil || pulled > 50 {
		t.Errorf("failing writer: err %v after %d sheets", err, pulled)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestMergedPDF(t *testing.T) {
	sheets := []Sheet{fixture(1, 60, 42), fixture(2, 0, 1), fixture(3, 9, 5)}
	var want int
	var perHub []int
	for _, s := range sheets {
		n := pdfPages(t, render(t, s))
		perHub = append(perHub, n)
		want += n
	}
	var b bytes.Buffer
	err := WriteMergedPDF(&b, "", func(yield func(Sheet, error) bool) {
		for _, s := range sheets {
			if !yield(s, nil) {
				return
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := pdfPages(t, b.Bytes()); got != want {
		t.Errorf("%d pages, want %d", got, want)
	}
	pages := pdfText(t, b.Bytes())
	p := 0
	for h, s := range sheets {
		for k := 1; k <= perHub[h]; k++ {
			if !strings.Contains(pages[p], fmt.Sprintf("Page %d/%d", k, perHub[h])) || !strings.Contains(pages[p], "UAI "+s.Hub.UAI) {
				t.Errorf("page %d: want page %d/%d of %s", p+1, k, perHub[h], s.Hub.UAI)
			}
			p++
		}
	}

	b.Reset()
	if err := WriteMergedPDF(&b, "", func(func(Sheet, error) bool) {}); err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, b.Bytes()); len(text) != 1 || !strings.Contains(text[0], "Aucune feuille de présence") {
		t.Errorf("empty merge: %q", text)
	}
}

func BenchmarkSheet60(b *testing.B) {
	s := fixture(1, 60, 42)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WritePDF(&buf, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(buf.Len())/1024, "kB/pdf")
}

// BenchmarkZIP395 is the demo académie's day: 395 hubs of about 9 children.
func BenchmarkZIP395(b *testing.B) {
	sheets := make([]Sheet, 395)
	for i := range sheets {
		sheets[i] = fixture(i, 7+i%5, uint64(i))
	}
	seq := func(yield func(Sheet, error) bool) {
		for _, s := range sheets {
			if !yield(s, nil) {
				return
			}
		}
	}
	var cw countingWriter
	for b.Loop() {
		cw = 0
		if err := WriteZIP(&cw, seq); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cw)/(1<<20), "MB/zip")
}

type countingWriter int

func (c *countingWriter) Write(p []byte) (int, error) {
	*c += countingWriter(len(p))
	return len(p), nil
}

// BenchmarkSheet9 is one sheet of a typical hub: the unit of BenchmarkZIP395.
func BenchmarkSheet9(b *testing.B) {
	s := fixture(1, 9, 42)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := WritePDF(&buf, s); err != nil {
			b.Fatal(err)
		}
	}
}
