# Sourced by the benchmark scripts beside it: strict mode, the workspace root as the working
# directory (and in $root), and `need TOOL`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD

# A tool the script cannot run without: installed with apt-get when root, else named with how to
# get it.
need() {
  command -v "$1" >/dev/null && return
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1" >/dev/null
  else
    echo "needs $1 (apt-get install $1)" >&2
    exit 1
  fi
}
