// Package frontend holds the HTML templates, the service's own CSS and JavaScript, and the assets
// built from npm packages (DSFR), all embedded in the binary.
package frontend

import "embed"

// static holds app.css and, once `make assets` has run, vendor/dsfr (copied from @gouvfr/dsfr's
// dist folder: CSS, JS, fonts, icons). The all: prefix keeps the build working before that.
//
//go:embed all:static
var static embed.FS

//go:embed templates/*.html
var templates embed.FS
