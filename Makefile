# Accueil prioritaire. Two commands do everything on a fresh Debian machine:
#   make run    install what is missing, start the private PostgreSQL, load the demo, serve
#   make test   the whole test suite (go vet, unit, database and browser tests)
SHELL := /bin/bash
.DEFAULT_GOAL := run

BIN        := bin/accueil
DSFR_DIST  := frontend/node_modules/@gouvfr/dsfr/dist
VENDOR     := frontend/static/vendor/dsfr
ASSETS     := frontend/node_modules/.accueil-assets
GO_SOURCES := $(shell find . -name '*.go' -not -path './frontend/node_modules/*') \
              $(shell find frontend/templates frontend/static migrations geo -type f -not -path '*/vendor/*')

# need installs Debian package $(1) when the check $(2) fails, if we are root; otherwise it says
# what to install and stops.
define need
	@if ! ( $(2) ) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "==> installing $(1) with apt-get"; \
	    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(1) >/dev/null; \
	  else \
	    echo "Missing: $(1). Install it with: sudo apt-get install $(1)"; exit 1; \
	  fi; \
	fi
endef

.PHONY: run run-multi test build assets deps deps-test clean db-stop

deps:
	@command -v go >/dev/null || { echo "Missing: Go 1.26 or newer (https://go.dev/dl/), on PATH"; exit 1; }
	$(call need,postgresql,ls /usr/lib/postgresql/*/bin/initdb || command -v initdb)
	$(call need,nodejs npm,command -v npm)

deps-test: deps
	$(call need,chromium,command -v chromium)
	$(call need,poppler-utils,command -v pdftotext)
	$(call need,haproxy,command -v haproxy)

# DSFR assets come from the npm package at build time and are embedded in the binary: only what
# a page needs (CSS, JS, fonts, icons), not the package's 136 MB.
assets: $(ASSETS)
$(ASSETS): frontend/package.json frontend/package-lock.json
	cd frontend && DSFR_ACCEPT_LICENSE=1 npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/utility/icons
	cp $(DSFR_DIST)/dsfr.min.css $(DSFR_DIST)/dsfr.module.min.js $(DSFR_DIST)/dsfr.nomodule.min.js $(VENDOR)/
	cp -r $(DSFR_DIST)/fonts $(DSFR_DIST)/icons $(DSFR_DIST)/favicon $(VENDOR)/
	cp $(DSFR_DIST)/utility/icons/icons.min.css $(VENDOR)/utility/icons/
	rm -rf frontend/static/vendor/leaflet && mkdir -p frontend/static/vendor/leaflet
	cp frontend/node_modules/leaflet/dist/leaflet.js frontend/node_modules/leaflet/dist/leaflet.css frontend/static/vendor/leaflet/
	touch $@

build: $(BIN)
$(BIN): deps $(ASSETS) $(GO_SOURCES) go.mod go.sum
	go build -o $(BIN) ./cmd/accueil

# DEV_MODE shows the e-mails on /dev/emails, since a local demo has no SMTP server.
run: deps $(BIN)
	DEV_MODE=$${DEV_MODE:-true} ./$(BIN) serve --demo

# Two processes behind HAProxy on port 8080, sharing the database (README, "Plusieurs processus").
run-multi: deps $(BIN)
	$(call need,haproxy,command -v haproxy)
	BIN=$(BIN) deploy/run-multi.sh

# The tests never read the machine's clock: they run at TEST_CLOCK (RFC 3339), by default a
# Tuesday morning. The suites that use the service's clock run again at the instants where
# dates go wrong: a Saturday just after midnight, a Sunday, the 16:00 cutoff from both sides,
# 23:30 and 00:30 in Paris (00:30 is still the day before in UTC), a Friday night, and the
# nights the clocks change (last Sundays of March and October).
TEST_CLOCKS  := 2026-12-05T00:20:00+01:00 2026-12-06T14:00:00+01:00 2026-12-08T15:59:00+01:00 \
                2026-12-08T16:01:00+01:00 2026-12-08T23:30:00+01:00 2026-12-09T00:30:00+01:00 \
                2026-12-04T23:00:00+01:00 2027-03-28T03:30:00+02:00 2026-10-25T02:30:00+01:00
CLOCK_SUITES := ./api ./store ./cmd/accueil ./sheets ./demo
define run_clock_suites
for clock in $(TEST_CLOCKS); do \
  echo "==> TEST_CLOCK=$$clock go test $(CLOCK_SUITES)"; \
  TEST_CLOCK=$$clock go test -count=1 -timeout 30m $(CLOCK_SUITES) || exit 1; \
done
endef

# Each package may take up to 30 minutes (go test's default is 10). ./cmd/accueil (the browser
# journeys and the commands) is the longest package under the race detector: go test starts it
# apart, at once, beside the race run of the others, rather than once alloc and api are done.
# Its browser tests copy a demo académie loaded once per instant (pgtest.URLFrom): 399 s under
# the detector on a quiet machine (2026-12-06), against 1,167 s when every test loaded its own.
# The date-sensitive suites then run without the detector at every instant of TEST_CLOCKS.
test: deps-test $(ASSETS)
	go vet ./...
	@status=0; { \
	  go test -race -count=1 -timeout 30m ./cmd/accueil & long=$$!; \
	  go test -race -count=1 -timeout 30m $$(go list ./... | grep -v '/cmd/accueil$$') || status=$$?; \
	  wait $$long || status=$$?; \
	  [ $$status -eq 0 ] && ( $(run_clock_suites) ); } || status=$$?; \
	  go run ./cmd/accueil db stop --cluster postgres-test || true; \
	  exit $$status

# Only the date-sensitive suites under every clock of TEST_CLOCKS (make test runs them too).
.PHONY: test-clocks
test-clocks: deps-test $(ASSETS)
	@status=0; ( $(run_clock_suites) ) || status=$$?; \
	  go run ./cmd/accueil db stop --cluster postgres-test || true; \
	  exit $$status

db-stop:
	go run ./cmd/accueil db stop

clean:
	rm -rf bin $(VENDOR) $(ASSETS)

# Load run of the booking endpoint next to pgbench's TPC-B (figures in the README).
.PHONY: bench-booking
bench-booking: deps $(ASSETS)
	go run ./cmd/bench-booking -c 64 -d 20s

# Load run of the outbox's delivery to a local SMTP server started by the run (figures in the
# README): a backlog, a rush as the booking load run makes, and the rush with the server killed.
.PHONY: bench-mail
bench-mail: deps
	go run ./cmd/bench-mail

# The 8 o'clock rush and its faults (figures in the README): two processes behind HAProxy over a
# cluster of the run's own, loopback only, about eight minutes. BENCH_RUSH_FLAGS passes flags
# (e.g. -d 5s -phases overload; `go run ./cmd/bench-rush -h` lists them).
.PHONY: bench-rush
bench-rush: deps $(BIN)
	$(call need,haproxy,command -v haproxy)
	$(call need,wrk,command -v wrk)
	go run ./cmd/bench-rush -bin $(BIN) $(BENCH_RUSH_FLAGS)
