#!/usr/bin/env bash
# Two `accueil serve` processes behind HAProxy on one machine (`make run-multi`), sharing the
# private PostgreSQL cluster under DATA_DIR (or DATABASE_URL). Ctrl-C stops the three; the
# cluster stays up (`make db-stop`). README, "Plusieurs processus / several processes".
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-bin/accueil}
LISTEN=${LISTEN:-127.0.0.1:8080}  # where HAProxy listens
SERVE1=${SERVE1:-127.0.0.1:8081}
SERVE2=${SERVE2:-127.0.0.1:8082}

# One database for both: started once here, so that neither process owns (and stops) it.
if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$("$BIN" db start)
fi
export DATABASE_URL
# HAProxy connects from 127.0.0.1 and names the client in X-Forwarded-For: the processes
# believe it only from there.
export TRUSTED_PROXIES=${TRUSTED_PROXIES:-127.0.0.1}
export PUBLIC_URL=${PUBLIC_URL:-http://localhost:${LISTEN##*:}}
export DEV_MODE=${DEV_MODE:-true}
# The bookings worked on at once are bounded per process, but they all wait on one database:
# each of the two takes half a batch of what one process alone takes (32) and 8 waiting, so
# that the admitted bookings wait no longer than with one (README, BOOKING_BATCH_MAX). With 16
# waiting each, the admitted bookings of bench-rush's overload had a p99 of 240-400 ms; with 8,
# 140-180 ms, and the rate held (the 64-client baseline was never refused).
export BOOKING_BATCH_MAX=${BOOKING_BATCH_MAX:-32}
export BOOKING_QUEUE_MAX=${BOOKING_QUEUE_MAX:-8}

pids=()
stop() {
  trap - EXIT INT TERM
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true
  wait || true
}
trap stop EXIT INT TERM

# wait_listening ADDR: until something accepts connections there (the first process loads the
# demo before it listens).
wait_listening() {
  for _ in $(seq 600); do
    if (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "nothing listens on $1" >&2
  return 1
}

# The first process loads the demo into an empty database and creates the health-notes key
# file; the second starts once it is done, and finds both.
LISTEN_ADDR=$SERVE1 "$BIN" serve --demo & pids+=($!)
wait_listening "$SERVE1"
LISTEN_ADDR=$SERVE2 "$BIN" serve & pids+=($!)
wait_listening "$SERVE2"
# HAProxy checks the session cookies' MAC with the processes' key (deploy/haproxy.cfg).
ACCUEIL_SESSION_KEY=${SESSION_KEY:-$("$BIN" keys session)} ACCUEIL_LISTEN=$LISTEN ACCUEIL_SERVE1=$SERVE1 ACCUEIL_SERVE2=$SERVE2 ACCUEIL_503=$PWD/deploy/haproxy-503.http \
  haproxy -db -f deploy/haproxy.cfg & pids+=($!)
echo "Accueil prioritaire, two processes behind HAProxy: $PUBLIC_URL"
# Whichever ends first ends the others.
wait -n
