#!/usr/bin/env bash
# What the startup CPU guard costs: process start of an x86-64-v3 hello world with the guard
# against the same program built with `#[profile_info::main(guard = false)]`, measured with
# hyperfine (no shell, many runs). Twice: dynamically linked and statically linked with glibc (in
# both the guard reads the CPUID values glibc already has: from libc.so, or from libc.a when glibc
# is 2.33 or later). Not a test: the figures go in README's "CPU guard" section.
#
#   bash scripts/bench/guard.sh [--quick] [RUNS]
#
# The last line, `ratio=NUMBER` (dynamic build, medians), is what scripts/bench.sh reads.
source "$(dirname "$0")/common.sh"
warmup=200
if [ "${1:-}" = --quick ]; then
  shift
  runs=${1:-30}
  warmup=5
else
  runs=${1:-3000}
fi
triple=x86_64-unknown-linux-gnu
work=$root/target/bench/guard
need hyperfine

app() { # package name, attribute arguments, extra RUSTFLAGS, target dir suffix
  hello_package "$work/$1" "$1" "#[profile_info::main$2]" "profile-info = { path = \"$root/profile-info\" }"
  # --target keeps target-cpu away from build scripts and proc macros; one target dir per
  # RUSTFLAGS, so that the two kinds of build do not rebuild each other's dependencies.
  (cd "$work/$1" && RUSTFLAGS="-C target-cpu=x86-64-v3 $3" CARGO_TARGET_DIR="$work/target$4" \
    cargo build -q --release --target "$triple")
  echo "$work/target$4/$triple/release/$1"
}

# Interleaved rounds, so that drift (other load, CPU frequency) does not favour one side; medians
# and minimums, since a shared machine adds long outliers to the means.
compare() { # label, guarded binary, unguarded binary
  nm "$2" | grep profile_info_guard_ >/dev/null || { echo "no guard in $2" >&2; exit 1; }
  ! nm "$3" | grep profile_info_guard_ >/dev/null || { echo "guard in $3" >&2; exit 1; }
  local json=$work/hyperfine-$1.json
  hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$json" "$2" "$3" "$2" "$3" "$2" "$3" >&2
  stat() { grep -o "\"$1\": [0-9.e+-]*" "$json" | awk '{print $2}' | paste -sd' '; }
  awk -v label="$1" -v med="$(stat median)" -v min="$(stat min)" 'BEGIN {
    n = split(med, m, " "); split(min, lo, " ")
    for (i = 1; i <= n; i += 2) { gm += m[i]; nm += m[i + 1]; gl += lo[i]; nl += lo[i + 1] }
    k = n / 2
    printf "%s median: with guard %.1f us, without %.1f us, ratio %.4f (%+.2f%%)\n", label, gm / k * 1e6, nm / k * 1e6, gm / nm, (gm / nm - 1) * 100
    printf "%s min:    with guard %.1f us, without %.1f us, ratio %.4f (%+.2f%%)\n", label, gl / k * 1e6, nl / k * 1e6, gl / nl, (gl / nl - 1) * 100
    if (label == "dynamic") ratio = sprintf("%.4f", gm / nm)
  }
  END { if (ratio != "") print "ratio=" ratio }'
}

guard=$(app hello-guard "" "" "")
noguard=$(app hello-noguard "(guard = false)" "" "")
static_guard=$(app hello-guard "" "-C target-feature=+crt-static" "-static")
static_noguard=$(app hello-noguard "(guard = false)" "-C target-feature=+crt-static" "-static")
nm -S "$guard" | while read -r _ size _ name; do
  case $name in profile_info_guard_*) echo "$name: $((16#$size)) bytes" ;; esac
done
compare static "$static_guard" "$static_noguard"
compare dynamic "$guard" "$noguard"
