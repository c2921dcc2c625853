#!/usr/bin/env bash
# An operator's maintenance session driven by the real etcdctl (and curl) against bin/vetch on loopback:
# endpoint status/health/hashkv; the HTTP endpoints (/health, /livez, /readyz, /version, /metrics with etcd's
# metric names, also on --listen-metrics-urls); a small quota filled until NOSPACE, then space freed (delete,
# compact, defrag) and the alarm disarmed; snapshot save (etcd's format: etcdctl snapshot status reads it, and
# `bin/vetch snapshot status` says the same), `bin/vetch snapshot restore` into a
# new member serving the same keys, revision and hash; periodic auto-compaction. Prints the session; exit 0 = every
# check passed.
#   src/test/e2e/etcdctl-maintenance.sh          # from the project root
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
export ETCDCTL_API=3
E2E_NAME=maint
# shellcheck source=lib.sh
. src/test/e2e/lib.sh


start() { # $1 name, then extra flags; sets EP (client host:port) and PPORT
  local name="$1" cport; shift
  cport=$(port); PPORT=$(port)
  bin/vetch --name "$name" --data-dir "$WORK/$name" \
    --listen-client-urls "http://127.0.0.1:$cport" --advertise-client-urls "http://127.0.0.1:$cport" \
    --listen-peer-urls "http://127.0.0.1:$PPORT" --initial-advertise-peer-urls "http://127.0.0.1:$PPORT" \
    --initial-cluster "$name=http://127.0.0.1:$PPORT" "$@" >>"$WORK/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid"); EP="127.0.0.1:$cport"
  disown "$pid"
  for _ in $(seq 1 120); do
    etcdctl --endpoints "$EP" --command-timeout=2s endpoint health >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || fail "$name exited"
    sleep 0.5
  done
  fail "$name did not become healthy"
}

# Prints the command and its output (etcdctl's JSON log lines dropped).
run() { echo "\$ $*"; "$@" 2>&1 | grep -v '^{"level"' || true; }
ctl() { etcdctl --endpoints "$EP" --command-timeout=10s "$@"; }
revision() { ctl endpoint status -w json | grep -o '"revision":[0-9]*' | cut -d: -f2; }
hashkv() { ctl endpoint hashkv | awk -F', ' '{print $2}'; }

MPORT=$(port)
start m1 --quota-backend-bytes 400000 --listen-metrics-urls "http://127.0.0.1:$MPORT"

echo "=== status, health, hashes"
for i in $(seq 1 20); do ctl put "key/$i" "value-$i" >/dev/null; done
run etcdctl --endpoints "$EP" endpoint status -w table
run etcdctl --endpoints "$EP" endpoint health
run etcdctl --endpoints "$EP" endpoint hashkv -w table
run etcdctl --endpoints "$EP" alarm list
ctl endpoint status -w json | grep -q '"version":"3.5.0"' || fail "endpoint status has no version"

