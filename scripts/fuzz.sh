#!/usr/bin/env bash
# Coverage-guided fuzzing: every cargo-fuzz target under fuzz/ for SECONDS each (default 60), from
# seeds made fresh from real binaries and real clients' headers (fuzz/examples/seeds.rs) plus the
# corpus earlier runs grew (fuzz/corpus/). Needs the nightly toolchain; installs cargo-fuzz if
# missing. A crash stops nothing else: the input lands in fuzz/artifacts/TARGET/ and the exit
# code is 1.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-60}

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzzing needs the nightly toolchain (rustup toolchain install nightly)" >&2
  exit 1
fi
command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz

cargo +nightly run --locked -q --example seeds
cargo +nightly fuzz build
mkdir -p logs
failed=()
for target in $(cargo +nightly fuzz list); do
  mkdir -p "corpus/$target"
  if cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 >"logs/$target.log" 2>&1; then
    echo "$target: $(grep -E '^Done [0-9]+ runs' "logs/$target.log"), corpus $(ls "corpus/$target" | wc -l) inputs"
  else
    tail -n 40 "logs/$target.log" >&2
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "crashed: ${failed[*]} (inputs in fuzz/artifacts/; logs in fuzz/logs/)" >&2
  exit 1
fi
