#!/usr/bin/env bash
# Cluster operations driven by the real etcdctl against bin/vetch processes on loopback:
# a 3-member cluster; `member add` and a 4th member started with the environment etcdctl prints
# (--initial-cluster-state existing); `member remove`; `move-leader`; `endpoint status/hashkv --cluster`;
# kill -9 of the leader with nothing acknowledged lost; /health turning 503 when quorum is lost.
# Exit 0 = every check passed.
#   src/test/e2e/etcdctl-cluster.sh          # from the project root
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
export ETCDCTL_API=3
E2E_NAME=cluster
# shellcheck source=lib.sh
. src/test/e2e/lib.sh
declare -A PID CPORT PPORT

ep() { echo "127.0.0.1:${CPORT[$1]}"; }
ctl() { etcdctl --command-timeout=10s "$@"; }
count() { # $1 member, then get's arguments: the number of keys
  local m="$1"; shift
  ctl --endpoints "$(ep "$m")" get "$@" --keys-only -w json | grep -o '"count":[0-9]*' | cut -d: -f2
}

start() { # $1 name, $2 initial cluster, $3 state
  bin/vetch --name "$1" --data-dir "$WORK/$1" --snapshot-count 40 \
    --listen-client-urls "http://127.0.0.1:${CPORT[$1]}" --advertise-client-urls "http://127.0.0.1:${CPORT[$1]}" \
    --listen-peer-urls "http://127.0.0.1:${PPORT[$1]}" --initial-advertise-peer-urls "http://127.0.0.1:${PPORT[$1]}" \
    --initial-cluster "$2" --initial-cluster-state "$3" >>"$WORK/$1.log" 2>&1 &
  PID[$1]=$!
  disown "$!"
}

healthy() {
  for _ in $(seq 1 120); do
    ctl --endpoints "$(ep "$1")" endpoint health >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "$1 did not become healthy"
}

CLUSTER=""
for m in m1 m2 m3; do
  CPORT[$m]=$(port); PPORT[$m]=$(port)
  CLUSTER="${CLUSTER:+$CLUSTER,}$m=http://127.0.0.1:${PPORT[$m]}"
done
for m in m1 m2 m3; do start "$m" "$CLUSTER" new; done
for m in m1 m2 m3; do healthy "$m"; done
ALL="$(ep m1),$(ep m2),$(ep m3)"

echo "--- peer metrics: traffic and round-trip times per peer"
for _ in $(seq 1 30); do # probes go out every 5 s
  curl -s "http://$(ep m1)/metrics" >"$WORK/metrics"
  [ "$(grep -c '^etcd_network_peer_round_trip_time_seconds_count' "$WORK/metrics")" = 2 ] && break
  sleep 0.5
