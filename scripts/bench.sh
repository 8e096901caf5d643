#!/usr/bin/env bash
# What profile-info costs, beside built, vergen, shadow-rs and build-info, measured in one run on
# this machine:
#
#   bash scripts/bench.sh           # everything (minutes)
#   bash scripts/bench.sh --quick   # plain and profile-info only, few runs (what the test suite runs)
#   bash scripts/bench.sh --only vergen,built   # these build variants (and their plain baseline)
#
# 1. Build cost and size: the same hello world, each variant its own package and own target dir,
#    built with the custom profile `production` (release + lto fat, codegen-units 1, strip, panic
#    abort). Dependencies are fetched before anything is timed.
# 2. What each crate reports: every variant prints what its crate offers as key=value lines; each
#    fact is compared with the truth (the profile, `rustc -vV`, `rustc --print cfg`, `git rev-parse`).
# 3. HTTP throughput and guard cost: `scripts/bench/http.sh` and `scripts/bench/guard.sh`, run with
#    `--quick` in quick mode. Each prints what it likes plus one `ratio=NUMBER` line (service over
#    static handler's requests/s; start time with guard over without); that line is checked against
#    the goal, the rest is copied into the report. A script that exits non-zero is reported and
#    makes this one exit 1 once the report is written.
#
# Output: a table on stdout and target/bench/report.md (date, machine, toolchain, goals met/missed).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
QUICK=0
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) ONLY=${2:?--only needs a comma-separated list of variants}; shift ;;
    -h | --help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--quick] [--only VARIANT,...]" >&2; exit 2 ;;
  esac
  shift
done

BENCH=$ROOT/target/bench
SRC=$BENCH/src          # one git repository holding every variant package (one commit)
TARGETS=$BENCH/targets  # one target dir per variant
LOGS=$BENCH/logs
OUT=$BENCH/out          # what each variant printed
RESULTS=$BENCH/results.tsv
REPORT=$BENCH/report.md
PROFILE=production
TRIPLE=x86_64-unknown-linux-gnu
V3_FLAGS="-C target-cpu=x86-64-v3"

# Goals (profile-info's, printed beside every row).
GOAL_SIZE=4096        # bytes over plain
GOAL_BUILD=5          # clean build seconds over plain
GOAL_NOOP_UNITS=0     # units a no-op rebuild reruns
GOAL_HTTP=0.95        # requests/s over the static handler's, at least
GOAL_GUARD=1.01       # start time with guard over without, at most

if [ "$QUICK" = 1 ]; then
  VARIANTS=(plain profile-info)
else
  VARIANTS=(plain built vergen shadow-rs build-info profile-info profile-info-bare plain-v3 profile-info-v3)
fi
if [ -n "$ONLY" ]; then
  IFS=, read -r -a wanted <<<"$ONLY"
  for w in "${wanted[@]}"; do
    case " ${VARIANTS[*]} " in *" $w "*) ;; *) echo "--only: $w is not one of: ${VARIANTS[*]}" >&2; exit 2 ;; esac
  done
  kept=()
  for v in "${VARIANTS[@]}"; do
    for w in "${wanted[@]}"; do
      case "$w" in *-v3) base=plain-v3 ;; *) base=plain ;; esac
      if [ "$v" = "$w" ] || [ "$v" = "$base" ]; then kept+=("$v"); break; fi
    done
  done
  VARIANTS=("${kept[@]}")
fi

log() { printf '[bench] %s\n' "$*" >&2; }

# Nothing from an outer cargo (the test suite runs this script) or the shell changes the builds.
clean_env() {
  local var
  for var in $(compgen -e); do
    case "$var" in
      CARGO_HOME | RUSTUP_HOME | RUSTUP_TOOLCHAIN) ;;
      CARGO | CARGO_* | RUSTC | RUSTC_* | RUSTFLAGS | RUSTDOCFLAGS) unset "$var" ;;
    esac
  done
}

