# Sourced by the scripts in dev/perf: etcdbench, and fresh members on loopback.
#   bench_binary              sets BENCH to etcdbench ($ETCDBENCH, else /tmp/etcdbench, built once from
#                             ../shared/tools/etcdbench)
#   start_members N CMD DIR   starts N members of CMD (etcd's flags) with data and logs in DIR, on ports
#                             42381-42386, and waits for them to be healthy; sets PIDS and EPS (client endpoints)
#   stop_members              stops them

bench_binary() {
  BENCH="${ETCDBENCH:-/tmp/etcdbench}"
  [ -x "$BENCH" ] || "$(dirname "${BASH_SOURCE[0]}")/../../../shared/tools/etcdbench/build.sh" "$BENCH" >/dev/null
}

start_members() {
  local n="$1" cmd="$2" dir="$3" cluster="" i c p
  PIDS=(); EPS=""
  for i in $(seq 1 "$n"); do cluster+="${cluster:+,}m$i=http://127.0.0.1:$((42380 + 2*i))"; done
  for i in $(seq 1 "$n"); do
    c=$((42379 + 2*i)) p=$((42380 + 2*i))
    $cmd --name "m$i" --data-dir "$dir/m$i" --listen-client-urls "http://127.0.0.1:$c" \
      --advertise-client-urls "http://127.0.0.1:$c" --listen-peer-urls "http://127.0.0.1:$p" \
      --initial-advertise-peer-urls "http://127.0.0.1:$p" --initial-cluster "$cluster" \
      --initial-cluster-state new --initial-cluster-token perf >"$dir/m$i.log" 2>&1 &
    PIDS+=($!); EPS+="${EPS:+,}127.0.0.1:$c"
  done
  for _ in $(seq 1 120); do
    ETCDCTL_API=3 etcdctl --endpoints "$EPS" --command-timeout=2s endpoint health >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "members did not become healthy; see $dir/m1.log" >&2; return 1
}

stop_members() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
}
