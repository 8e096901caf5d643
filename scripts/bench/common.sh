# Sourced by the benchmark scripts beside it: strict mode, the workspace root as the working
# directory (and in $root), and `need TOOL`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD

# A tool the script cannot run without: when missing, the benchmark tool installs it (apt-get as
# root; bench/src/tools.rs) or says how, and the script stops.
need() {
  command -v "$1" >/dev/null || bash "$root/scripts/bench.sh" install "$1"
}

# A hello-world package: directory, name, the line above `fn main` (an attribute, or empty), the
# line under [dependencies]. Its own workspace, with the workspace's lock file (pinned versions).
hello_package() {
  mkdir -p "$1/src"
  printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n%s\n\n[workspace]\n' \
    "$2" "$4" >"$1/Cargo.toml"
  printf '%s\nfn main() {\n    println!("hello");\n}\n' "$3" >"$1/src/main.rs"
  cp -n "$root/Cargo.lock" "$1/Cargo.lock" 2>/dev/null || true
}
