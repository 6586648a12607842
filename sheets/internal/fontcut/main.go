// Command fontcut writes the Latin subset of DejaVu Sans Condensed that the sheets embed.
//
// The full fonts weigh 1.3 MB and fpdf parses the embedded font again for every document, so a
// subset keeps both the binary and the time per sheet down (the bulk ZIP renders ~395 of them).
// The subset covers every Latin script letter (French, but also the Vietnamese, Turkish, Polish,
// Portuguese… names of the children), the punctuation and the few symbols the sheet draws.
//
// Run from the sheets directory: go generate (needs Debian's fonts-dejavu-core).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-pdf/fpdf"
)

// ranges are the Unicode blocks kept, inclusive.
var ranges = [][2]rune{
	{0x0020, 0x007E}, // Basic Latin
	{0x00A0, 0x024F}, // Latin-1 Supplement, Latin Extended-A and -B
	{0x0250, 0x02FF}, // IPA and spacing modifiers (ʼ U+02BC is used as an apostrophe in names)
	{0x0300, 0x036F}, // combining diacritics, in case a name arrives decomposed
	{0x1E00, 0x1EFF}, // Latin Extended Additional (Vietnamese: ễ, ạ, ự…)
	{0x2000, 0x206F}, // General Punctuation (’ – — … ‧)
	{0x20AC, 0x20AC}, // €
	{0x2116, 0x2116}, // №
	{0x2190, 0x2193}, // arrows
	{0x2610, 0x2612}, // ☐ ☑ ☒
	{0x26A0, 0x26A0}, // ⚠
	{0x2713, 0x2717}, // ✓ ✔ ✕ ✖ ✗
}

func main() {
	src := flag.String("src", "/usr/share/fonts/truetype/dejavu", "folder holding the DejaVu TTF files")
	dst := flag.String("dst", "fonts", "folder the subsets are written to")
	flag.Parse()
	var cutset []rune
	for _, r := range ranges {
		for c := r[0]; c <= r[1]; c++ {
			cutset = append(cutset, c)
		}
	}
	for _, name := range []string{"DejaVuSansCondensed"} {
		in, err := os.ReadFile(filepath.Join(*src, name+".ttf"))
		if err != nil {
			fmt.Fprintln(os.Stderr, "fontcut:", err)
			os.Exit(1)
		}
		out := fpdf.UTF8CutFont(in, string(cutset))
		if err := os.WriteFile(filepath.Join(*dst, name+"-Latin.ttf"), out, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "fontcut:", err)
			os.Exit(1)
		}
	}
}
