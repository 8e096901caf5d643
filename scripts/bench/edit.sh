#!/usr/bin/env bash
# What the macro adds to an edit-compile cycle in a small repository: hello worlds, each in its own
# git repository with one commit: plain, profile-info as a dependency but no attribute, and
# `#[profile_info::main]` twice: with profile-info by path (this workspace), and as a dependent
# gets it from crates.io — the four crates as `cargo package` makes them, served with their
# dependencies from a vendored directory source, which cargo treats as a registry (no path
# manifests to load, no freshness check of sources). Measured with hyperfine (no shell): `touch
# src/main.rs`, then `cargo build -q`, dev profile, in one target dir built before anything is
# timed. The variants take turns in many short rounds (two runs each), and a variant's cost over
# plain is the median over rounds of its round's time less plain's in the same round: drift and
# load on a shared machine hit both sides of a difference alike. The large repository's cycle is
# scripts/bench/vcs.sh's.
#
#   bash scripts/bench/edit.sh [--quick] [ROUNDS]
#
# The last line, `over_plain_ms=NUMBER` (the last variant over plain: the attribute as from
# crates.io, or by path in quick mode), is what scripts/bench.sh reads.
source "$(dirname "$0")/common.sh"
runs=2
warmup=1
# Quick mode (the test suite's) leaves out the packaged variant: packaging, vendoring and building
# its dependencies again take longer than all the rest.
if [ "${1:-}" = --quick ]; then
  shift
  rounds=${1:-6}
  quick=1
else
  rounds=${1:-20}
  quick=0
fi
work=$root/target/bench/edit
export CARGO_TARGET_DIR=$work/target
need hyperfine

app() { # package name, the line above `fn main` (empty for none), dependency line, cargo options
  local dir=$work/$1
  rm -rf "$dir"
  hello_package "$dir" "$1" "$2" "$3"
  (cd "$dir" && cargo build -q "${@:4}")
  git -C "$dir" init -q -b main
  git -C "$dir" add -A
  git -C "$dir" -c user.name=bench -c user.email=bench@example.invalid commit -q -m hello
}

# The published crates as a registry would serve them: packaged, unpacked into a vendor directory
# beside their dependencies (vendored at the workspace's locked versions) with the checksum file a
# directory source needs.
vendor=$work/vendor
# Its own target dir: cargo takes a registry package of an unchanged name and version as built, so
# the packaged crates are cleaned from it before each run.
registry=(--config 'source.crates-io.replace-with="vendored"' --config "source.vendored.directory=\"$vendor\""
  --target-dir "$work/target-registry")
packaged() {
  local crates=$work/package unpacked=$work/unpacked vendoring=$work/vendoring
  rm -rf "$crates" "$unpacked" "$vendoring" "$vendor"
  cargo package -q --no-verify --allow-dirty --target-dir "$crates" \
    -p profile-info -p profile-info-core -p profile-info-macros -p profile-info-start
  mkdir -p "$unpacked"
  local patches="" crate name
  for crate in "$crates"/package/*.crate; do
    tar -xzf "$crate" -C "$unpacked"
    name=$(basename "$crate" .crate)
    patches+="${name%-*} = { path = \"$unpacked/$name\" }"$'\n'
  done
  hello_package "$vendoring" vendoring "" "profile-info = \"0.1\""
  printf '\n[patch.crates-io]\n%s' "$patches" >>"$vendoring/Cargo.toml"
  (cd "$vendoring" && cargo vendor -q "$vendor" >/dev/null)
  for crate in "$crates"/package/*.crate; do
    name=$(basename "$crate" .crate)
    cp -r "$unpacked/$name" "$vendor/$name"
    printf '{"files":{},"package":"%s"}' "$(sha256sum "$crate" | cut -d' ' -f1)" >"$vendor/$name/.cargo-checksum.json"
  done
}

dependency="profile-info = { path = \"$root/profile-info\" }"
[ "$quick" = 0 ] && packaged
sources=()
[ "$quick" = 0 ] && sources=("${registry[@]:0:4}")
app plain "" "" "${sources[@]}"
app dependency "" "$dependency" "${sources[@]}"
app attribute "#[profile_info::main]" "$dependency" "${sources[@]}"
variants=(plain dependency attribute)
names="plain hello world|profile-info as a dependency, no attribute|#[profile_info::main], by path"
if [ "$quick" = 0 ]; then
  hello_package "$work/registry" registry "" 'profile-info = "0.1"'
  (cd "$work/registry" && cargo clean -q "${registry[@]}" \
    -p profile-info -p profile-info-core -p profile-info-macros -p profile-info-start)
  app registry "#[profile_info::main]" 'profile-info = "0.1"' "${registry[@]}"
  variants+=(registry)
  names+="|#[profile_info::main], as from crates.io"
fi
commands=()
for ((r = 0; r < rounds; r++)); do
  for v in "${variants[@]}"; do
    build="cargo build -q --manifest-path $work/$v/Cargo.toml"
    # Every variant gets the source replacement, so that none pays alone for reading more
    # configuration (the others take nothing from crates.io, or take it from the vendor directory
    # too). hyperfine splits its command as a shell would: the TOML values keep their quotes in
    # single ones.
    [ "$quick" = 0 ] && build+=" --config '${registry[1]}' --config '${registry[3]}'"
    [ "$v" = registry ] && build+=" --target-dir ${registry[5]}"
    commands+=(-n "$v" --prepare "touch $work/$v/src/main.rs" "$build")
  done
done
json=$work/hyperfine.json
hyperfine -N --warmup "$warmup" --runs "$runs" --export-json "$json" "${commands[@]}" >&2

# The figures, from the benchmark tool (bench/src/rounds.rs), built into its own target dir as
# scripts/bench.sh builds it.
CARGO_TARGET_DIR=$root/target/bench/tool cargo run --quiet --locked -p profile-info-bench -- \
  rounds "$json" --names "$names" --runs "$runs"
