#!/usr/bin/env bash
# End-to-end KV check driven by the real etcdctl (Debian's etcd-client): runs one script of etcdctl commands
# against a fresh real etcd (Debian's etcd-server) and a fresh bin/vetch, and requires identical output
# (JSON headers' cluster_id/member_id/raft_term aside, which differ by design). Then restarts vetch and checks
# that its data and revision survived.
#   src/test/e2e/etcdctl-kv.sh          # from the project root; exit 0 = identical
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
export ETCDCTL_API=3
E2E_NAME=e2e
# shellcheck source=lib.sh
. src/test/e2e/lib.sh


start() { # $1 label, $2 command; sets EP and PID
  local cport pport
  cport=$(port); pport=$(port)
  $2 --name e2e --data-dir "$WORK/$1" --listen-client-urls "http://127.0.0.1:$cport" \
    --advertise-client-urls "http://127.0.0.1:$cport" --listen-peer-urls "http://127.0.0.1:$pport" \
    --initial-advertise-peer-urls "http://127.0.0.1:$pport" --initial-cluster "e2e=http://127.0.0.1:$pport" \
    >>"$WORK/$1.log" 2>&1 &
  PID=$!; PIDS+=("$PID"); EP="127.0.0.1:$cport"
  for _ in $(seq 1 120); do
    etcdctl --endpoints "$EP" --command-timeout=2s endpoint health >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "$1 did not become healthy:" >&2; tail -30 "$WORK/$1.log" >&2; exit 1
}

