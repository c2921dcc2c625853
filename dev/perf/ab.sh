#!/usr/bin/env bash
# Interleaved A/B of one workload, for a change measured against the commit before it (docs/performance.md):
#   dev/perf/ab.sh NODES QUARTETS CMD_A CMD_B ETCDBENCH_ARGS...
#   dev/perf/ab.sh 3 4 /tmp/base/bin/vetch /tmp/variant put --clients 1 --total 3000 --val-size 256 --sequential-keys --key-size 8
# Runs A B B A, QUARTETS times, each run on fresh members (NODES of them on loopback ports 42381-42386, data in a
# temporary directory), driven by etcdbench (../shared/tools/etcdbench, built once into $ETCDBENCH or /tmp). Prints
# a line a run (ops/s, latency, server and client CPU per op from /proc, the machine's idle share), then each side's
# mean ops/s and median p99. CMD_A and CMD_B take etcd's flags: a frozen copy of bin/vetch and its jar, or a wrapper
# that sets VETCH_JAVA_OPTS. Keep src/main untouched while it runs (bin/vetch rebuilds a jar older than its sources).
set -uo pipefail
[ $# -ge 5 ] || { sed -n 2,9p "$0"; exit 2; }
NODES=$1 QUARTETS=$2 A=$3 B=$4; shift 4; ARGS=("$@")
. "$(dirname "$0")/members.sh"
bench_binary || exit 2
RESULTS="$(mktemp /tmp/ab.XXXXXX)"

cpu() { # CPU ticks of the processes given and their children
  local s=0 p t
  for p in "$@"; do for t in $p $(pgrep -P "$p"); do
    s=$((s + $(awk '{print $14 + $15}' "/proc/$t/stat" 2>/dev/null || echo 0))); done; done
  echo $s
}

run() { # $1 label, $2 command
  local label="$1" cmd="$2" w
  w="$(mktemp -d /tmp/ab-run.XXXXXX)"
  start_members "$NODES" "$cmd" "$w"; local pids=("${PIDS[@]}") eps="$EPS"
  read -r _ u n s id io irq sirq st _ < /proc/stat; local t0=$((u+n+s+id+io+irq+sirq+st)) i0=$((id+io))
  local c0; c0=$(cpu "${pids[@]}")
  /usr/bin/time -f "%U %S" -o "$w/client.time" "$BENCH" "${ARGS[0]}" --endpoints "$eps" "${ARGS[@]:1}" >"$w/out" 2>&1
  local c1; c1=$(cpu "${pids[@]}")
  read -r _ u n s id io irq sirq st _ < /proc/stat; local t1=$((u+n+s+id+io+irq+sirq+st)) i1=$((id+io))
  python3 - "$(tail -1 "$w/out")" "$((c1 - c0))" "$(cat "$w/client.time")" "$((t1 - t0))" "$((i1 - i0))" "$label" \
      "$(getconf CLK_TCK)" <<'PY' | tee -a "$RESULTS"
import json, sys
try:
    o = json.loads(sys.argv[1])
except ValueError:
    print(f"{sys.argv[6]} failed: {sys.argv[1][:200]}"); sys.exit()
hz = int(sys.argv[7]); n = o["total"] or 1
srv = int(sys.argv[2]) * 1e6 / hz / n
cu, cs = map(float, sys.argv[3].split()); cl = (cu + cs) * 1e6 / n
idle = 100 * int(sys.argv[5]) / max(1, int(sys.argv[4]))
print(f"{sys.argv[6]} ops/s {o['ops_per_sec']:9.0f} p50 {o['p50_ms']:5.2f} p90 {o['p90_ms']:5.2f} p99 {o['p99_ms']:6.2f}"
      f" max {o['max_ms']:6.2f}  server {srv:7.1f} us/op  client {cl:6.1f} us/op  idle {idle:4.1f}%  errors {o['errors']}")
PY
  stop_members; rm -rf "$w"
}

for _ in $(seq 1 "$QUARTETS"); do run A "$A"; run B "$B"; run B "$B"; run A "$A"; done
python3 - "$RESULTS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if " ops/s " in l]
for side in "AB":
    r = [x for x in rows if x[0] == side]
    if r:
        print(f"{side}: {len(r)} runs, mean {statistics.mean(float(x[2]) for x in r):.0f} ops/s, "
              f"median p99 {statistics.median(float(x[8]) for x in r):.2f} ms")
PY
rm -f "$RESULTS"
