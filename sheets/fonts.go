package sheets

import _ "embed"

// The sheets print DejaVu Sans Condensed rather than the Go fonts: the Go fonts stop at WGL4 and
// lack the Vietnamese letters (ễ in "Nguyễn") that children's names carry, and the condensed
// width fits the ten columns of a landscape sheet. fonts/ holds a Latin subset (see
// internal/fontcut) under the Bitstream Vera licence in fonts/LICENSE. Bold is synthesised from
// it (see renderer.setStyle): a second embedded font costs a third more time per sheet.
//
//go:generate go run ./internal/fontcut -dst fonts

//go:embed fonts/DejaVuSansCondensed-Latin.ttf
var fontRegular []byte
