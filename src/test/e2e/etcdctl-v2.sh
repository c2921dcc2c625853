#!/usr/bin/env bash
# etcd's v2 API (--enable-v2): the same ETCDCTL_API=2 etcdctl session and curl calls against a fresh real etcd 3.4
# (Debian's etcd-server) and a fresh bin/vetch, both started with --enable-v2; the outputs must be identical apart
# from index numbers, times, ids and ports. Covers set, get, mk, mkdir, setdir, update, updatedir, rm, rmdir,
# ls -r -p --sort, watch, exec-watch, member list, cluster-health and their errors; with curl: every key operation
# and its HTTP status, compare-and-swap and -delete, in-order keys, TTLs and refresh, wait and waitIndex (within and
# past the 1000-event history), stream, /v2/members, /v2/machines, /v2/stats, and bad input (malformed forms, a body
# past the 10 MB form limit, unknown parameters, bad booleans, indexes and TTLs, paths with ".."). Then vetch
# without --enable-v2 must answer every /v2 path with etcd's 404.
#   src/test/e2e/etcdctl-v2.sh       # from the project root; exit 0 = all good
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
E2E_NAME=etcdctl-v2
# shellcheck source=lib.sh
. src/test/e2e/lib.sh
export ETCDCTL_API=2

start() { # $1 label, $2 command, $3... extra flags; sets EP (http://host:port)
  local label="$1" cmd="$2" cport pport
  shift 2
  cport=$(port); pport=$(port)
  $cmd --name v2 --data-dir "$WORK/$label" --listen-client-urls "http://127.0.0.1:$cport" \
    --advertise-client-urls "http://127.0.0.1:$cport" --listen-peer-urls "http://127.0.0.1:$pport" \
    --initial-advertise-peer-urls "http://127.0.0.1:$pport" --initial-cluster "v2=http://127.0.0.1:$pport" "$@" \
    >>"$WORK/$label.log" 2>&1 &
  PIDS+=("$!"); EP="http://127.0.0.1:$cport"; SERVER=$!
  for _ in $(seq 1 120); do
    # With --enable-v2, also until its client URL is published (v2 etcdctl finds endpoints in /v2/members): etcd
    # serves nothing before it has published it, vetch answers /health as soon as a read goes through.
    if curl -sf "$EP/health" >/dev/null 2>&1 \
        && { [[ " $* " != *" --enable-v2 "* ]] || curl -sf "$EP/v2/members" 2>/dev/null | grep -q "127.0.0.1:$cport"; }; then
      return 0
    fi
    sleep 0.5
  done
  fail "$label did not become healthy"
}
ctl() { echo "\$ etcdctl $*"; etcdctl --endpoints "$EP" "$@" 2>&1 || echo "(exit $?)"; }
# c METHOD PATH [curl args...]: status, the headers that matter, then the body.
c() {
  local m="$1" p="$2"
  shift 2
  echo "> $m $p $*"
  local how=(-X "$m")
  [ "$m" = HEAD ] && how=(-I)
  curl -s -m 10 --path-as-is "${how[@]}" -D "$WORK/h" -o "$WORK/b" "$@" "$EP$p" || echo "(curl exit $?)"
  grep '^HTTP/' "$WORK/h" | tail -1 | tr -d '\r'
  grep -iE '^(content-type|x-etcd-index|x-raft-index|x-raft-term|location|allow):' "$WORK/h" | tr -d '\r' \
    | sed -E 's/^([^:]*):/\L\1:/' | sort
  [ "$m" = HEAD ] || cat "$WORK/b"
  echo
}
norm() {
  sed -E 's/"(modifiedIndex|createdIndex|index)":[0-9]+/"\1":N/g; s/(x-etcd-index|x-raft-index|x-raft-term): [0-9]+/\1: N/;
    s#/[0-9]{20}#/SEQ#g; s/"expiration":"[^"]*"/"expiration":T/g; s/"ttl":[0-9]+/"ttl":N/g;
    s/\[[0-9]+\]$/[N]/; s/\[[0-9]+\/[0-9]+\]/[N\/N]/; s/(Created-Index|Modified-Index|Index): [0-9]+/\1: N/;
    s/(TTL): [1-9][0-9]*/\1: N/; s/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g; s/\b[0-9a-f]{13,16}\b/ID/g;
    s/\[[0-9]+ != [0-9]+\]/[N != N]/; s/waitIndex=[0-9]+/waitIndex=N/; s#@/tmp/[^ ]*/#@#'
}

