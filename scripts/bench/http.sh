#!/usr/bin/env bash
# /buildinfo throughput beside a plain axum handler returning a static string of the same size
# (and beside the same static string sent with /buildinfo's headers, to tell the cost of the headers
# from the rest): same server process, same wrk settings, loopback only, bounded duration. Prints
# the rates and the ratios. The two routes alternate for ROUNDS rounds so that load from elsewhere on the machine
# hits both alike; the ratio is of the summed rates. Not a test: numbers move with the machine.
#
#   bash scripts/bench/http.sh           # ROUNDS=3 DURATION=5s CONNECTIONS=16 THREADS=1 PORT=first free from 3917
#   bash scripts/bench/http.sh --quick   # one round of 2 s (what scripts/bench.sh --quick runs)
#   bash scripts/bench/http.sh --soak    # SOAK_ROUTES="/static /buildinfo", each on a fresh server
#                                        # under wrk for SOAK_ROUNDS=6 rounds of SOAK_DURATION=30s
#
# The last line of a rate run is `ratio=NUMBER` (/buildinfo over /static), which scripts/bench.sh checks.
# A soak prints, after each round: requests, errors (socket errors and non-2xx answers), the
# server's RSS and heap allocations per request (the bench server counts every allocation; the
# figure is the whole stack's: hyper, axum and the handler); its last line is `soak_errors=N`, and
# it exits 1 when N is not 0.
source "$(dirname "$0")/common.sh"
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-5s} CONNECTIONS=${CONNECTIONS:-16} THREADS=${THREADS:-1}
# Without PORT, the first port from 3917 on that nothing listens on: another run (or anything
# else) on 3917 must not make this one fail or, worse, measure someone else's server.
if [ -z "${PORT:-}" ]; then
  for PORT in $(seq 3917 4016) none; do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break; done
  [ "$PORT" = none ] && { echo "no free port in 3917-4016" >&2; exit 1; }
fi
SOAK_ROUNDS=${SOAK_ROUNDS:-6} SOAK_DURATION=${SOAK_DURATION:-30s} SOAK_ROUTES=${SOAK_ROUTES:-/static /buildinfo}
MODE=rate
case "${1:-}" in
  --quick) ROUNDS=1 DURATION=2s ;;
  --soak) MODE=soak ;;
  "") ;;
  *) echo "usage: $0 [--quick | --soak]" >&2; exit 2 ;;
esac

need wrk

cargo build --release --locked -p profile-info-examples --example bench_server >&2
server=""
LOG=target/bench-server.log
start_server() {
  PORT=$PORT target/release/examples/bench_server >"$LOG" &
  server=$!
  for _ in $(seq 300); do curl -fs "http://127.0.0.1:$PORT/static" >/dev/null 2>&1 && return; sleep 0.1; done
  echo "bench_server did not answer on port $PORT" >&2; exit 1
}
stop_server() { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; server=""; }
trap '[ -z "$server" ] || stop_server' EXIT

if [ "$MODE" = soak ]; then
  url() { echo "http://127.0.0.1:$PORT$1"; }
  rss() { awk '/^VmRSS:/ {print $2}' "/proc/$server/status"; }
  errors_total=0
  echo "wrk -t$THREADS -c$CONNECTIONS, $SOAK_ROUNDS rounds of $SOAK_DURATION per route, each route on a fresh server; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  for route in $SOAK_ROUTES; do
    start_server
    grep '^allocations' "$LOG"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d5s "$(url "$route")" >/dev/null # warm-up
    echo "$route: after a 5 s warm-up, RSS $(rss) KB"
    for round in $(seq "$SOAK_ROUNDS"); do
      before=$(curl -fs "$(url /allocs)")
      out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$SOAK_DURATION" "$(url "$route")")
      after=$(curl -fs "$(url /allocs)")
      # First line: the error count; second: the report.
      summary=$(echo "$out" | awk -v route="$route" -v round="$round" -v rss="$(rss)" -v allocs="$((after - before))" '
        / requests in / { n = $1 }
        /Socket errors:/ { gsub(",", ""); e += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { e += $5 }
        /^Requests\/sec:/ { rate = $2 }
        END {
          print e + 0
          printf "%s round %d: %d requests, %.0f req/s, %d errors, RSS %d KB, %.3f allocations/request\n", route, round, n, rate, e, rss, allocs / n }')
      errors=${summary%%$'\n'*}
      echo "${summary#*$'\n'}"
      errors_total=$((errors_total + errors))
    done
    stop_server
  done
  echo "soak_errors=$errors_total"
  [ "$errors_total" = 0 ]
  exit
fi

start_server
size_a=$(curl -fs "http://127.0.0.1:$PORT/buildinfo" | wc -c)
size_b=$(curl -fs "http://127.0.0.1:$PORT/static" | wc -c)
echo "body sizes: /buildinfo $size_a B, /static $size_b B; load average $(cut -d' ' -f1-3 /proc/loadavg)"

rate() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$PORT$1" | awk '/^Requests\/sec:/ {print $2}'
}
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$PORT/buildinfo" >/dev/null # warm-up
sum_a=0 sum_b=0 sum_c=0
for round in $(seq "$ROUNDS"); do
  a=$(rate /buildinfo)
  b=$(rate /static)
  c=$(rate /static-headers)
  echo "round $round: /buildinfo $a req/s, /static $b req/s, /static-headers $c req/s"
  sum_a=$(awk -v s="$sum_a" -v x="$a" 'BEGIN { print s + x }')
  sum_b=$(awk -v s="$sum_b" -v x="$b" 'BEGIN { print s + x }')
  sum_c=$(awk -v s="$sum_c" -v x="$c" 'BEGIN { print s + x }')
done
awk -v a="$sum_a" -v b="$sum_b" -v c="$sum_c" -v n="$ROUNDS" 'BEGIN {
  printf "/buildinfo: %.0f req/s, /static: %.0f req/s, /static-headers: %.0f req/s (mean of %d rounds)\n", a / n, b / n, c / n, n
  printf "ratio /buildinfo / /static: %.3f\n", a / b
  printf "ratio /buildinfo / /static-headers: %.3f\n", a / c
  printf "ratio=%.3f\n", a / b }'