# hyperfine and wrk for the guard and HTTP sections, only when those scripts exist.
install_tools() {
  local need=()
  if [ -f "$ROOT/scripts/bench/guard.sh" ] && ! command -v hyperfine >/dev/null; then need+=(hyperfine); fi
  if [ -f "$ROOT/scripts/bench/http.sh" ] && ! command -v wrk >/dev/null; then need+=(wrk); fi
  command -v git >/dev/null || need+=(git)
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "installing ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    log "missing ${need[*]}: install them (apt-get install ${need[*]}); the sections needing them are skipped"
  fi
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

# ---------------------------------------------------------------------------------------------
# The variants: manifest dependencies, build.rs (empty: none) and main.rs of each.

PROFILE_TOML='
[profile.production]
inherits = "release"
lto = "fat"
codegen-units = 1
strip = true
panic = "abort"
'

variant_deps() {
  case "$1" in
    plain | plain-v3) echo "" ;;
    built) printf '[build-dependencies]\nbuilt = "0.8"\n' ;;
    vergen) printf '[build-dependencies]\nvergen = { version = "9", features = ["build", "cargo", "rustc"] }\n' ;;
    shadow-rs) printf '[dependencies]\nshadow-rs = "2"\n\n[build-dependencies]\nshadow-rs = "2"\n' ;;
    build-info) printf '[dependencies]\nbuild-info = "0.0.47"\n\n[build-dependencies]\nbuild-info-build = "0.0.47"\n' ;;
    profile-info*) printf '[dependencies]\nprofile-info = { path = "%s" }\n' "$ROOT/profile-info" ;;
  esac
}

variant_build_rs() {
  case "$1" in
    built) cat <<'EOF'
fn main() {
    built::write_built_file().expect("built writes built.rs");
}
EOF
      ;;
    vergen) cat <<'EOF'
use vergen::{BuildBuilder, CargoBuilder, Emitter, RustcBuilder};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    Emitter::default()
        .add_instructions(&BuildBuilder::all_build()?)?
        .add_instructions(&CargoBuilder::all_cargo()?)?
        .add_instructions(&RustcBuilder::all_rustc()?)?
        .emit()?;
    Ok(())
}
EOF
      ;;
    shadow-rs) cat <<'EOF'
fn main() {
    shadow_rs::ShadowBuilder::builder().build().expect("shadow-rs writes shadow.rs");
}
EOF
      ;;
    build-info) cat <<'EOF'
fn main() {
    build_info_build::build_script();
}
EOF
      ;;
  esac
}

variant_main_rs() {
  case "$1" in
    plain | plain-v3) cat <<'EOF'
fn main() {
    println!("hello");
}
EOF
      ;;
    profile-info-bare) cat <<'EOF'
#[profile_info::main]
fn main() {
    println!("hello");
}
EOF
      ;;
    built) cat <<'EOF'
mod built_info {
    include!(concat!(env!("OUT_DIR"), "/built.rs"));
}

macro_rules! kv {
    ($($name:ident),*) => { $(println!("{}={}", stringify!($name), built_info::$name);)* };
}

fn main() {
    println!("hello");
    kv!(PKG_NAME, PKG_VERSION, PKG_VERSION_MAJOR, PKG_VERSION_MINOR, PKG_VERSION_PATCH, PKG_VERSION_PRE,
        PKG_AUTHORS, PKG_DESCRIPTION, PKG_HOMEPAGE, PKG_LICENSE, PKG_REPOSITORY, TARGET, HOST, PROFILE,
        RUSTC, RUSTDOC, OPT_LEVEL, NUM_JOBS, DEBUG, FEATURES_STR, FEATURES_LOWERCASE_STR, RUSTC_VERSION,
        RUSTDOC_VERSION, CFG_TARGET_ARCH, CFG_ENDIAN, CFG_ENV, CFG_FAMILY, CFG_OS, CFG_POINTER_WIDTH);
    println!("CI_PLATFORM={}", built_info::CI_PLATFORM.unwrap_or(""));
}
EOF
      ;;
    vergen) cat <<'EOF'
macro_rules! kv {
    ($($name:literal),*) => { $(println!("{}={}", $name, option_env!($name).unwrap_or(""));)* };
}