suite() {
  ctl set /dir/a 1
  ctl set /dir/a 2
  ctl get /dir/a
  ctl -o extended get /dir/a
  ctl -o json get /dir/a
  ctl get /dir
  ctl get /missing
  ctl mk /dir/b 3
  ctl mk /dir/b 4
  ctl mkdir /empty
  ctl mkdir /empty
  ctl setdir /ttldir --ttl 100
  ctl -o extended get /ttldir
  ctl update /dir/a 5
  ctl update /dir/none 6
  ctl updatedir /ttldir --ttl 200
  ctl updatedir /nodir --ttl 10
  ctl set /dir/sub/c 7
  ctl ls --sort  # always sorted: etcd lists a directory in Go's random map order
  ctl ls --sort /dir
  ctl ls -r -p --sort /
  ctl ls --sort -r /dir
  ctl ls /nothing
  ctl set /ttlkey v --ttl 100
  ctl -o extended get /ttlkey
  ctl set /cas x
  ctl set /cas y --swap-with-value z
  ctl set /cas y --swap-with-value x
  ctl rm /cas --with-value nope
  ctl rm /cas --with-value y
  ctl rm /dir
  ctl rm /dir/a
  ctl rm --recursive /dir
  ctl rmdir /empty
  ctl rmdir /missing
  ctl get /dir/a
  ctl set /short v --ttl 1
  sleep 3
  ctl get /short
  # watch: one event; exec-watch: a command per event
  etcdctl --endpoints "$EP" watch /w >"$WORK/watch.out" 2>&1 &
  local w=$!
  etcdctl --endpoints "$EP" exec-watch --recursive /w -- sh -c 'echo "$ETCD_WATCH_ACTION $ETCD_WATCH_KEY $ETCD_WATCH_VALUE"' \
    >"$WORK/exec.out" 2>&1 &
  local x=$!
  sleep 1
  ctl set /w first
  ctl set /w/../w2 second
  ctl rm /w
  for _ in $(seq 1 40); do kill -0 "$w" 2>/dev/null || break; sleep 0.25; done
  kill "$w" "$x" 2>/dev/null || true
  wait "$w" "$x" 2>/dev/null || true
  echo "\$ watch /w"; cat "$WORK/watch.out"
  echo "\$ exec-watch /w"; cat "$WORK/exec.out"
  ctl member list
  ctl cluster-health

  # curl: the key API
  c PUT /v2/keys/foo -d value=bar
  c PUT /v2/keys/foo -d value=baz
  c GET /v2/keys/foo
  c HEAD /v2/keys/foo
  c GET '/v2/keys/foo?quorum=true'
  c GET /v2/keys/nope
  c PUT '/v2/keys/foo?prevExist=false' -d value=x
  c PUT '/v2/keys/foo?prevExist=true' -d value=upd
  c PUT '/v2/keys/new?prevExist=true' -d value=x
  c PUT '/v2/keys/foo?prevValue=upd' -d value=swapped
  c PUT '/v2/keys/foo?prevValue=wrong' -d value=x
  c PUT '/v2/keys/foo?prevIndex=1' -d value=x
  c PUT /v2/keys/foo -d value=quiet -d noValueOnSuccess=true
  c PUT '/v2/keys/html' --data-urlencode 'value=<a href="x">&amp;</a> é \u2028'
  c PUT /v2/keys/d -d dir=true
  c PUT /v2/keys/d -d dir=true
  c PUT /v2/keys/d -d value=1
  c GET /v2/keys/d/
  c POST /v2/keys/queue -d value=job1
  c POST /v2/keys/queue -d value=job2
  c GET '/v2/keys/queue?recursive=true&sorted=true'
  c DELETE /v2/keys/d
  c DELETE '/v2/keys/d?dir=true'
  c DELETE '/v2/keys/queue?recursive=true'
  c DELETE '/v2/keys/foo?prevValue=nope'
  c DELETE '/v2/keys/foo?prevIndex=1'
  c DELETE /v2/keys/foo
  c DELETE /v2/keys/foo
  c PUT /v2/keys/t -d value=1 -d ttl=100
  c PUT /v2/keys/t -d ttl=200 -d refresh=true -d prevExist=true
  c GET /v2/keys/t
  c PUT /v2/keys/t -d ttl=
  c PUT /v2/keys/
  c PUT /v2/keys -d value=x
  c DELETE '/v2/keys/?recursive=true'
  # bad input
  c PUT /v2/keys/bad --data-binary 'value=%zz' -H 'Content-Type: application/x-www-form-urlencoded'
  c GET '/v2/keys/bad?a;b'
  c PUT /v2/keys/bad -d value=1 -d ttl=abc
  c PUT /v2/keys/bad -d value=1 -d ttl=-5
  c PUT /v2/keys/bad -d value=1 -d ttl=99999999999999999999
  c PUT /v2/keys/bad -d value=1 -d prevIndex=x
  c GET '/v2/keys/bad?waitIndex=y'
  c GET '/v2/keys/bad?recursive=yes'
  c GET '/v2/keys/bad?sorted=2'
  c GET '/v2/keys/bad?quorum=maybe'
  c PUT '/v2/keys/bad?wait=true' -d value=1
  c PUT /v2/keys/bad -d prevValue= -d value=1
  c PUT /v2/keys/bad -d prevExist=perhaps -d value=1
  c PUT /v2/keys/bad -d refresh=true -d value=1 -d ttl=5
  c PUT /v2/keys/bad -d refresh=true
  c PUT /v2/keys/bad -d refresh=nah
  c PUT /v2/keys/bad -d value=ok -d unknown=param -d another=1
  c PUT /v2/keys/bad -d value=1 -H 'Content-Type: '
  c PUT /v2/keys/bad --data-binary @"$WORK/huge" -H 'Content-Type: application/x-www-form-urlencoded'
  c PUT /v2/keys/big --data-binary @"$WORK/big" -H 'Content-Type: application/x-www-form-urlencoded' \
    | sed -E 's/a{100,}/a.../'
  c GET /v2/keys/a/../b
  c GET '/v2/keys/../../etc?x=1'
  c PUT /v2/keys//double -d value=1
  c PATCH /v2/keys/foo
  c GET /v2/nothing
  c GET /v2
  # wait and waitIndex
  c PUT /v2/keys/wk -d value=1
  (sleep 1; curl -s -X PUT "$EP/v2/keys/wk" -d value=2 >/dev/null) &
  c GET '/v2/keys/wk?wait=true'
  c GET "/v2/keys/wk?wait=true&waitIndex=$(curl -s -D - -o /dev/null "$EP/v2/keys/wk" | tr -d '\r' \
    | sed -nE 's/^X-Etcd-Index: //Ip')"
  (sleep 1; curl -s -X PUT "$EP/v2/keys/wd/x" -d value=1 >/dev/null) &
  c GET '/v2/keys/wd?wait=true&recursive=true'
  (sleep 1; for v in 1 2 3; do curl -s -X PUT "$EP/v2/keys/ws" -d value=$v >/dev/null; done) &
  echo "> GET /v2/keys/ws?wait=true&stream=true"
  curl -s -m 3 "$EP/v2/keys/ws?wait=true&stream=true" || true
  python3 - "$EP" <<'EOF'
import http.client, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
c = http.client.HTTPConnection(u.hostname, u.port)
for i in range(1010):
    c.request("PUT", "/v2/keys/hist", body="value=%d" % i, headers={"Content-Type": "application/x-www-form-urlencoded"})
    c.getresponse().read()
EOF
  c GET '/v2/keys/hist?wait=true&waitIndex=1'
  # membership and stats
  c GET /v2/members
  c GET /v2/members/leader
  c GET /v2/members/zzz
  c DELETE /v2/members/zzz
  c DELETE /v2/members/123
  c DELETE /v2/members
  c POST /v2/members -d '{"peerURLs":["http://127.0.0.1:1"]}'
  c POST /v2/members -H 'Content-Type: application/json' -d '{"peerURLs":["ftp://x:1"]}'
  c POST /v2/members -H 'Content-Type: application/json' -d '{"peerURLs":[]}'
  c PUT /v2/members/123 -H 'Content-Type: application/json' -d '{"peerURLs":["http://127.0.0.1:2"]}'
  c GET /v2/machines
  c POST /v2/stats/self
  echo "> GET /v2/stats/self"; curl -s "$EP/v2/stats/self" | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)))'
  echo "> GET /v2/stats/leader"; curl -s "$EP/v2/stats/leader"; echo
  echo "> GET /v2/stats/store"; curl -s "$EP/v2/stats/store" | python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)))'
}

