#!/usr/bin/env bash
# What the startup CPU guard costs: process start of an x86-64-v3 hello world with the guard
# against the same program built with `#[profile_info::main(guard = false)]`, measured with
# hyperfine (no shell, many runs). Not a test: the figure goes in README's "CPU guard" section.
#
#   bash scripts/bench/guard.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
runs=${1:-3000}
triple=x86_64-unknown-linux-gnu
work=$root/target/bench/guard
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }

app() { # name, attribute arguments
  mkdir -p "$work/$1/src"
  cat >"$work/$1/Cargo.toml" <<TOML
[package]
name = "$1"
version = "0.1.0"
edition = "2021"

[dependencies]
profile-info = { path = "$root/profile-info" }

[workspace]
TOML
  printf '#[profile_info::main%s]\nfn main() {\n    println!("hello");\n}\n' "$2" >"$work/$1/src/main.rs"
  cp -n "$root/Cargo.lock" "$work/$1/Cargo.lock" 2>/dev/null || true
  # --target keeps target-cpu away from build scripts and proc macros.
  (cd "$work/$1" && RUSTFLAGS="-C target-cpu=x86-64-v3" CARGO_TARGET_DIR="$work/target" \
    cargo build -q --release --target "$triple")
}

app hello-guard ""
app hello-noguard "(guard = false)"
bin=$work/target/$triple/release
nm "$bin/hello-guard" | grep -q profile_info_guard_ || { echo "no guard in hello-guard" >&2; exit 1; }
! nm "$bin/hello-noguard" | grep -q profile_info_guard_ || { echo "guard in hello-noguard" >&2; exit 1; }
nm -S "$bin/hello-guard" | while read -r _ size _ name; do
  case $name in profile_info_guard_*) echo "$name: $((16#$size)) bytes" ;; esac
done

json=$work/hyperfine.json
# Interleaved rounds, so that drift (other load, CPU frequency) does not favour one side; medians
# and minimums, since a shared machine adds long outliers to the means.
hyperfine -N --warmup 200 --runs "$runs" --export-json "$json" \
  "$bin/hello-guard" "$bin/hello-noguard" "$bin/hello-guard" "$bin/hello-noguard" \
  "$bin/hello-guard" "$bin/hello-noguard" >&2
stat() { grep -o "\"$1\": [0-9.e+-]*" "$json" | awk '{print $2}' | paste -sd' '; }
awk -v med="$(stat median)" -v min="$(stat min)" 'BEGIN {
  n = split(med, m, " "); split(min, lo, " ")
  for (i = 1; i <= n; i += 2) { gm += m[i]; nm += m[i + 1]; gl += lo[i]; nl += lo[i + 1] }
  printf "median: with guard %.1f us, without %.1f us, ratio %.4f (%+.2f%%)\n", gm / (n / 2) * 1e6, nm / (n / 2) * 1e6, gm / nm, (gm / nm - 1) * 100
  printf "min:    with guard %.1f us, without %.1f us, ratio %.4f (%+.2f%%)\n", gl / (n / 2) * 1e6, nl / (n / 2) * 1e6, gl / nl, (gl / nl - 1) * 100
}'
