#!/usr/bin/env bash
# What the macro adds to an edit-compile cycle in a small repository: three hello worlds, each in
# its own git repository with one commit: plain, profile-info as a dependency but no attribute,
# and `#[profile_info::main]`. Measured with hyperfine (no shell): `touch src/main.rs`, then
# `cargo build -q`, dev profile, in one target dir built before anything is timed. The variants
# take turns in rounds, and each counts its best round's median: load on a shared machine only
# ever adds time, and then to one round, not to one variant. The large repository's cycle is
# scripts/bench/vcs.sh's.
#
#   bash scripts/bench/edit.sh [--quick] [RUNS]
#
# The last line, `over_plain_ms=NUMBER` (the attribute over plain, medians), is what
# scripts/bench.sh reads.
source "$(dirname "$0")/common.sh"
rounds=5
warmup=3
if [ "${1:-}" = --quick ]; then
  shift
  rounds=3
  warmup=2
  runs=${1:-5}
else
  runs=${1:-8}
fi
work=$root/target/bench/edit
export CARGO_TARGET_DIR=$work/target
need hyperfine

app() { # package name, the line above `fn main` (empty for none), dependency line
  local dir=$work/$1
  rm -rf "$dir"
  hello_package "$dir" "$1" "$2" "$3"
  (cd "$dir" && cargo build -q)
  git -C "$dir" init -q -b main
  git -C "$dir" add -A
  git -C "$dir" -c user.name=bench -c user.email=bench@example.invalid commit -q -m hello
}

dependency="profile-info = { path = \"$root/profile-info\" }"
app plain "" ""
app dependency "" "$dependency"
app attribute "#[profile_info::main]" "$dependency"

variants=(plain dependency attribute)
commands=()
for ((r = 0; r < rounds; r++)); do
  for v in "${variants[@]}"; do
    commands+=(-n "$v" --prepare "touch $work/$v/src/main.rs" "cargo build -q --manifest-path $work/$v/Cargo.toml")
  done
done
json=$work/hyperfine.json
hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$json" "${commands[@]}" >&2

# Per variant, its best round's median (and its fastest run), in hyperfine's order: the rounds'
# commands one after another.
stat() { grep -o "\"$1\": [0-9.e+-]*" "$json" | awk '{print $2}' | paste -sd' '; }
awk -v med="$(stat median)" -v min="$(stat min)" -v rounds="$rounds" -v runs="$runs" 'BEGIN {
  split("plain hello world|profile-info as a dependency, no attribute|#[profile_info::main]", name, "|")
  n = split(med, m, " "); split(min, lo, " ")
  for (i = 1; i <= n; i++) {
    v = (i - 1) % 3 + 1; x = m[i] * 1000; y = lo[i] * 1000
    if (i <= 3 || x < bm[v]) bm[v] = x
    if (i <= 3 || y < bl[v]) bl[v] = y
  }
  printf "small repository, touch src/main.rs + cargo build (dev), %d rounds of %d runs:\n", rounds, runs
  printf "%-42s %9s %9s %9s\n", "variant", "median ms", "min ms", "+plain ms"
  for (v = 1; v <= 3; v++) printf "%-42s %9.1f %9.1f %+9.1f\n", name[v], bm[v], bl[v], bm[v] - bm[1]
  printf "over_plain_ms=%.1f\n", bm[3] - bm[1]
}'