fn main() {
    println!("hello");
    kv!("VERGEN_BUILD_DATE", "VERGEN_BUILD_TIMESTAMP", "VERGEN_CARGO_DEBUG", "VERGEN_CARGO_DEPENDENCIES",
        "VERGEN_CARGO_FEATURES", "VERGEN_CARGO_OPT_LEVEL", "VERGEN_CARGO_TARGET_TRIPLE",
        "VERGEN_RUSTC_CHANNEL", "VERGEN_RUSTC_COMMIT_DATE", "VERGEN_RUSTC_COMMIT_HASH",
        "VERGEN_RUSTC_HOST_TRIPLE", "VERGEN_RUSTC_LLVM_VERSION", "VERGEN_RUSTC_SEMVER");
}
EOF
      ;;
    shadow-rs) cat <<'EOF'
use shadow_rs::shadow;

shadow!(build);

fn main() {
    println!("hello");
    // Every constant shadow-rs generates, as `NAME:value` lines; continuation lines of multi-line
    // values (CARGO_TREE, GIT_STATUS_FILE) are left out.
    for line in build::BuildInfoDisplay::all().to_string().lines() {
        if let Some((key, value)) = line.split_once(':') {
            if !key.is_empty() && key.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_') {
                println!("{key}={value}");
            }
        }
    }
}
EOF
      ;;
    build-info) cat <<'EOF'
build_info::build_info!(fn build_info);

fn main() {
    println!("hello");
    let b = build_info();
    let c = &b.crate_info;
    let t = &b.target;
    let r = &b.compiler;
    println!("timestamp={}", b.timestamp);
    println!("profile={}", b.profile);
    println!("optimization_level={}", b.optimization_level);
    println!("crate_info.name={}", c.name);
    println!("crate_info.version={}", c.version);
    println!("crate_info.authors={}", c.authors.join(","));
    println!("crate_info.license={}", c.license.as_deref().unwrap_or(""));
    println!("crate_info.enabled_features={}", c.enabled_features.join(","));
    println!("crate_info.available_features={}", c.available_features.join(","));
    let deps: Vec<String> = c.dependencies.iter().map(|d| d.to_string()).collect();
    println!("crate_info.dependencies={}", deps.join(","));
    println!("target.triple={}", t.triple);
    println!("target.family={}", t.family);
    println!("target.os={}", t.os);
    println!("target.cpu.arch={}", t.cpu.arch);
    println!("target.cpu.pointer_width={}", t.cpu.pointer_width);
    println!("target.cpu.endianness={:?}", t.cpu.endianness);
    println!("target.cpu.features={}", t.cpu.features.join(","));
    println!("compiler.version={}", r.version);
    println!("compiler.commit_id={}", r.commit_id.as_deref().unwrap_or(""));
    println!("compiler.commit_date={}", r.commit_date.map(|d| d.to_string()).unwrap_or_default());
    println!("compiler.channel={:?}", r.channel);
    println!("compiler.host_triple={}", r.host_triple);
    if let Some(git) = b.version_control.as_ref().and_then(|v| v.git()) {
        println!("version_control.git.commit_id={}", git.commit_id);
        println!("version_control.git.commit_short_id={}", git.commit_short_id);
        println!("version_control.git.commit_timestamp={}", git.commit_timestamp);
        println!("version_control.git.dirty={}", git.dirty);
        println!("version_control.git.branch={}", git.branch.as_deref().unwrap_or(""));
        println!("version_control.git.tags={}", git.tags.join(","));
    }
}
EOF
      ;;
    profile-info | profile-info-v3) cat <<'EOF'
use std::fmt::Display;

fn kv(key: &str, value: Option<impl Display>) {
    match value {
        Some(v) => println!("{key}={v}"),
        None => println!("{key}="),
    }
}

