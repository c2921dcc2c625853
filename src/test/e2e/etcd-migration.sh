#!/usr/bin/env bash
# Backups between vetch and a real etcd 3.4 (Debian's etcd-server and etcd-client), both ways, as an operator
# migrates:
#   vetch -> etcd: a data set with history (overwrites, deletes, a txn, a compaction), leases, users and roles on
#     bin/vetch; `etcdctl snapshot save`; `etcdctl snapshot status` (and `bin/vetch snapshot status`, which must
#     print the same); `etcdctl snapshot restore`; a real etcd started on the restored directory must serve the same
#     keys, values, create/mod revisions and versions at every revision from the compaction on, the same
#     `endpoint hashkv`, the same leases
#     with their keys, users and roles, and take writes; then with auth enabled on vetch, the restored etcd enforces
#     the same users and roles.
#   etcd -> vetch: the same data set on a real etcd, with auth enabled; `etcdctl snapshot save`; `bin/vetch
#     snapshot status` (equal to etcdctl's); `bin/vetch snapshot restore` for one member and for a 3-member
#     cluster; the vetch members must serve the same, with auth on.
#   damaged files: a truncated, a bit-flipped and a foreign file are refused with a message naming the damage and
#     nothing restored.
#   src/test/e2e/etcd-migration.sh          # from the project root; exit 0 = every check passed
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
export ETCDCTL_API=3
E2E_NAME=migrate
# shellcheck source=lib.sh
. src/test/e2e/lib.sh

VETCH="bin/vetch --warmup=false" # (a JIT warm-up per member would only slow the script)
# start LABEL COMMAND NAME CLUSTER CPORT PPORT: a member in $WORK/LABEL; waits until healthy (its own endpoint).
start() {
  local label="$1" cmd="$2" name="$3" cluster="$4" cport="$5" pport="$6"
  $cmd --name "$name" --data-dir "$WORK/$label" --listen-client-urls "http://127.0.0.1:$cport" \
    --advertise-client-urls "http://127.0.0.1:$cport" --listen-peer-urls "http://127.0.0.1:$pport" \
    --initial-advertise-peer-urls "http://127.0.0.1:$pport" --initial-cluster "$cluster" >>"$WORK/$label.log" 2>&1 &
  PIDS+=("$!"); disown "$!"
}
healthy() { # ENDPOINTS [etcdctl flags]
  local ep="$1"; shift
  for _ in $(seq 1 120); do
    etcdctl --endpoints "$ep" --command-timeout=2s "$@" endpoint health >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "$ep did not become healthy"
}
single() { # LABEL COMMAND: a one-member cluster; sets EP
  local c p; c=$(port); p=$(port)
  start "$1" "$2" "$1" "$1=http://127.0.0.1:$p" "$c" "$p"
  EP="127.0.0.1:$c"; healthy "$EP"
}
run() { echo "\$ $*"; "$@" 2>&1 | grep -v '^{"level"' || true; }

# The data set: history with overwrites, deletes, a txn, a compaction (with a key deleted before it), a lease with
# two keys and one without, and users and roles. Leaves the revision compacted at in COMPACTED.
load() { # ENDPOINT
  local c=(etcdctl --endpoints "$1" --command-timeout=10s)
  "${c[@]}" put a 1 >/dev/null; "${c[@]}" put a 2 >/dev/null; "${c[@]}" put b 1 >/dev/null
  "${c[@]}" put gone x >/dev/null; "${c[@]}" del gone >/dev/null
  "${c[@]}" put c 1 >/dev/null; "${c[@]}" put a 3 >/dev/null
  COMPACTED=$("${c[@]}" endpoint status -w json | grep -o '"revision":[0-9]*' | cut -d: -f2)
  "${c[@]}" compact "$COMPACTED" >/dev/null
  "${c[@]}" put a 4 >/dev/null; "${c[@]}" del b >/dev/null; "${c[@]}" put b 2 >/dev/null
  "${c[@]}" txn <<'EOF' >/dev/null
value("a") = "4"

put t1 x
put t2 y
del c


EOF
  local lease
  lease=$("${c[@]}" lease grant 600 | awk '{print $2}')
  "${c[@]}" put l/1 one --lease="$lease" >/dev/null; "${c[@]}" put l/2 two --lease="$lease" >/dev/null
  "${c[@]}" lease grant 900 >/dev/null
  "${c[@]}" put "$(printf 'bin\001ary')" "$(printf 'v\002')" >/dev/null
  "${c[@]}" role add reader >/dev/null; "${c[@]}" role grant-permission reader read a >/dev/null
  "${c[@]}" role grant-permission reader --prefix=true readwrite l/ >/dev/null
  "${c[@]}" role add root >/dev/null
  "${c[@]}" user add root:rootpw >/dev/null; "${c[@]}" user grant-role root root >/dev/null
  "${c[@]}" user add alice:alicepw >/dev/null; "${c[@]}" user grant-role alice reader >/dev/null
}