head -c $((10 * 1024 * 1024 + 10)) /dev/zero | tr '\0' a | sed 's/^/value=/' >"$WORK/huge"
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' a | sed 's/^/value=/' >"$WORK/big"
start etcd etcd --enable-v2
suite 2>&1 | norm >"$WORK/etcd.out"
start vetch bin/vetch --enable-v2
suite 2>&1 | norm >"$WORK/vetch.out"
if ! diff -u "$WORK/etcd.out" "$WORK/vetch.out" >"$WORK/diff.txt"; then
  cat "$WORK/diff.txt" >&2
  fail "vetch's v2 answers differ from etcd's"
fi
echo "v2 session: $(grep -c . "$WORK/vetch.out") lines identical to etcd's"

# A restart keeps the v2 tree.
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
before=$(grep -c . "$WORK/vetch.out")
start vetch bin/vetch --enable-v2
out=$(etcdctl --endpoints "$EP" ls -r -p --sort / 2>&1)
grep -qx '/html' <<<"$out" && grep -qx '/hist' <<<"$out" || fail "the v2 tree after a restart: $out"
[ "$(etcdctl --endpoints "$EP" get /hist 2>&1)" = 1009 ] || fail "/hist after a restart"
echo "restart: the v2 tree is kept"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

# Without --enable-v2: etcd's 404 on every /v2 path.
start vetch-off bin/vetch
for p in /v2/keys/foo /v2/members /v2/machines /v2/stats/self; do
  out=$(curl -s -w ' %{http_code}' "$EP$p")
  [ "$out" = "404 page not found
 404" ] || fail "$p without --enable-v2: $out"
done
echo "without --enable-v2: 404 as etcd ($before lines compared)"