#[profile_info::main]
fn main() {
    println!("hello");
    let i = profile_info::current().expect("set by #[profile_info::main]");
    let (p, t, r) = (&i.profile, &i.target, &i.rustc);
    kv("schema", Some(i.schema));
    kv("crate_type", i.crate_type.as_deref());
    kv("package.name", i.package.name.as_deref());
    kv("package.version", i.package.version.as_deref());
    kv("profile.name", p.name.as_deref());
    kv("profile.opt_level", p.opt_level);
    kv("profile.debuginfo", p.debuginfo);
    kv("profile.strip", p.strip);
    kv("profile.lto", p.lto);
    kv("profile.codegen_units", p.codegen_units);
    kv("profile.panic", p.panic);
    kv("profile.debug_assertions", p.debug_assertions);
    kv("profile.overflow_checks", p.overflow_checks);
    kv("profile.incremental", p.incremental);
    kv("target.triple", t.triple.as_deref());
    kv("target.cpu", t.cpu.as_deref());
    kv("target.features", t.features.as_ref().map(|f| f.join(",")));
    kv("target.level", t.level.as_deref());
    kv("rustc.version", r.version.as_deref());
    kv("rustc.channel", r.channel.as_deref());
    kv("rustc.commit_hash", r.commit_hash.as_deref());
    kv("rustc.commit_date", r.commit_date.as_deref());
    kv("rustc.llvm_version", r.llvm_version.as_deref());
    kv("rustc.host", r.host.as_deref());
    kv("vcs.revision", i.vcs.as_ref().and_then(|v| v.revision.as_deref()));
    kv("vcs.dirty", i.vcs.as_ref().and_then(|v| v.dirty));
}
EOF
      ;;
  esac
}

# Which output key holds which fact, per crate (none: the crate does not offer it). Whether the
# value is right is decided from the variant's actual output in check_fact.
fact_key() {
  local variant=$1 fact=$2
  case "$variant:$fact" in
    built:profile) echo PROFILE ;;
    built:opt-level) echo OPT_LEVEL ;;
    built:rustc) echo RUSTC_VERSION ;;
    vergen:opt-level) echo VERGEN_CARGO_OPT_LEVEL ;;
    vergen:rustc) echo VERGEN_RUSTC_SEMVER ;;
    shadow-rs:profile) echo BUILD_RUST_CHANNEL ;;
    shadow-rs:rustc) echo RUST_VERSION ;;
    shadow-rs:revision) echo COMMIT_HASH ;;
    build-info:profile) echo profile ;;
    build-info:opt-level) echo optimization_level ;;
    build-info:features) echo target.cpu.features ;;
    build-info:rustc) echo compiler.version ;;
    build-info:revision) echo version_control.git.commit_id ;;
    profile-info*:profile) echo profile.name ;;
    profile-info*:opt-level) echo profile.opt_level ;;
    profile-info*:lto) echo profile.lto ;;
    profile-info*:codegen-units) echo profile.codegen_units ;;
    profile-info*:strip) echo profile.strip ;;
    profile-info*:panic) echo profile.panic ;;
    profile-info*:target-cpu) echo target.cpu ;;
    profile-info*:features) echo target.features ;;
    profile-info*:rustc) echo rustc.version ;;
    profile-info*:revision) echo vcs.revision ;;
  esac
}

FACTS=(profile opt-level lto codegen-units strip panic target-cpu features rustc revision)

# The facts table's columns: the variants whose main prints what their crate offers.
fact_variants() {
  local v
  for v in "${VARIANTS[@]}"; do
    case "$v" in plain-v3 | *-bare) ;; *) echo "$v" ;; esac
  done
}

is_v3() { case "$1" in *-v3) return 0 ;; *) return 1 ;; esac; }

# cargo for a variant: its own target dir, the production profile, the v3 flags where they apply.
variant_cargo() {
  local variant=$1; shift
  local args=("$@" --profile "$PROFILE")
  if is_v3 "$variant"; then
    args+=(--target "$TRIPLE")
    (cd "$SRC/$variant" && RUSTFLAGS="$V3_FLAGS" CARGO_TARGET_DIR="$TARGETS/$variant" cargo "${args[@]}")
  else
    (cd "$SRC/$variant" && CARGO_TARGET_DIR="$TARGETS/$variant" cargo "${args[@]}")
  fi
}

