# Sourced by scripts/test.sh and scripts/bench.sh: the one place that installs system tools.
#   install_tools COMMAND:PACKAGE ...
# installs the package of every command that is not on PATH, with apt-get when root; otherwise it
# names them and returns 1.
install_tools() {
  local need=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
  done
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing ${need[*]}: install them (apt-get install ${need[*]}) and run again" >&2
    return 1
  fi
}