# What a member serves, to compare between members: its revision and `endpoint hashkv`, every key at every revision from the compacted one on (the
# JSON header's cluster, member and term dropped, as they differ by design), the leases with their TTLs and keys
# (remaining time dropped), the users and roles, and what a compacted revision answers.
dump() { # ENDPOINT [etcdctl flags]
  local ep="$1"; shift
  local c=(etcdctl --endpoints "$ep" --command-timeout=10s "$@")
  local rev r id line
  rev=$("${c[@]}" endpoint status -w json | grep -o '"revision":[0-9]*' | cut -d: -f2)
  echo "revision $rev, hashkv $("${c[@]}" endpoint hashkv | awk -F', ' '{print $2}')"
  for r in $(seq "$COMPACTED" "$rev"); do
    echo "@$r $("${c[@]}" get "" --from-key --rev="$r" -w json | sed -E 's/"(cluster_id|member_id|raft_term)":[0-9]+,?//g')"
  done
  echo "compacted: $("${c[@]}" get a --rev=$((COMPACTED - 1)) 2>&1 | grep -o 'Error.*')"
  for id in $("${c[@]}" lease list | tail -n +2 | sort); do
    line=$("${c[@]}" lease timetolive "$id" --keys)
    echo "${line%%, remaining*} keys: $(sed -E 's/.*keys\(\[(.*)\]\).*/\1/' <<<"$line" | tr ' ' '\n' | sort | tr '\n' ' ')"
  done
  "${c[@]}" user list; "${c[@]}" user get alice; "${c[@]}" role list; "${c[@]}" role get reader
}

snapshot_status() { # FILE: etcdctl's and vetch's status must agree; prints etcdctl's
  local e v
  e=$(etcdctl snapshot status "$1" -w json)
  v=$(bin/vetch snapshot status "$1" -w json)
  [ "$e" = "$v" ] || fail "snapshot status of $1: etcdctl $e, vetch $v"
  echo "$e"
}

echo "=== vetch -> etcd"
single v1 "$VETCH"
load "$EP"
V1="$EP"
dump "$V1" >"$WORK/vetch.dump"
run etcdctl --endpoints "$V1" snapshot save "$WORK/vetch.db"
run etcdctl snapshot status "$WORK/vetch.db" -w table
snapshot_status "$WORK/vetch.db"
P=$(port); C=$(port)
run etcdctl snapshot restore "$WORK/vetch.db" --data-dir "$WORK/e1" --name e1 \
  --initial-cluster "e1=http://127.0.0.1:$P" --initial-advertise-peer-urls "http://127.0.0.1:$P"
start e1 etcd e1 "e1=http://127.0.0.1:$P" "$C" "$P"
EP="127.0.0.1:$C"; healthy "$EP"
dump "$EP" >"$WORK/etcd-restored.dump"
diff "$WORK/vetch.dump" "$WORK/etcd-restored.dump" || fail "etcd restored from vetch's snapshot serves other data"
etcdctl --endpoints "$EP" put after restore >/dev/null || fail "the restored etcd does not take writes"
echo "etcd restored from vetch's snapshot serves the same $(grep -c '^@' "$WORK/vetch.dump") revisions, leases, users and roles"

echo "=== vetch -> etcd (auth enabled)"
etcdctl --endpoints "$V1" auth enable >/dev/null
AUTH=(--user root:rootpw)
dump "$V1" "${AUTH[@]}" >"$WORK/vetch-auth.dump"
run etcdctl --endpoints "$V1" "${AUTH[@]}" snapshot save "$WORK/vetch-auth.db"
snapshot_status "$WORK/vetch-auth.db"
P=$(port); C=$(port)
run etcdctl snapshot restore "$WORK/vetch-auth.db" --data-dir "$WORK/e3" --name e3 \
  --initial-cluster "e3=http://127.0.0.1:$P" --initial-advertise-peer-urls "http://127.0.0.1:$P"
start e3 etcd e3 "e3=http://127.0.0.1:$P" "$C" "$P"
EP="127.0.0.1:$C"; healthy "$EP" "${AUTH[@]}"
dump "$EP" "${AUTH[@]}" >"$WORK/etcd-auth-restored.dump"
diff "$WORK/vetch-auth.dump" "$WORK/etcd-auth-restored.dump" || fail "etcd restored from vetch's snapshot (auth on) serves other data"
etcdctl --endpoints "$EP" get a >/dev/null 2>&1 && fail "auth is not enabled on the restored etcd"
etcdctl --endpoints "$EP" --user alice:alicepw get a >/dev/null || fail "alice cannot read a on the restored etcd"
etcdctl --endpoints "$EP" --user alice:alicepw get b >/dev/null 2>&1 && fail "alice can read b on the restored etcd"
echo "etcd restored from vetch's snapshot with auth on enforces the same users and roles"

echo "=== etcd -> vetch (auth enabled)"
single e2 etcd
load "$EP"
etcdctl --endpoints "$EP" auth enable >/dev/null
E2="$EP"
dump "$E2" "${AUTH[@]}" >"$WORK/etcd.dump"
run etcdctl --endpoints "$E2" "${AUTH[@]}" snapshot save "$WORK/etcd.db"
run bin/vetch snapshot status "$WORK/etcd.db" -w table
snapshot_status "$WORK/etcd.db"
P=$(port); C=$(port)
run bin/vetch snapshot restore "$WORK/etcd.db" --data-dir "$WORK/r1" --name r1 \
  --initial-cluster "r1=http://127.0.0.1:$P" --initial-advertise-peer-urls "http://127.0.0.1:$P"