variant_binary() {
  local variant=$1
  if is_v3 "$variant"; then
    echo "$TARGETS/$variant/$TRIPLE/$PROFILE/bench-$variant"
  else
    echo "$TARGETS/$variant/$PROFILE/bench-$variant"
  fi
}

# The resolved version of the variant's crate, from its lock file.
variant_version() {
  local crate
  case "$1" in
    plain*) echo "-"; return ;;
    profile-info*) crate=profile-info ;;
    *) crate=$1 ;;
  esac
  awk -v c="$crate" '$0 == "name = \"" c "\"" { getline; gsub(/version = |"/, ""); print; exit }' "$SRC/$1/Cargo.lock"
}

# ---------------------------------------------------------------------------------------------
# Setup: write the packages, commit them (so git-reporting crates have a revision), fetch.

write_variants() {
  rm -rf "$SRC"
  mkdir -p "$SRC" "$TARGETS" "$LOGS" "$OUT"
  local variant
  for variant in "${VARIANTS[@]}"; do
    mkdir -p "$SRC/$variant/src"
    {
      printf '[package]\nname = "bench-%s"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n' "$variant"
      variant_deps "$variant"
      printf '\n[workspace]\n%s' "$PROFILE_TOML"
    } >"$SRC/$variant/Cargo.toml"
    variant_main_rs "$variant" >"$SRC/$variant/src/main.rs"
    local build_rs
    build_rs=$(variant_build_rs "$variant")
    [ -n "$build_rs" ] && printf '%s\n' "$build_rs" >"$SRC/$variant/build.rs"
    # profile-info's own lock file pins the versions the workspace is tested with (and lets this
    # run offline once the workspace has been built).
    case "$variant" in profile-info*) cp "$ROOT/Cargo.lock" "$SRC/$variant/Cargo.lock" ;; esac
  done
}

fetch_variants() {
  local variant
  for variant in "${VARIANTS[@]}"; do
    log "fetching $variant"
    (cd "$SRC/$variant" && cargo fetch --quiet) 2>"$LOGS/$variant.fetch.log" \
      || { cat "$LOGS/$variant.fetch.log" >&2; return 1; }
  done
  printf 'target/\n' >"$SRC/.gitignore"
  git -C "$SRC" init -q -b main
  git -C "$SRC" add -A
  git -C "$SRC" -c user.name=bench -c user.email=bench@example.invalid -c commit.gpgsign=false \
    commit -q -m "benchmark variants"
}

# ---------------------------------------------------------------------------------------------
# Section 1: build cost and size.

build_variant() {
  local variant=$1 start end clean noop units fresh binary size
  log "building $variant"
  variant_cargo "$variant" clean --quiet
  start=$(now)
  variant_cargo "$variant" build --offline -v >"$LOGS/$variant.clean.log" 2>&1 \
    || { tail -n 40 "$LOGS/$variant.clean.log" >&2; return 1; }
  end=$(now)
  clean=$(elapsed "$start" "$end")
  start=$(now)
  variant_cargo "$variant" build --offline -v >"$LOGS/$variant.noop.log" 2>&1
  end=$(now)
  noop=$(elapsed "$start" "$end")
  # Every unit cargo runs (rustc or a build script) prints one `Running`; a unit it skips, `Fresh`.
  units=$(grep -cE '^ +Running ' "$LOGS/$variant.noop.log" || true)
  fresh=$(grep -cE '^ +Fresh ' "$LOGS/$variant.noop.log" || true)
  binary=$(variant_binary "$variant")
  size=$(stat -c %s "$binary")
  # A v3 binary may not run on an older host (the guard refuses it): its facts are then unknown.
  if ! "$binary" >"$OUT/$variant.txt" 2>"$LOGS/$variant.run.log"; then
    log "$variant did not run on this host (see target/bench/logs/$variant.run.log)"
    echo "__did_not_run=1" >"$OUT/$variant.txt"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$(variant_version "$variant")" "$clean" "$noop" "$units" \
    "$((units + fresh))" "$size" >>"$RESULTS"
}