done
for name in etcd_network_peer_sent_bytes_total etcd_network_peer_received_bytes_total \
  etcd_network_peer_round_trip_time_seconds_bucket; do
  [ "$(grep -c "^$name{" "$WORK/metrics")" -ge 2 ] || fail "/metrics lacks $name for both peers"
done
grep '^etcd_network_peer_round_trip_time_seconds_count' "$WORK/metrics"

echo "--- member list"
ctl --endpoints "$ALL" member list
[ "$(ctl --endpoints "$(ep m1)" member list | grep -c started)" = 3 ] || fail "member list does not show 3 started members"

echo "--- writes on every member, linearizable reads on every other"
for i in $(seq 1 60); do
  m=m$(( (i % 3) + 1 ))
  ctl --endpoints "$(ep "$m")" put "k/$i" "v$i" >/dev/null || fail "put k/$i on $m"
done
for m in m1 m2 m3; do
  n=$(count "$m" k/ --prefix)
  [ "$n" = 60 ] || fail "$m counts $n keys, not 60"
done

echo "--- member add m4, started with the environment etcdctl prints"
CPORT[m4]=$(port); PPORT[m4]=$(port)
ctl --endpoints "$(ep m1)" member add m4 --peer-urls="http://127.0.0.1:${PPORT[m4]}" | tee "$WORK/add.out"
eval "$(grep '^ETCD_' "$WORK/add.out")"
[ "$ETCD_INITIAL_CLUSTER_STATE" = existing ] || fail "member add did not print ETCD_INITIAL_CLUSTER_STATE=existing"
start m4 "$ETCD_INITIAL_CLUSTER" "$ETCD_INITIAL_CLUSTER_STATE"
healthy m4
n=$(count m4 k/ --prefix)
[ "$n" = 60 ] || fail "m4 counts $n keys, not 60"
ctl --endpoints "$(ep m4)" put via/m4 ok >/dev/null || fail "put through m4"
[ "$(ctl --endpoints "$(ep m2)" get via/m4 --print-value-only)" = ok ] || fail "m2 does not see the write made on m4"
for _ in $(seq 1 40); do
  [ "$(ctl --endpoints "$(ep m1)" member list | grep -c started)" = 4 ] && break
  sleep 0.5
done
ctl --endpoints "$(ep m1)" member list
[ "$(ctl --endpoints "$(ep m1)" member list | grep -c started)" = 4 ] || fail "m4 is not listed as started"

echo "--- endpoint status and hashkv --cluster"
ctl --endpoints "$(ep m1)" endpoint status --cluster -w table || fail "endpoint status --cluster"
[ "$(ctl --endpoints "$(ep m1)" endpoint status --cluster | wc -l)" = 4 ] || fail "endpoint status --cluster lists not 4"
ctl --endpoints "$(ep m1)" endpoint hashkv --cluster | tee "$WORK/hash.out" || fail "endpoint hashkv --cluster"
[ "$(awk '{print $2}' "$WORK/hash.out" | sort -u | wc -l)" = 1 ] || fail "members hash differently"

echo "--- member remove m2"
M2ID=$(ctl --endpoints "$(ep m1)" member list | awk -F', ' '$3 == "m2" {print $1}')
[ -n "$M2ID" ] || fail "no id for m2"
ctl --endpoints "$(ep m1)" member remove "$M2ID" || fail "member remove"
for _ in $(seq 1 40); do kill -0 "${PID[m2]}" 2>/dev/null || break; sleep 0.5; done
kill -0 "${PID[m2]}" 2>/dev/null && fail "the removed member m2 did not exit"
grep -q 'permanently removed' "$WORK/m2.log" || fail "m2 did not log its removal"
unset 'PID[m2]'
[ "$(ctl --endpoints "$(ep m1)" member list | wc -l)" = 3 ] || fail "member list after remove is not 3"
ALL="$(ep m1),$(ep m3),$(ep m4)"

echo "--- move-leader to m4"
M4ID=$(ctl --endpoints "$(ep m1)" member list | awk -F', ' '$3 == "m4" {print $1}')
for _ in $(seq 1 40); do # the removed member may have been the leader: wait for the next one
  ctl --endpoints "$ALL" move-leader "$M4ID" && break
  sleep 0.5
done
ctl --endpoints "$(ep m4)" endpoint status -w table
ctl --endpoints "$(ep m4)" endpoint status | awk -F', ' '{exit !($5 == "true")}' || fail "m4 is not the leader"

echo "--- kill -9 the leader (m4): the rest keep serving, nothing lost"
kill -9 "${PID[m4]}"; unset 'PID[m4]'
for i in $(seq 1 120); do
  ctl --endpoints "$(ep m1)" put after/kill yes >/dev/null 2>&1 && break
  sleep 0.5
done
n=$(count m3 "" --from-key)
[ "$n" = 62 ] || fail "m3 counts $n keys after the leader died, not 62"

echo "--- /health while the cluster has quorum, then after it lost it (m3 killed too: m1 is alone of 3 voters)"
curl -s -w ' %{http_code}\n' "http://$(ep m1)/health"
kill -9 "${PID[m3]}"; unset 'PID[m3]'
for _ in $(seq 1 40); do
  code=$(curl -s -o "$WORK/health" -w '%{http_code}' "http://$(ep m1)/health")
  grep -q 'RAFT NO LEADER' "$WORK/health" && break # before that, a read may already fail: RANGE ERROR
  sleep 0.5
done
echo "$(cat "$WORK/health") $code"
[ "$code" = 503 ] && grep -q '"reason":"RAFT NO LEADER"' "$WORK/health" || fail "/health did not turn 503 RAFT NO LEADER"
curl -s -w ' %{http_code}\n' "http://$(ep m1)/health?serializable=true"
echo "OK: cluster operations work"