# Runs each command, printing the command, its stdout, and its "Error:" lines (etcdctl's log noise dropped).
suite() {
  local ep="$1"
  c() { echo "\$ etcdctl $*"; etcdctl --endpoints "$ep" "$@" 2>"$WORK/err" || echo "(exit $?)"; grep '^Error' "$WORK/err" || true; }
  cj() { echo "\$ etcdctl -w json $*"; { etcdctl --endpoints "$ep" -w json "$@" 2>&1 || echo "(exit $?)"; } \
         | grep -v '^{"level"' | sed -E 's/"(cluster_id|member_id|raft_term)":[0-9]+,?//g'; echo; }
  c put foo bar
  c put foo/a 1
  c put foo/c 3
  c put foo/b 2
  c put foo/a 11 --prev-kv
  c get foo
  c get foo --prefix
  c get foo/ --prefix --limit 2
  c get foo/ --prefix --sort-by=KEY --order=DESCEND
  c get foo/ --prefix --sort-by=VERSION --order=DESCEND
  c get foo/ --prefix --sort-by=MODIFY --order=ASCEND
  c get foo/ --prefix --sort-by=VALUE --order=DESCEND
  c get foo/ --prefix --keys-only
  c get foo/ --prefix --print-value-only
  c get foo/b --from-key
  c get "" --from-key --keys-only
  c get foo/a foo/c
  c get foo/a --rev 3
  c get foo/a --rev 2
  cj get foo/ --prefix
  cj get foo/ --prefix --limit 1
  cj get foo/a --rev 2
  cj put foo/d 4 --prev-kv
  cj put foo/d 5 --prev-kv
  c put foo/d --ignore-value
  c get foo/d -w fields | grep -v '"\(ClusterID\|MemberID\|RaftTerm\)"'
  c put nothere --ignore-value
  c put withlease v --lease=1234abcd
  c del foo/d
  c del foo/d
  c del foo/ --prefix --prev-kv
  c get foo --prefix
  c put k1 v1
  c put k2 v2
  printf 'value("k1") = "v1"\n\nput k1 txn-ok\nput k3 three\n\nput k1 txn-failed\n\n' > "$WORK/txn1"
  echo "\$ etcdctl txn < txn1"; etcdctl --endpoints "$ep" txn < "$WORK/txn1" 2>&1 | grep -v '^{' || true
  printf 'mod("k1") > "100"\n\nput k1 never\n\nget k1\nget k2\n\n' > "$WORK/txn2"
  echo "\$ etcdctl txn < txn2"; etcdctl --endpoints "$ep" txn < "$WORK/txn2" 2>&1 | grep -v '^{' || true
  printf 'version("k2") = "1"\ncreate("k9") = "0"\n\nput k9 nine\ndel k2\n\n\n' > "$WORK/txn3"
  echo "\$ etcdctl txn -w json < txn3"; etcdctl --endpoints "$ep" -w json txn < "$WORK/txn3" 2>&1 \
    | sed -E 's/"(cluster_id|member_id|raft_term)":[0-9]+,?//g'; echo
  c get k --prefix
  c compaction 5
  c get foo/a --rev 4
  c get foo/a --rev 5
  c get k1 --rev 1000
  c compaction 3
  c compaction 1000
  c compaction 10 --physical
  c get "" --from-key
  # watch: a watcher in the background sees the commands that follow it
  w() {
    local args="$1"; shift
    echo "\$ etcdctl watch $args"
    timeout 3 etcdctl --endpoints "$ep" watch $args > "$WORK/w.out" 2>&1 &
    local wp=$!
    sleep 1
    for cmd in "$@"; do etcdctl --endpoints "$ep" $cmd >/dev/null 2>&1; done
    wait "$wp" || true
    grep -v '^{"level"' "$WORK/w.out" | sed -E 's/"(cluster_id|member_id|raft_term)":[0-9]+,?//g'
  }
  w "w/ --prefix" "put w/a 1" "put w/b 2" "del w/a" "put x 1"
  w "w/ --prefix --prev-kv" "put w/b 3" "del w/b" "put w/b 4"
  w "w/a" "put w/a 5" "put w/ab 6" "put w/a 7"
  w "w/ --prefix --rev 14" "put w/c 8"
  w "w/ w/b" "put w/a 9" "put w/b 10"
  w "w/a --rev 12 -w json" "put w/a 11"
  w "k1 --rev 3"
  w "w/ --prefix --rev 11" 
  c compaction 20
  w "w/ --prefix --rev 19"
  w "w/ --prefix --rev 20"
  # leases (ids differ between servers: masked)
  l() {
    { echo "\$ etcdctl $*"; etcdctl --endpoints "$ep" "$@" 2>&1 || true; } | grep -v '^{"level"' | sed -E \
      -e 's/"(cluster_id|member_id|raft_term)":[0-9]+,?//g' -e 's/"lease":[0-9]+/"lease":ID/g' \
      -e 's/[0-9a-f]{16}/ID/g' -e 's/remaining\([0-9]+s\)/remaining(Ns)/'
  }
  local lid short
  lid=$(etcdctl --endpoints "$ep" lease grant 100 | awk '{print $2}')
  l put l/a 1 --lease="$lid"
  l lease timetolive "$lid" --keys
  l put l/b 2 --lease="$lid" # (etcd lists attached keys in no set order: one key above)
  l lease keep-alive --once "$lid"
  l get l/ --prefix -w json
  l lease grant 1
  l lease revoke "$lid"
  l get l/ --prefix
  l lease revoke "$lid"
  l lease timetolive "$lid"
  l put l/x 1 --lease=1234abcd
  short=$(etcdctl --endpoints "$ep" lease grant 2 | awk '{print $2}')
  etcdctl --endpoints "$ep" put l/short s --lease="$short" >/dev/null
  w "l/short"  # the watcher sees the expiry's DELETE (it watches 3 s, the lease lives 2 s)
  l get l/short
}

start etcd etcd
suite "$EP" > "$WORK/etcd.out"
kill "$PID"; wait "$PID" 2>/dev/null || true
if [ -n "${E2E_SHOW_ETCD:-}" ]; then cat "$WORK/etcd.out"; exit 0; fi

start vetch bin/vetch
suite "$EP" > "$WORK/vetch.out"
etcdctl --endpoints "$EP" get "" --from-key -w json | sed -E 's/"(cluster_id|member_id|raft_term)":[0-9]+,?//g' > "$WORK/before"
kill "$PID"; wait "$PID" 2>/dev/null || true

if ! diff -u "$WORK/etcd.out" "$WORK/vetch.out"; then
  echo "FAIL: etcdctl output differs between etcd (-) and vetch (+)" >&2
  exit 1
fi
start vetch bin/vetch
etcdctl --endpoints "$EP" get "" --from-key -w json | sed -E 's/"(cluster_id|member_id|raft_term)":[0-9]+,?//g' > "$WORK/after"
if ! diff -u "$WORK/before" "$WORK/after"; then
  echo "FAIL: data or revision changed across a vetch restart" >&2
  exit 1
fi
echo "OK: $(grep -c '^\$ ' "$WORK/etcd.out") etcdctl commands gave identical output on etcd and vetch; restart kept every key and the revision"