build_section() {
  : >"$RESULTS"
  local variant
  # One untimed build first, so that the first timed one does not also pay for cold caches (the
  # toolchain's files read from disk).
  log "warming up"
  variant_cargo "${VARIANTS[0]}" build --offline --quiet >"$LOGS/warm-up.log" 2>&1
  for variant in "${VARIANTS[@]}"; do build_variant "$variant"; done
}

# Field N of the results row of a variant.
result() { awk -F '\t' -v v="$1" -v n="$2" '$1 == v { print $n }' "$RESULTS"; }

# The baseline a variant is compared with: plain built the same way.
baseline() { if is_v3 "$1"; then echo plain-v3; else echo plain; fi; }

mark() { if [ "$1" = 1 ]; then echo met; else echo missed; fi; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

# One line per variant: variant version clean +clean noop units total size +size and the goal marks.
build_rows() {
  local variant base dclean dsize ok_size ok_build ok_noop
  for variant in "${VARIANTS[@]}"; do
    base=$(baseline "$variant")
    dclean=$(awk -v a="$(result "$variant" 3)" -v b="$(result "$base" 3)" 'BEGIN { printf "%+.2f", a - b }')
    dsize=$(( $(result "$variant" 7) - $(result "$base" 7) ))
    ok_size=0; ok_build=0; ok_noop=0
    [ "$dsize" -le "$GOAL_SIZE" ] && ok_size=1
    le "$dclean" "$GOAL_BUILD" && ok_build=1
    [ "$(result "$variant" 5)" -le "$GOAL_NOOP_UNITS" ] && ok_noop=1
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$(result "$variant" 2)" \
      "$(result "$variant" 3)" "$dclean" "$(result "$variant" 4)" "$(result "$variant" 5)" \
      "$(result "$variant" 6)" "$(result "$variant" 7)" "$dsize" \
      "$(mark $ok_size)" "$(mark $ok_build)" "$(mark $ok_noop)"
  done
}

# ---------------------------------------------------------------------------------------------
# Section 2: what each crate reports, checked against the truth.

RUSTC_RELEASE=$(rustc -vV | awk '/^release: / { print $2 }')

truth() {
  local variant=$1 fact=$2
  case "$fact" in
    profile) echo "$PROFILE" ;;
    opt-level) echo 3 ;;
    lto) echo fat ;;
    codegen-units) echo 1 ;;
    strip) echo symbols ;;
    panic) echo abort ;;
    target-cpu) if is_v3 "$variant"; then echo x86-64-v3; else echo x86-64; fi ;;
    features)
      if is_v3 "$variant"; then
        rustc --print cfg --target "$TRIPLE" $V3_FLAGS
      else
        rustc --print cfg
      fi | sed -n 's/^target_feature="\(.*\)"$/\1/p' | sort -u | paste -sd, - ;;
    rustc) echo "$RUSTC_RELEASE" ;;
    revision) git -C "$SRC" rev-parse HEAD ;;
  esac
}

# The value of KEY in a variant's output (empty if absent).
output_value() { awk -v k="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); exit }' "$OUT/$1.txt"; }
has_key() { grep -q "^$2=" "$OUT/$1.txt"; }

sorted_list() { tr ', ' '\n\n' | sed '/^$/d' | sort -u | paste -sd, -; }

# Prints `yes`, or `no` with what the crate said instead.
check_fact() {
  local variant=$1 fact=$2 key value want
  if has_key "$variant" __did_not_run; then echo "unknown (did not run on this host)"; return; fi
  key=$(fact_key "$variant" "$fact")
  if [ -z "$key" ] || ! has_key "$variant" "$key"; then echo "no"; return; fi
  value=$(output_value "$variant" "$key")
  want=$(truth "$variant" "$fact")
  case "$fact" in
    features) value=$(printf '%s' "$value" | sorted_list) ;;
    rustc) # a version string holding the release as a word counts (`rustc 1.95.0 (…)`)
      if printf '%s' "$value" | grep -qE "(^|[^0-9.])${want//./\\.}([^0-9.]|$)"; then value=$want; fi ;;
  esac
  if [ "$value" = "$want" ]; then echo "yes"; else echo "no (says \`${value:0:24}\`)"; fi
}

