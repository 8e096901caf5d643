#!/usr/bin/env bash
# The whole test suite, as CI runs it on a fresh Debian machine (as root): installs the system
# tools the tests need, then runs every test of the workspace with every feature on.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v qemu-x86_64 >/dev/null || need+=(qemu-user)
command -v objdump >/dev/null || need+=(binutils)
# The quick benchmark run in the suite times the guard and /buildinfo with these.
command -v hyperfine >/dev/null || need+=(hyperfine)
command -v wrk >/dev/null || need+=(wrk)
command -v git >/dev/null || need+=(git)
# Fuzzing: libFuzzer is C++ (cargo-fuzz builds it); the HTTP seeds are what curl and wget send.
command -v c++ >/dev/null || need+=(g++)
command -v curl >/dev/null || need+=(curl)
command -v wget >/dev/null || need+=(wget)
# The dependency-list tests: Python's zlib makes a broken section, and the CycloneDX validator
# runs in a virtual environment.
command -v python3 >/dev/null || need+=(python3)
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
# compare's pgo rung merges rustc's raw profiles: rustc 1.95 (LLVM 22) writes a format Debian's
# default llvm-profdata-14 refuses; llvm-22 (else llvm-19) reads it. The test also shows 14 refusing.
command -v llvm-profdata-14 >/dev/null || need+=(llvm-14)
llvm=0
command -v llvm-profdata-22 >/dev/null || command -v llvm-profdata-19 >/dev/null || llvm=1
if [ ${#need[@]} -gt 0 ] || [ "$llvm" = 1 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    if [ "$llvm" = 1 ]; then
      if apt-cache show llvm-22 >/dev/null 2>&1; then need+=(llvm-22); else need+=(llvm-19); fi
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    [ "$llvm" = 1 ] && need+=(llvm-22)
    echo "missing ${need[*]}: install them (apt-get install ${need[*]}) and run again" >&2
    exit 1
  fi
fi

# The dependency list's oracles (tests/tests/deps.rs): cargo-auditable's builder and its reader.
command -v cargo-auditable >/dev/null || cargo install --locked cargo-auditable
command -v rust-audit-info >/dev/null || cargo install --locked rust-audit-info
# The CycloneDX SBOM's validator: the official JSON schemas as cyclonedx-python-lib ships them,
# applied by jsonschema (cargo-profile-info/tests/deps.rs).
if [ ! -x target/cyclonedx-venv/bin/python ]; then
  python3 -m venv target/cyclonedx-venv
  target/cyclonedx-venv/bin/pip install -q 'cyclonedx-python-lib[json-validation]'
fi

# The lints CI holds: formatting, clippy with warnings as errors, rustdoc with warnings as errors.
cargo fmt --all --check
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --all-features --locked
# The fuzz targets are a workspace of their own (built on nightly by cargo-fuzz): the same lints.
cargo fmt --manifest-path fuzz/Cargo.toml --check
cargo clippy --manifest-path fuzz/Cargo.toml --all-targets -- -D warnings

cargo build --workspace --all-targets --all-features --locked
status=0
# Coverage-guided fuzzing, briefly: 20 s per target (README: Fuzzing; scripts/fuzz.sh SECONDS for longer).
bash scripts/fuzz.sh 20 || status=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --all-features --locked --no-fail-fast 2>&1 | tee "$log" || status=$?
# One closing line for the whole run (cargo's own last line is a crate's doctest count).
awk '/^test result:/ { p += $4; f += $6 } END { printf "summary: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
