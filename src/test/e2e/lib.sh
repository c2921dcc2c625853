# Shared by the e2e scripts; source it from the project root after `set -euo pipefail`, with E2E_NAME set.
# Gives: WORK (a fresh directory, removed at exit), PIDS (processes killed at exit), fail MESSAGE (prints the tail
# of every $WORK/*.log and exits 1), and port (a free loopback port below the kernel's ephemeral range, so no
# outgoing connection holds it). KEEP=1 copies WORK to /tmp/keep-$E2E_NAME at exit, for a look after a failure.
WORK="$(mktemp -d "/tmp/vetch-$E2E_NAME.XXXXXX")"
PIDS=()
# PIDS, and the values of an associative array PID if the script keeps its members by name.
cleanup() { [ -n "${KEEP:-}" ] && cp -r "$WORK" /tmp/keep-$E2E_NAME;  for p in "${PIDS[@]:-}" "${PID[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$WORK"/*.log; do echo "== $f" >&2; tail -15 "$f" >&2; done; exit 1; }
# Ports handed out are remembered in $WORK/ports (port runs in a $(...) subshell): none is given twice, since two
# members given one port clash when the second binds it (seen: a restored 3-member cluster that never got healthy).
port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    grep -qx "$p" "$WORK/ports" 2>/dev/null && continue
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p" >>"$WORK/ports"; echo "$p"; return; }
  done
}