echo "=== HTTP endpoints on the client port"
run curl -s -w ' %{http_code}\n' "http://$EP/health"
run curl -s -w ' %{http_code}\n' "http://$EP/livez"
echo
run curl -s "http://$EP/readyz?verbose"
run curl -s -w ' %{http_code}\n' "http://$EP/version"
[ "$(curl -s "http://$EP/health")" = '{"health":"true","reason":""}' ] || fail "/health is not healthy"
[ "$(curl -s "http://$EP/livez")" = ok ] || fail "/livez is not ok"
curl -s "http://$EP/version" | grep -q '"etcdserver":"3.5.0","etcdcluster":"3.5.0"' || fail "/version"

echo "=== /metrics (etcd's names), on the client port and on --listen-metrics-urls"
curl -s "http://$EP/metrics" >"$WORK/metrics"
curl -s "http://127.0.0.1:$MPORT/metrics" >"$WORK/metrics2"
for name in etcd_server_has_leader etcd_server_is_leader etcd_server_leader_changes_seen_total \
  etcd_server_proposals_committed_total etcd_server_proposals_applied_total etcd_server_proposals_failed_total \
  etcd_server_proposals_pending etcd_server_quota_backend_bytes etcd_mvcc_db_total_size_in_bytes \
  etcd_mvcc_db_total_size_in_use_in_bytes etcd_disk_wal_fsync_duration_seconds_bucket \
  etcd_disk_backend_commit_duration_seconds_bucket etcd_debugging_mvcc_keys_total etcd_mvcc_put_total \
  etcd_mvcc_range_total etcd_mvcc_delete_total etcd_mvcc_txn_total grpc_server_started_total \
  grpc_server_handled_total process_resident_memory_bytes jvm_memory_used_bytes; do
  grep -q "^$name[ {]" "$WORK/metrics" || fail "/metrics lacks $name"
  grep -q "^$name[ {]" "$WORK/metrics2" || fail "--listen-metrics-urls /metrics lacks $name"
done
grep -E '^(etcd_server_has_leader|etcd_server_quota_backend_bytes|etcd_debugging_mvcc_keys_total|etcd_mvcc_put_total) ' \
  "$WORK/metrics"
grep '^grpc_server_handled_total{grpc_code="OK",grpc_method="Put"' "$WORK/metrics" || fail "no handled Put calls"
grep -q '^etcd_debugging_mvcc_keys_total 20' "$WORK/metrics" || fail "keys_total is not 20"

echo "=== snapshot save, status"
run etcdctl --endpoints "$EP" snapshot save "$WORK/backup.db"
[ -f "$WORK/backup.db" ] || fail "no snapshot file"
run etcdctl snapshot status "$WORK/backup.db" -w table
run bin/vetch snapshot status "$WORK/backup.db" -w table
SAVED_REV=$(revision); SAVED_HASH=$(hashkv)
STATUS=$(etcdctl snapshot status "$WORK/backup.db" -w json)
[ "$(bin/vetch snapshot status "$WORK/backup.db" -w json)" = "$STATUS" ] || fail "vetch's snapshot status is not etcdctl's"
grep -q "\"revision\":$SAVED_REV," <<<"$STATUS" || fail "snapshot status $STATUS: not at revision $SAVED_REV"

echo "=== quota: fill 400 kB until NOSPACE"
VALUE=$(head -c 20000 /dev/zero | tr '\0' x)
for i in $(seq 1 40); do
  if ! ctl put "big/$i" "$VALUE" >/dev/null 2>"$WORK/err"; then
    echo "put big/$i: $(grep '^Error' "$WORK/err")"; break
  fi
done
grep -q "etcdserver: mvcc: database space exceeded" "$WORK/err" || fail "no NOSPACE error"
run etcdctl --endpoints "$EP" alarm list
ctl alarm list | grep -q 'alarm:NOSPACE' || fail "NOSPACE not raised"
run etcdctl --endpoints "$EP" put more data
ctl put more data >/dev/null 2>&1 && fail "a put succeeded under NOSPACE"
run curl -s -w ' %{http_code}\n' "http://$EP/health"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$EP/health")" = 503 ] || fail "/health not 503 under NOSPACE"
run curl -s -w ' %{http_code}\n' "http://$EP/health?exclude=NOSPACE"
run etcdctl --endpoints "$EP" get key/1 --print-value-only
run etcdctl --endpoints "$EP" endpoint status -w table

echo "=== free space: delete, compact, defrag, disarm"
run etcdctl --endpoints "$EP" del big/ --prefix
run etcdctl --endpoints "$EP" compact "$(revision)"
run etcdctl --endpoints "$EP" defrag
run etcdctl --endpoints "$EP" endpoint status -w table
run etcdctl --endpoints "$EP" alarm disarm
run etcdctl --endpoints "$EP" alarm list
run etcdctl --endpoints "$EP" put more data
ctl put more data2 >/dev/null || fail "put fails after disarm"
[ "$(ctl alarm list)" = "" ] || fail "alarms left after disarm"

echo "=== restore the snapshot into a new member"
run bin/vetch snapshot restore "$WORK/backup.db" --data-dir "$WORK/r1" --name r1 \
  --initial-cluster "r1=http://127.0.0.1:$PPORT"
echo "\$ bin/vetch --name r1 --data-dir $WORK/r1 --initial-cluster r1=... (new ports)"
start r1
run etcdctl --endpoints "$EP" get key/ --prefix --keys-only --limit 3
run etcdctl --endpoints "$EP" endpoint status -w table
run etcdctl --endpoints "$EP" endpoint hashkv
[ "$(ctl get key/ --prefix --keys-only -w json | grep -o '"count":[0-9]*')" = '"count":20' ] || fail "restored keys"
[ "$(revision)" = "$SAVED_REV" ] || fail "restored revision $(revision), saved $SAVED_REV"
[ "$(hashkv)" = "$SAVED_HASH" ] || fail "restored hashkv $(hashkv), saved $SAVED_HASH"
ctl put after restore >/dev/null || fail "the restored member does not take writes"

echo "=== restore the same snapshot into a new 3-member cluster"
declare -A CP PP
CLUSTER=""
for m in c1 c2 c3; do CP[$m]=$(port); PP[$m]=$(port); CLUSTER="${CLUSTER:+$CLUSTER,}$m=http://127.0.0.1:${PP[$m]}"; done
for m in c1 c2 c3; do
  bin/vetch snapshot restore "$WORK/backup.db" --data-dir "$WORK/$m" --name "$m" --initial-cluster "$CLUSTER" \
    >/dev/null || fail "restore $m"
  bin/vetch --name "$m" --data-dir "$WORK/$m" --initial-cluster "$CLUSTER" \
    --listen-client-urls "http://127.0.0.1:${CP[$m]}" --advertise-client-urls "http://127.0.0.1:${CP[$m]}" \
    --listen-peer-urls "http://127.0.0.1:${PP[$m]}" --initial-advertise-peer-urls "http://127.0.0.1:${PP[$m]}" \
    >>"$WORK/$m.log" 2>&1 &
  PIDS+=("$!"); disown "$!"
done
ALL="127.0.0.1:${CP[c1]},127.0.0.1:${CP[c2]},127.0.0.1:${CP[c3]}"
for _ in $(seq 1 120); do
  etcdctl --endpoints "$ALL" --command-timeout=2s endpoint health >/dev/null 2>&1 && break
  sleep 0.5
done
run etcdctl --endpoints "$ALL" endpoint hashkv
run etcdctl --endpoints "$ALL" endpoint status
for m in c1 c2 c3; do
  EP="127.0.0.1:${CP[$m]}"
  [ "$(revision)" = "$SAVED_REV" ] && [ "$(hashkv)" = "$SAVED_HASH" ] || fail "$m: revision $(revision) hash $(hashkv)"
done
ctl put cluster after-restore >/dev/null || fail "the restored cluster does not take writes"

echo "=== periodic auto-compaction, retention 2s"
start auto --auto-compaction-mode periodic --auto-compaction-retention 2s
for i in $(seq 1 5); do ctl put a/k "$i" >/dev/null; done
for _ in $(seq 1 40); do
  ctl get a/k --rev 2 >/dev/null 2>"$WORK/err" || break
  sleep 0.5
done
grep -q 'required revision has been compacted' "$WORK/err" || fail "no auto-compaction within 20 s"
run etcdctl --endpoints "$EP" get a/k --rev 2
grep 'auto-compaction' "$WORK/auto.log" | sed -E 's/^[^ ]+ //' | head -3
echo "OK: maintenance session passed"