start r1 "$VETCH" r1 "r1=http://127.0.0.1:$P" "$C" "$P"
EP="127.0.0.1:$C"; healthy "$EP" "${AUTH[@]}"
dump "$EP" "${AUTH[@]}" >"$WORK/vetch-restored.dump"
diff "$WORK/etcd.dump" "$WORK/vetch-restored.dump" || fail "vetch restored from etcd's snapshot serves other data"
etcdctl --endpoints "$EP" get a >/dev/null 2>&1 && fail "auth is not enabled on the restored member"
etcdctl --endpoints "$EP" --user alice:alicepw get a >/dev/null || fail "alice cannot read a"
etcdctl --endpoints "$EP" --user alice:alicepw get b >/dev/null 2>&1 && fail "alice can read b"
etcdctl --endpoints "$EP" "${AUTH[@]}" put after restore >/dev/null || fail "the restored member does not take writes"
echo "vetch restored from etcd's snapshot serves the same $(grep -c '^@' "$WORK/etcd.dump") revisions, leases, users and roles"

echo "=== etcd -> a 3-member vetch cluster"
declare -A CP PP
CLUSTER=""
for m in c1 c2 c3; do CP[$m]=$(port); PP[$m]=$(port); CLUSTER="${CLUSTER:+$CLUSTER,}$m=http://127.0.0.1:${PP[$m]}"; done
for m in c1 c2 c3; do
  bin/vetch snapshot restore "$WORK/etcd.db" --data-dir "$WORK/$m" --name "$m" --initial-cluster "$CLUSTER" \
    --initial-advertise-peer-urls "http://127.0.0.1:${PP[$m]}" >/dev/null || fail "restore $m"
  start "$m" "$VETCH" "$m" "$CLUSTER" "${CP[$m]}" "${PP[$m]}"
done
healthy "127.0.0.1:${CP[c1]},127.0.0.1:${CP[c2]},127.0.0.1:${CP[c3]}" "${AUTH[@]}"
for m in c1 c2 c3; do
  dump "127.0.0.1:${CP[$m]}" "${AUTH[@]}" >"$WORK/$m.dump"
  diff "$WORK/etcd.dump" "$WORK/$m.dump" || fail "$m serves other data than etcd"
done
echo "every member of the restored cluster serves the same"

echo "=== damaged and foreign files"
refused() { # FILE WHAT: restore and status fail naming WHAT, and no data directory is left
  local out
  if out=$(bin/vetch snapshot restore "$1" --data-dir "$WORK/bad" --name bad 2>&1); then fail "restored $1"; fi
  echo "\$ bin/vetch snapshot restore $(basename "$1") ...: $out"
  grep -q "$2" <<<"$out" || fail "restore of $1 does not say '$2': $out"
  [ ! -e "$WORK/bad" ] || fail "restore of $1 left $WORK/bad"
}
SIZE=$(stat -c %s "$WORK/etcd.db")
head -c $((SIZE / 2)) "$WORK/etcd.db" >"$WORK/truncated.db"
refused "$WORK/truncated.db" "snapshot missing hash"
head -c $((SIZE - 32 - 4096)) "$WORK/etcd.db" >"$WORK/short.db"; tail -c 32 "$WORK/etcd.db" >>"$WORK/short.db"
refused "$WORK/short.db" "SHA-256 mismatch"
cp "$WORK/etcd.db" "$WORK/flipped.db"
printf '\xff' | dd of="$WORK/flipped.db" bs=1 seek=$((SIZE - 100)) conv=notrunc 2>/dev/null
refused "$WORK/flipped.db" "SHA-256 mismatch"
head -c $((SIZE - 32)) "$WORK/etcd.db" >"$WORK/nohash.db"
refused "$WORK/nohash.db" "snapshot missing hash"
head -c 8192 /dev/urandom >"$WORK/foreign.db"; head -c 32 /dev/zero >>"$WORK/foreign.db"
refused "$WORK/foreign.db" "SHA-256 mismatch"
if out=$(bin/vetch snapshot restore "$WORK/foreign.db" --skip-hash-check --data-dir "$WORK/bad" --name bad 2>&1); then
  fail "restored a foreign file"
fi
echo "\$ bin/vetch snapshot restore foreign.db --skip-hash-check ...: $out"
grep -q "not an etcd snapshot" <<<"$out" || fail "foreign file: $out"
[ ! -e "$WORK/bad" ] || fail "a foreign file left $WORK/bad"
out=$(bin/vetch snapshot status "$WORK/foreign.db" 2>&1) && fail "status of a foreign file succeeded"
echo "\$ bin/vetch snapshot status foreign.db: $out"
grep -q "not an etcd snapshot" <<<"$out" || fail "status of a foreign file: $out"
echo "OK: vetch -> etcd and etcd -> vetch (one member and a cluster) serve the same data; damaged files refused"
