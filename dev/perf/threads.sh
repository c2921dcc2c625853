#!/usr/bin/env bash
# Where each member's CPU goes, thread by thread, over one workload (docs/performance.md's per-thread figures):
#   dev/perf/threads.sh NODES CMD ETCDBENCH_ARGS...
#   dev/perf/threads.sh 1 bin/vetch watch --watchers 1000 --conns 8 --puts 2000
# Starts NODES fresh members of CMD on loopback ports 42381-42386, runs etcdbench once, and prints per member its
# CPU per operation (µs, from /proc/<pid>/task/*/stat) and, for its busiest threads, their CPU and voluntary
# context switches per operation ("sleeps": each time a thread blocks, parked or waiting for a read or a disk
# write). With AP=<async-profiler's libasyncProfiler.so> and CMD a JVM, each member is also profiled (AP_EVENT,
# default cpu; AP_INTERVAL, default 200us) into /tmp/threads-m<i>.collapsed. Members are m1.. in the order started.
set -uo pipefail
[ $# -ge 3 ] || { sed -n 2,9p "$0"; exit 2; }
NODES=$1 CMD=$2; shift 2; ARGS=("$@")
. "$(dirname "$0")/members.sh"
bench_binary || exit 2
W="$(mktemp -d /tmp/threads.XXXXXX)"
start_members "$NODES" "$CMD" "$W"; pids=("${PIDS[@]}") eps="$EPS"
snap() { # member tid name ticks voluntary-switches, every thread of every member
  local i=0 p t
  for p in "${pids[@]}"; do i=$((i + 1)); for t in /proc/"$p"/task/*; do
    echo "m$i $(basename "$t") $(tr ' ' _ <"$t/comm" 2>/dev/null) $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null)" \
      "$(awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status" 2>/dev/null)"
  done; done
}
ap() { # $1 start|stop
  [ -n "${AP:-}" ] || return 0
  local i=0 p
  for p in "${pids[@]}"; do i=$((i + 1))
    if [ "$1" = start ]; then jcmd "$p" JVMTI.agent_load "$AP" "\"start,event=${AP_EVENT:-cpu},interval=${AP_INTERVAL:-200us},threads\"" >/dev/null
    else jcmd "$p" JVMTI.agent_load "$AP" "\"stop,collapsed,file=/tmp/threads-m$i.collapsed\"" >/dev/null; fi
  done
}
snap >"$W/before"; ap start
"$BENCH" "${ARGS[0]}" --endpoints "$eps" "${ARGS[@]:1}" >"$W/out" 2>&1
ap stop; snap >"$W/after"
tail -1 "$W/out" | cut -c1-200
leaders=$(ETCDCTL_API=3 etcdctl --endpoints "$eps" endpoint status 2>/dev/null | awk -F', ' '$5 == "true" {print $1}')
python3 - "$W/before" "$W/after" "$(tail -1 "$W/out")" "$eps" "$leaders" "$(getconf CLK_TCK)" <<'PY'
import collections, json, sys
def read(f):
    d = {}
    for l in open(f):
        p = l.split()
        if len(p) == 5:
            d[(p[0], p[1])] = (p[2], int(p[3]), int(p[4]))
    return d
a, b = read(sys.argv[1]), read(sys.argv[2])
try:
    n = json.loads(sys.argv[3])["total"] or 1
except ValueError:
    sys.exit("the workload failed")
eps, leaders, us = sys.argv[4].split(","), sys.argv[5].split(), 1e6 / int(sys.argv[6])
per = collections.defaultdict(list)
for k, (name, c, v) in b.items():
    _, c0, v0 = a.get(k, (name, 0, 0))
    if c > c0 or v - v0 > n / 10:
        per[k[0]].append(((c - c0) * us / n, name, (v - v0) / n))
for m in sorted(per):
    rows = sorted(per[m], reverse=True)
    mark = " (leader)" if eps[int(m[1:]) - 1] in leaders else ""
    print(f"{m}{mark}: {sum(r[0] for r in rows):7.1f} us/op; " +
          "; ".join(f"{nm[:16]} {c:.1f} us/op, {v:.2f} sleeps/op" for c, nm, v in rows[:5]))
PY
stop_members; rm -rf "$W"
