#!/usr/bin/env bash
# /buildinfo throughput beside a plain axum handler returning a static string of the same size
# (and beside the same static string sent with /buildinfo's headers, to tell the cost of the headers
# from the rest): same server process, same wrk settings, loopback only, bounded duration. Prints
# the rates and the ratios. The two routes alternate for ROUNDS rounds so that load from elsewhere on the machine
# hits both alike; the ratio is of the summed rates. Not a test: numbers move with the machine.
#
#   bash scripts/bench/http.sh           # ROUNDS=3 DURATION=5s CONNECTIONS=16 THREADS=1 PORT=3917
#   bash scripts/bench/http.sh --quick   # one round of 2 s (what scripts/bench.sh --quick runs)
#
# The last line is `ratio=NUMBER` (/buildinfo over /static), which scripts/bench.sh checks.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-5s} CONNECTIONS=${CONNECTIONS:-16} THREADS=${THREADS:-1} PORT=${PORT:-3917}
case "${1:-}" in
  --quick) ROUNDS=1 DURATION=2s ;;
  "") ;;
  *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
esac

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
  else
    echo "wrk missing: apt-get install wrk" >&2; exit 1
  fi
fi

cargo build --release --locked -p profile-info-examples --example bench_server >&2
PORT=$PORT target/release/examples/bench_server >/dev/null &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$PORT/static" >/dev/null 2>&1 && break; sleep 0.1; done

size_a=$(curl -fs "http://127.0.0.1:$PORT/buildinfo" | wc -c)
size_b=$(curl -fs "http://127.0.0.1:$PORT/static" | wc -c)
echo "body sizes: /buildinfo $size_a B, /static $size_b B"

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
