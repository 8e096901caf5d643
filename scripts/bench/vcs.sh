#!/usr/bin/env bash
# What the dirty check costs in a large repository: a generated git repository of 60,000 tracked
# files (300 directories of 200) holding two hello-world packages, one plain and one with
# `#[profile_info::main]`. Measured with hyperfine: git's own command at each scope, then an
# edit-compile cycle (`touch src/main.rs`, `cargo build`, dev profile) of the plain package beside
# the profile-info one under each `PROFILE_INFO_DIRTY_CHECK` setting. Not a test: the figures go
# in README's vcs paragraph.
#
#   bash scripts/bench/vcs.sh [--quick] [FILES]
source "$(dirname "$0")/common.sh"
runs=30
if [ "${1:-}" = --quick ]; then
  shift
  runs=5
fi
files=${1:-60000}
work=$root/target/bench/vcs
repo=$work/repo-$files
need hyperfine


if [ ! -d "$repo/.git" ]; then
  rm -rf "$repo"
  mkdir -p "$repo"
  per_dir=200
  for ((d = 0; d < files / per_dir; d++)); do
    mkdir -p "$repo/d$d"
    for ((f = 0; f < per_dir; f++)); do echo "$d $f" >"$repo/d$d/f$f.txt"; done
  done
  hello_package "$repo/plain" plain "" ""
  hello_package "$repo/app" app "#[profile_info::main]" "profile-info = { path = \"$root/profile-info\" }"
  export CARGO_TARGET_DIR=$work/target
  (cd "$repo/plain" && cargo build -q) && (cd "$repo/app" && cargo build -q)
  git -C "$repo" init -q -b main
  git -C "$repo" add -A
  git -C "$repo" -c user.name=bench -c user.email=bench@example.invalid commit -q -m files
fi
export CARGO_TARGET_DIR=$work/target

# Medians and minimums (a shared machine adds long outliers to the means), one line per command.
summary() { # hyperfine JSON
  paste <(grep -o '"command": "[^"]*"' "$1" | cut -d'"' -f4) \
    <(grep -o '"median": [0-9.e+-]*' "$1" | awk '{printf "%.1f\n", $2 * 1000}') \
    <(grep -o '"min": [0-9.e+-]*' "$1" | awk '{printf "%.1f\n", $2 * 1000}') |
    awk -F'\t' '{printf "%-50s median %7s ms   min %7s ms\n", $1, $2, $3}'
}

status="git --no-optional-locks status --porcelain --untracked-files=no"
(cd "$repo" && hyperfine -N --warmup 3 --runs "$((runs * 2))" --export-json "$work/git.json" \
  -n "git status (repository scope)" "$status" \
  -n "git status -- app (package scope)" "$status -- app" >&2)

# Every build recompiles the binary crate (main.rs touched); the variable is tracked, so changing
# it between commands costs nothing more.
touch_main() { echo "touch $repo/$1/src/main.rs"; }
cargo_build() { echo "env PROFILE_INFO_DIRTY_CHECK=$2 cargo build -q --manifest-path $repo/$1/Cargo.toml"; }
hyperfine --warmup 2 --runs "$runs" --export-json "$work/build.json" \
  -n "plain hello world" --prepare "$(touch_main plain)" "$(cargo_build plain repository)" \
  -n "profile-info, dirty check: repository (default)" --prepare "$(touch_main app)" "$(cargo_build app repository)" \
  -n "profile-info, dirty check: package" --prepare "$(touch_main app)" "$(cargo_build app package)" \
  -n "profile-info, dirty check: off" --prepare "$(touch_main app)" "$(cargo_build app off)" >&2
echo "in a repository of $(git -C "$repo" ls-files | wc -l) tracked files:"
summary "$work/git.json"
summary "$work/build.json"