# ---------------------------------------------------------------------------------------------
# Sections 3 and 4: the HTTP and guard scripts other engineers write.

EXTERNAL_NAMES=(http guard)
FAILED=()  # the scripts that failed: reported, then the run exits 1

external_section() {
  local name=$1 script=$ROOT/scripts/bench/$1.sh
  if [ ! -f "$script" ]; then
    echo "not available yet" >"$BENCH/$name.txt"
    return
  fi
  if [ -n "$ONLY" ]; then
    echo "skipped (--only)" >"$BENCH/$name.txt"
    return
  fi
  log "running scripts/bench/$name.sh"
  local args=()
  [ "$QUICK" = 1 ] && args+=(--quick)
  if ! (cd "$ROOT" && timeout 1200 bash "$script" "${args[@]}") >"$BENCH/$name.txt" 2>"$LOGS/$name.log"; then
    { echo "failed (exit status non-zero; see target/bench/logs/$name.log)"; cat "$BENCH/$name.txt"; } >"$BENCH/$name.tmp"
    mv "$BENCH/$name.tmp" "$BENCH/$name.txt"
    FAILED+=("scripts/bench/$name.sh")
  fi
}

external_ratio() { awk -F= '$1 == "ratio" { print $2; exit }' "$BENCH/$1.txt"; }

external_goal() {
  local name=$1 ratio
  ratio=$(external_ratio "$name")
  if [ -z "$ratio" ]; then echo "not measured"; return; fi
  case "$name" in
    http) if ge "$ratio" "$GOAL_HTTP"; then echo met; else echo missed; fi ;;
    guard) if le "$ratio" "$GOAL_GUARD"; then echo met; else echo missed; fi ;;
  esac
}

external_goal_text() { case "$1" in http) echo "≥ ${GOAL_HTTP}× static" ;; guard) echo "≤ ${GOAL_GUARD}× without" ;; esac; }
external_title() { case "$1" in http) echo "HTTP throughput (/buildinfo over a static handler)" ;; guard) echo "Guard cost (v3 hello start, with guard over without)" ;; esac; }

# ---------------------------------------------------------------------------------------------
# Output.

machine() {
  local model cores
  model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
  cores=$(nproc)
  echo "$cores cores, ${model:-unknown CPU}"
}

print_stdout() {
  echo
  echo "== Build cost and size (profile $PROFILE: lto fat, codegen-units 1, strip, panic abort) =="
  {
    printf 'variant\tversion\tclean s\t+clean s\tno-op s\trerun\tunits\tsize B\t+size B\tsize<=4KiB\tbuild<=+5s\trerun=0\n'
    build_rows
  } | column -t -s $'\t'
  echo
  echo "== What each crate reports (yes = its output holds the true value) =="
  {
    local fact variant columns
    mapfile -t columns < <(fact_variants)
    printf 'fact'; printf '\t%s' "${columns[@]}"; printf '\n'
    for fact in "${FACTS[@]}"; do
      printf '%s' "$fact"
      for variant in "${columns[@]}"; do printf '\t%s' "$(check_fact "$variant" "$fact" | cut -d' ' -f1)"; done
      printf '\n'
    done
  } | column -t -s $'\t'
  local name
  for name in "${EXTERNAL_NAMES[@]}"; do
    echo
    echo "== $(external_title "$name") — goal $(external_goal_text "$name"): $(external_goal "$name") =="
    cat "$BENCH/$name.txt"
  done
  echo
  echo "report: $REPORT"
}

