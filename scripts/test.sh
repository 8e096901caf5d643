#!/usr/bin/env bash
# The whole test suite, as CI runs it on a fresh Debian machine (as root): installs the system
# tools the tests need, then runs every test of the workspace with every feature on.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/tools.sh
# The quick benchmark run in the suite times the guard and /buildinfo with hyperfine and wrk;
# compare --metric instructions counts with valgrind where perf has no hardware counters; the
# file-facts truth matrix links a C library gcc builds into a fixture.
# Fuzzing: libFuzzer is C++ (cargo-fuzz builds it); the HTTP seeds are what curl and wget send.
# compare's pgo rung merges rustc's raw profiles: rustc 1.95 (LLVM 22) writes a format Debian's
# default llvm-profdata-14 refuses; llvm-22 reads it. The test also shows 14 refusing.
install_tools qemu-x86_64:qemu-user objdump:binutils hyperfine:hyperfine wrk:wrk git:git c++:g++ curl:curl \
  wget:wget llvm-profdata-14:llvm-14 valgrind:valgrind gcc:gcc
# The dependency-list tests: Python's zlib makes a broken section, and the CycloneDX validator
# runs in a virtual environment.
install_tools python3:python3
python3 -c 'import ensurepip, venv' 2>/dev/null || install_tools /nonexistent/python3-venv:python3-venv
# The aarch64 guard matrix (tests/tests/aarch64.rs) links with the cross gcc and its static glibc
# (libc6-dev-arm64-cross, named in case recommends are off), and runs under qemu-aarch64.
install_tools qemu-aarch64:qemu-user aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu
[ -f /usr/aarch64-linux-gnu/lib/libc.a ] || install_tools /usr/aarch64-linux-gnu/lib/libc.a:libc6-dev-arm64-cross
# The dependency list in Windows and macOS files (tests/tests/deps.rs, cargo-profile-info's
# tests/deps.rs): both targets' std from rustup, and MinGW's gcc to link the PE executable (there
# is no Mach-O linker here; the macOS crate is compiled to an object file).
install_tools x86_64-w64-mingw32-gcc:gcc-mingw-w64-x86-64
# Without them those tests fail, saying what is missing; the rest of the suite still runs.
for target in x86_64-pc-windows-gnu x86_64-apple-darwin; do
  rustup target list --installed | grep -qx "$target" || rustup target add "$target" ||
    echo "rustup could not add $target: the Windows and macOS dependency-list tests will fail" >&2
done
# compare's bolt rung: BOLT instruments, merges and rewrites the pgo rung's binary.
install_tools llvm-bolt-22:bolt-22
# Debian releases before llvm-22 was packaged have llvm-19, which reads the format too.
if ! command -v llvm-profdata-22 >/dev/null && ! command -v llvm-profdata-19 >/dev/null; then
  llvm=22
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    apt-cache show llvm-22 >/dev/null 2>&1 || llvm=19
  fi
  install_tools "llvm-profdata-$llvm:llvm-$llvm"
fi

# The dependency list's oracles (tests/tests/deps.rs) and the file-facts truth matrix:
# cargo-auditable's builder and its reader.
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
# Coverage-guided fuzzing, briefly: 20 s per target (CONTRIBUTING.md: Fuzzing; scripts/fuzz.sh SECONDS for longer).
bash scripts/fuzz.sh 20 || status=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace --all-features --locked --no-fail-fast 2>&1 | tee "$log" || status=$?
# One closing line for the whole run (cargo's own last line is a crate's doctest count).
awk '/^test result:/ { p += $4; f += $6 } END { printf "summary: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
