#!/usr/bin/env bash
# What profile-info costs, beside built, vergen, shadow-rs and build-info, measured in one run on
# this machine — the tool is bench/ (Rust, on the engine of `cargo profile-info compare`):
#
#   bash scripts/bench.sh           # everything (minutes)
#   bash scripts/bench.sh --quick   # plain and profile-info only, few runs (what the test suite runs)
#   bash scripts/bench.sh --only vergen,built   # these build variants (and their plain baseline)
#   bash scripts/bench.sh --help    # what it measures and how
#
# Output: a table on stdout and target/bench/report.md. The tool is built into its own target dir,
# so that it can run while `cargo test` holds the workspace's.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tools the sections measure with; without them the sections needing them fail, each saying so.
source scripts/tools.sh
install_tools hyperfine:hyperfine wrk:wrk curl:curl git:git || true
CARGO_TARGET_DIR=target/bench/tool exec cargo run --quiet --locked -p profile-info-bench -- "$@"
