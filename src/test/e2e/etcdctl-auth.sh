#!/usr/bin/env bash
# Auth end to end, driven by the real etcdctl: one script of user, role, permission and auth commands, and KV,
# watch and lease commands as different users, run against a fresh real etcd (Debian's etcd-server) and a fresh
# bin/vetch; the output must be identical. Then vetch is restarted and must keep its users, roles and auth state.
#   src/test/e2e/etcdctl-auth.sh          # from the project root; exit 0 = identical
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
export ETCDCTL_API=3
E2E_NAME=auth
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
  disown "$PID"
  for _ in $(seq 1 120); do
    etcdctl --endpoints "$EP" --command-timeout=2s put probe x >/dev/null 2>&1 && return 0
    etcdctl --endpoints "$EP" --command-timeout=2s --user root:rootpw put probe x >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "$1 did not become healthy:" >&2; tail -30 "$WORK/$1.log" >&2; exit 1
}

suite() {
  local ep="$1"
  c() { echo "\$ etcdctl $*"; etcdctl --endpoints "$ep" "$@" 2>"$WORK/err" || echo "(exit $?)"; grep '^Error' "$WORK/err" || true; }
  as() { local u="$1"; shift; echo "\$ etcdctl --user $u $*"; etcdctl --endpoints "$ep" --user "$u" "$@" 2>"$WORK/err" \
    || echo "(exit $?)"; grep '^Error' "$WORK/err" || true; }
  c auth enable
  c user add root:rootpw
  c role add root
  c user grant-role root root
  c user add alice:alicepw
  c user add alice:again
  c user add bob --no-password
  c role add app-reader
  c role add app-reader
  c role add app-writer
  c role grant-permission app-reader read /app/ --prefix=true
  c role grant-permission app-writer readwrite /app/w/ --prefix=true
  c role grant-permission app-writer write /logs
  c role grant-permission app-writer read /from --from-key
  c role grant-permission nosuchrole read /x
  c user grant-role alice app-reader
  c user grant-role alice app-writer
  c user grant-role alice nosuchrole
  c user grant-role nobody app-reader
  c role get app-writer
  c user get alice
  c user list
  c role list
  c put /app/a 1
  c put /app/w/b 2
  c put /secret s
  c put /logs l
  c put /from/z z
  c auth enable
  c auth enable
  c get /app/a
  as root:rootpw get /secret
  as alice:alicepw get /app/a
  as alice:alicepw get /app/ --prefix
  as alice:alicepw get /secret
  as alice:alicepw get "" --prefix
  as alice:alicepw get /from --from-key
  as alice:alicepw put /app/a 2
  as alice:alicepw put /app/w/b 3
  as alice:alicepw put /app/w/b 4 --prev-kv
  as alice:alicepw put /logs m
  as alice:alicepw put /logs n --prev-kv
  as alice:alicepw del /app/w/ --prefix
  as alice:alicepw del /app/ --prefix
  as alice:wrong get /app/a
  as nobody:pw get /app/a
  as bob:x get /app/a
  as alice:alicepw user list
  as alice:alicepw user get alice
  as alice:alicepw user get root
  as alice:alicepw role get app-reader
  as alice:alicepw role get root
  as alice:alicepw compaction 2
  printf 'value("/app/a") = "1"\n\nput /app/w/t yes\n\nput /secret no\n\n' > "$WORK/txn1"
  echo "\$ etcdctl --user alice txn < txn1"; etcdctl --endpoints "$ep" --user alice:alicepw txn < "$WORK/txn1" 2>&1 | grep -v '^{' || true
  printf 'value("/app/a") = "1"\n\nput /app/w/t yes\n\nput /app/w/u no\n\n' > "$WORK/txn2"
  echo "\$ etcdctl --user alice txn < txn2"; etcdctl --endpoints "$ep" --user alice:alicepw txn < "$WORK/txn2" 2>&1 | grep -v '^{' || true
  echo "\$ etcdctl --user alice watch /secret"
  timeout 3 etcdctl --endpoints "$ep" --user alice:alicepw watch /secret 2>&1 | grep -v '^{"level"' || true
  echo "\$ etcdctl --user alice watch /app/ --prefix (sees a put by root)"
  timeout 3 etcdctl --endpoints "$ep" --user alice:alicepw watch /app/ --prefix > "$WORK/w.out" 2>&1 &
  local wp=$!
  sleep 1
  etcdctl --endpoints "$ep" --user root:rootpw put /app/w/watched v >/dev/null
  wait "$wp" || true
  grep -v '^{"level"' "$WORK/w.out"
  c role revoke-permission app-writer /app/w/ --prefix=true
  c --user root:rootpw role revoke-permission app-writer /app/w/ --prefix=true
  c --user root:rootpw role revoke-permission app-writer /app/w/ --prefix=true
  as alice:alicepw put /app/w/b 5
  c --user root:rootpw user revoke-role alice app-reader
  c --user root:rootpw user revoke-role alice app-reader
  as alice:alicepw get /app/a
  c --user root:rootpw user passwd alice --interactive=false <<< "newpw"
  as alice:alicepw get /logs
  as alice:newpw put /logs p
  c --user root:rootpw role delete app-writer
  c --user root:rootpw user get alice
  c --user root:rootpw user delete root
  c --user root:rootpw user revoke-role root root
  c --user root:rootpw role delete root
  c --user root:rootpw user delete alice
  as alice:newpw get /logs
  c --user root:rootpw user list
  c --user root:rootpw auth disable
  c get /secret
  c user list
  c auth enable
  c --user root:rootpw get /secret
}

start etcd etcd
suite "$EP" > "$WORK/etcd.out"
kill "$PID"; while kill -0 "$PID" 2>/dev/null; do sleep 0.1; done
if [ -n "${E2E_SHOW_ETCD:-}" ]; then cat "$WORK/etcd.out"; exit 0; fi

start vetch bin/vetch
suite "$EP" > "$WORK/vetch.out"
kill "$PID"; while kill -0 "$PID" 2>/dev/null; do sleep 0.1; done
if ! diff -u "$WORK/etcd.out" "$WORK/vetch.out"; then
  echo "FAIL: etcdctl output differs between etcd (-) and vetch (+)" >&2
  exit 1
fi

start vetch bin/vetch # auth enabled and the users persisted across a restart
{
  etcdctl --endpoints "$EP" get /secret 2>&1 | grep '^Error' || true
  etcdctl --endpoints "$EP" --user root:rootpw user list
  etcdctl --endpoints "$EP" --user root:rootpw role list
} > "$WORK/restarted"
printf 'Error: etcdserver: user name is empty\nbob\nroot\napp-reader\nroot\n' | diff -u - "$WORK/restarted" \
  || { echo "FAIL: auth state changed across a vetch restart" >&2; exit 1; }
echo "OK: $(grep -c '^\$ ' "$WORK/etcd.out") etcdctl auth commands gave identical output on etcd and vetch; restart kept auth"