write_report() {
  local variant fact name ratio columns
  {
    echo "# profile-info: cost beside its peers"
    echo
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bash scripts/bench.sh$([ "$QUICK" = 1 ] && echo ' --quick')\`$([ "$QUICK" = 1 ] && echo ' (quick mode: plain and profile-info only)')."
    echo
    echo "- machine: $(machine)"
    echo "- toolchain: $(rustc -V), $(cargo -V)"
    echo "- profile \`$PROFILE\`: release + \`lto = \"fat\"\`, \`codegen-units = 1\`, \`strip = true\`, \`panic = \"abort\"\`;" \
      "\`-v3\` rows add \`RUSTFLAGS=\"$V3_FLAGS\"\` and \`--target $TRIPLE\` and are compared with \`plain-v3\`"
    echo
    echo "## Build cost and size"
    echo
    echo "Clean build: \`cargo clean\`, then \`cargo build\` timed (dependencies fetched before). No-op rebuild: \`cargo build\` again, nothing changed; \"rerun\" counts the units (rustc or build-script runs) it ran again, of all units. Size: the stripped binary."
    echo
    echo "| variant | version | clean build s | over plain s | no-op rebuild s | units rerun | size B | over plain B | size ≤ 4 KiB over plain | clean build ≤ +5 s | 0 units rerun |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---|---|---|"
    build_rows | awk -F '\t' '{ printf "| %s | %s | %s | %s | %s | %s of %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 }'
    echo
    echo "Configurations: built 0.8 (default features: no git), vergen 9 (\`build\`, \`cargo\`, \`rustc\` instructions), shadow-rs (default features), build-info + build-info-build (default features), profile-info (\`#[profile_info::main]\`). Every main prints \`hello\` and everything its crate offers as \`key=value\` lines, so sizes include that printing code; \`profile-info-bare\` is the attribute alone on a hello world (what adding profile-info costs before any use of it)."
    echo
    echo "## What each crate reports"
    echo
    echo "Each variant prints everything its crate offers as \`key=value\` (\`target/bench/out/\`); a fact is \"yes\" when the key holding it has the true value: profile \`$PROFILE\`, opt-level 3, lto fat, codegen-units 1, strip symbols, panic abort, the target CPU, the target features \`rustc --print cfg\` lists for the same flags, rustc $RUSTC_RELEASE, the package's full git revision."
    echo
    mapfile -t columns < <(fact_variants)
    printf '| fact |'; printf ' %s |' "${columns[@]}"; printf '\n'
    printf '|---|'; printf -- '---|%.0s' "${columns[@]}"; printf '\n'
    for fact in "${FACTS[@]}"; do
      printf '| %s |' "$fact"
      for variant in "${columns[@]}"; do printf ' %s |' "$(check_fact "$variant" "$fact")"; done
      printf '\n'
    done
    for name in "${EXTERNAL_NAMES[@]}"; do
      echo
      echo "## $(external_title "$name")"
      echo
      echo "Goal $(external_goal_text "$name"): **$(external_goal "$name")**"
      echo
      echo '```text'
      cat "$BENCH/$name.txt"
      echo '```'
    done
    echo
    echo "## Goals for profile-info"
    echo
    echo "| goal | figure | |"
    echo "|---|---|---|"
    build_rows | awk -F '\t' '$1 ~ /^profile-info/ {
      printf "| %s: size over plain ≤ 4 KiB | %s B | %s |\n", $1, $9, $10
      printf "| %s: clean build ≤ +5 s over plain | %s s | %s |\n", $1, $4, $11
      printf "| %s: 0 units rerun on a no-op build | %s | %s |\n", $1, $6, $12 }'
    for name in "${EXTERNAL_NAMES[@]}"; do
      ratio=$(external_ratio "$name")
      if [ -n "$ratio" ]; then ratio="${ratio}×"; else ratio="not measured"; fi
      echo "| $(external_title "$name"): $(external_goal_text "$name") | $ratio | $(external_goal "$name") |"
    done
  } >"$REPORT"
}

main() {
  local start
  start=$(now)
  clean_env
  install_tools
  mkdir -p "$BENCH"
  write_variants
  fetch_variants
  build_section
  local name
  for name in "${EXTERNAL_NAMES[@]}"; do external_section "$name"; done
  write_report
  print_stdout
  log "done in $(elapsed "$start" "$(now)") s"
  if [ ${#FAILED[@]} -gt 0 ]; then
    log "failed: ${FAILED[*]} (their logs are in target/bench/logs/)"
    exit 1
  fi
}

main
