#!/usr/bin/env bash
# End-to-end check of the HTTP/JSON gateway with curl. Part 1 sends the same KV, txn and lease calls to a fresh
# real etcd (Debian's etcd-server) and a fresh bin/vetch and requires identical JSON (header ids and terms aside).
# Part 2 drives every other route group on bin/vetch: watch streaming, lease keep-alive and aliases, cluster,
# maintenance (incl. the snapshot stream), auth with the Authorization header, lock and election (incl. observe),
# /v3beta and /v3alpha, and etcd's error body.
#   src/test/e2e/gateway.sh          # from the project root; exit 0 = all good
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
E2E_NAME=gateway
# shellcheck source=lib.sh
. src/test/e2e/lib.sh

start() { # $1 label, $2 command; sets EP (http://host:port)
  local cport pport
  cport=$(port); pport=$(port)
  $2 --name gw --data-dir "$WORK/$1" --listen-client-urls "http://127.0.0.1:$cport" \
    --advertise-client-urls "http://127.0.0.1:$cport" --listen-peer-urls "http://127.0.0.1:$pport" \
    --initial-advertise-peer-urls "http://127.0.0.1:$pport" --initial-cluster "gw=http://127.0.0.1:$pport" \
    >>"$WORK/$1.log" 2>&1 &
  PIDS+=("$!"); EP="http://127.0.0.1:$cport"
  for _ in $(seq 1 120); do
    curl -sf "$EP/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "$1 did not become healthy"
}
b64() { printf '%s' "$1" | base64 -w0; }
# post PATH JSON [curl args...]: the response body, then the HTTP status on its own line.
post() { local p="$1" d="$2"; shift 2; curl -s -X POST -d "$d" "$@" -w '\n%{http_code}\n' "$EP$p"; }
norm() { sed -E 's/"(cluster_id|member_id|raft_term)":"[0-9]+",?//g; s/,}/}/g'; }
expect() { # $1 what, $2 output, $3 grep -E pattern it must contain
  grep -qE -- "$3" <<<"$2" || fail "$1: expected /$3/ in: $2"
}

# ---- Part 1: identical to etcd ----
suite() {
  post /v3/kv/put "{\"key\":\"$(b64 foo)\",\"value\":\"$(b64 bar)\"}"
  post /v3/kv/put "{\"key\":\"$(b64 foo/a)\",\"value\":\"$(b64 1)\",\"prev_kv\":true}"
  post /v3/kv/put "{\"key\":\"$(b64 foo/a)\",\"value\":\"$(b64 2)\",\"prev_kv\":true}"
  post /v3/kv/range "{\"key\":\"$(b64 foo)\",\"range_end\":\"$(b64 fop)\"}"
  post /v3/kv/range "{\"key\":\"$(b64 foo)\",\"range_end\":\"$(b64 fop)\",\"count_only\":true}"
  post /v3/kv/range "{\"key\":\"$(b64 foo)\",\"range_end\":\"$(b64 fop)\",\"limit\":1,\"sort_order\":\"DESCEND\",\"sort_target\":\"KEY\"}"
  post /v3/kv/range "{\"key\":\"$(b64 foo)\",\"revision\":\"2\",\"unknown_field\":1}"
  post /v3/kv/txn "{\"compare\":[{\"key\":\"$(b64 foo)\",\"target\":\"VALUE\",\"result\":\"EQUAL\",\"value\":\"$(b64 bar)\"}],\"success\":[{\"request_put\":{\"key\":\"$(b64 foo)\",\"value\":\"$(b64 baz)\"}},{\"request_range\":{\"key\":\"$(b64 foo)\"}}],\"failure\":[]}"
  post /v3/kv/txn "{\"compare\":[{\"key\":\"$(b64 foo)\",\"target\":\"VERSION\",\"result\":\"GREATER\",\"version\":\"5\"}],\"failure\":[{\"request_range\":{\"key\":\"$(b64 foo/a)\"}}]}"
  post /v3/kv/deleterange "{\"key\":\"$(b64 foo/a)\",\"prev_kv\":true}"
  post /v3/kv/compaction '{"revision":"3"}'
  post /v3/kv/range "{\"key\":\"$(b64 foo)\",\"revision\":\"2\"}"
  post /v3/kv/range "{\"key\":\"$(b64 foo)\",\"revision\":\"99\"}"
  post /v3/kv/put '{"key":""}'
  post /v3/kv/put '{"key":"!!notbase64"}' | sed -E 's/"(error|message)":"[^"]*"/"\1":"..."/g'
  post /v3/kv/txn "{\"success\":[{\"request_put\":{\"key\":\"$(b64 d)\"}},{\"request_put\":{\"key\":\"$(b64 d)\"}}]}"
  post /v3/lease/grant '{"TTL":"60","ID":"4242"}'
  post /v3/lease/grant '{"TTL":"60","ID":"4242"}'
  post /v3/kv/put "{\"key\":\"$(b64 leased)\",\"value\":\"$(b64 v)\",\"lease\":\"4242\"}"
  post /v3/kv/put "{\"key\":\"$(b64 leased2)\",\"value\":\"$(b64 v)\",\"lease\":\"777\"}"
  post /v3/lease/timetolive '{"ID":"4242","keys":true}' | sed -E 's/"TTL":"5[0-9]"/"TTL":"5x"/; s/"TTL":"60"/"TTL":"5x"/'
  post /v3/lease/leases '{}'
  post /v3/kv/lease/revoke '{"ID":"4242"}'
  post /v3/kv/range "{\"key\":\"$(b64 leased)\"}"
  post /v3/lease/revoke '{"ID":"4242"}'
}
start etcd etcd
suite | norm >"$WORK/etcd.out"
start vetch bin/vetch
suite | norm >"$WORK/vetch.out"
if ! diff -u "$WORK/etcd.out" "$WORK/vetch.out" >"$WORK/diff.txt"; then
  cat "$WORK/diff.txt" >&2
  fail "the gateway's answers differ from etcd's"
fi
echo "part 1: $(grep -c . "$WORK/vetch.out") lines identical to etcd's"

# ---- Part 2: the other route groups, on vetch ----
out=$(post /v3beta/kv/put "{\"key\":\"$(b64 beta)\",\"value\":\"$(b64 1)\"}")
expect "v3beta put" "$out" '"revision":"[0-9]+"'
expect "v3alpha range" "$(post /v3alpha/kv/range "{\"key\":\"$(b64 beta)\"}")" "\"value\":\"$(b64 1)\""

# Watch: a stream of {"result":...} lines: created, then the history from the first put, then live events.
first=$(post /v3/kv/put "{\"key\":\"$(b64 w/a)\",\"value\":\"$(b64 1)\"}" | grep -oE '"revision":"[0-9]+"' | grep -oE '[0-9]+')
curl -s -N -X POST -d "{\"create_request\":{\"key\":\"$(b64 w/)\",\"range_end\":\"$(b64 w0)\",\"start_revision\":\"$first\",\"prev_kv\":true}}" \
  --max-time 6 "$EP/v3/watch" >"$WORK/watch.out" 2>/dev/null &
WATCH=$!
sleep 1
post /v3/kv/put "{\"key\":\"$(b64 w/a)\",\"value\":\"$(b64 2)\"}" >/dev/null
post /v3/kv/deleterange "{\"key\":\"$(b64 w/a)\"}" >/dev/null
wait $WATCH || true
[ "$(grep -c '"result"' "$WORK/watch.out")" -eq 4 ] || fail "watch: expected 4 result lines: $(cat "$WORK/watch.out")"
expect "watch created" "$(sed -n 1p "$WORK/watch.out")" '"created":true'
expect "watch put" "$(sed -n 3p "$WORK/watch.out")" "\"prev_kv\":\\{\"key\":\"$(b64 w/a)\".*\"value\":\"$(b64 1)\""
expect "watch delete" "$(sed -n 4p "$WORK/watch.out")" '"type":"DELETE"'

# Lease keep-alive: one answer line per request object in the body.
post /v3/lease/grant '{"TTL":"30","ID":"99"}' >/dev/null
out=$(post /v3/lease/keepalive '{"ID":"99"} {"ID":"99"}')
[ "$(grep -c '"TTL":"30"' <<<"$out")" -eq 2 ] || fail "keepalive: $out"
expect "timetolive alias" "$(post /v3/kv/lease/timetolive '{"ID":"99"}')" '"grantedTTL":"30"'
expect "leases alias" "$(post /v3/kv/lease/leases '{}')" '"ID":"99"'

# Cluster.
expect "member list" "$(post /v3/cluster/member/list '{}')" '"name":"gw"'
out=$(post /v3/cluster/member/add '{"peerURLs":["http://127.0.0.1:1"],"isLearner":true}')
expect "member add learner" "$out" '"isLearner":true'
id=$(grep -oE '"member":\{"ID":"[0-9]+"' <<<"$out" | grep -oE '[0-9]+')
expect "member update" "$(post /v3/cluster/member/update "{\"ID\":\"$id\",\"peerURLs\":[\"http://127.0.0.1:2\"]}")" 'http://127.0.0.1:2'
expect "member promote (not started)" "$(post /v3/cluster/member/promote "{\"ID\":\"$id\"}")" 'can only promote a learner member which is in sync with leader'
expect "member remove" "$(post /v3/cluster/member/remove "{\"ID\":\"$id\"}")" '"members":\[\{'

# Maintenance.
expect "status" "$(post /v3/maintenance/status '{}')" '"version":"3\.5\.[0-9]+".*"raftIndex"'
expect "hash" "$(post /v3/maintenance/hash '{}')" '"hash":[0-9]+'
expect "hashkv" "$(post /v3/maintenance/hashkv '{"revision":"0"}')" '"compact_revision":"3"'
expect "alarm get" "$(post /v3/maintenance/alarm '{"action":"GET"}')" '^\{"header"'
expect "defragment" "$(post /v3/maintenance/defragment '{}')" '^\{"header"'
expect "transfer-leadership to self" "$(post /v3/maintenance/transfer-leadership '{"targetID":"1"}')" '"code":'
out=$(post /v3/maintenance/snapshot '{}')
expect "snapshot stream" "$out" '"result":\{.*"blob":"'
expect "snapshot end" "$(grep '"result"' <<<"$out" | tail -1)" '"remaining_bytes"|"blob"'

# Lock and election.
post /v3/lease/grant '{"TTL":"30","ID":"100"}' >/dev/null
post /v3/lease/grant '{"TTL":"30","ID":"101"}' >/dev/null
out=$(post /v3/lock/lock "{\"name\":\"$(b64 mylock)\",\"lease\":\"100\"}")
expect "lock" "$out" "\"key\":\"$(b64 mylock/64)\""
curl -s -X POST -d "{\"name\":\"$(b64 mylock)\",\"lease\":\"101\"}" --max-time 10 "$EP/v3/lock/lock" >"$WORK/lock2.out" &
LOCK2=$!
sleep 1
[ -s "$WORK/lock2.out" ] && fail "a second lock holder: $(cat "$WORK/lock2.out")"
expect "unlock" "$(post /v3/lock/unlock "{\"key\":\"$(b64 mylock/64)\"}")" '^\{"header"'
wait $LOCK2
expect "second lock" "$(cat "$WORK/lock2.out")" "\"key\":\"$(b64 mylock/65)\""
expect "no leader" "$(post /v3/election/leader "{\"name\":\"$(b64 el)\"}")" '"message":"election: no leader"'
curl -s -N -X POST -d "{\"name\":\"$(b64 el)\"}" --max-time 4 "$EP/v3/election/observe" >"$WORK/observe.out" 2>/dev/null &
OBS=$!
out=$(post /v3/election/campaign "{\"name\":\"$(b64 el)\",\"lease\":\"100\",\"value\":\"$(b64 one)\"}")
expect "campaign" "$out" '"leader":\{"name":'
rev=$(grep -oE '"rev":"[0-9]+"' <<<"$out" | grep -oE '[0-9]+')
leader="{\"name\":\"$(b64 el)\",\"key\":\"$(b64 el/64)\",\"rev\":\"$rev\",\"lease\":\"100\"}"
expect "proclaim" "$(post /v3/election/proclaim "{\"leader\":$leader,\"value\":\"$(b64 two)\"}")" '^\{"header"'
expect "leader" "$(post /v3/election/leader "{\"name\":\"$(b64 el)\"}")" "\"value\":\"$(b64 two)\""
expect "proclaim, not leader" "$(post /v3/election/proclaim "{\"leader\":{\"name\":\"$(b64 el)\",\"key\":\"$(b64 el/64)\",\"rev\":\"1\",\"lease\":\"100\"},\"value\":\"$(b64 x)\"}")" '"message":"election: not leader"'
expect "resign" "$(post /v3/election/resign "{\"leader\":$leader}")" '^\{"header"'
wait $OBS || true
expect "observe" "$(cat "$WORK/observe.out")" "\"value\":\"$(b64 one)\".*"
expect "observe proclaimed" "$(cat "$WORK/observe.out")" "\"value\":\"$(b64 two)\""

# Auth with the Authorization header.
post /v3/auth/user/add '{"name":"root","password":"rootpw"}' >/dev/null
post /v3/auth/role/add '{"name":"root"}' >/dev/null
post /v3/auth/user/grant '{"user":"root","role":"root"}' >/dev/null
post /v3/auth/user/add '{"name":"alice","password":"alicepw"}' >/dev/null
post /v3/auth/role/add '{"name":"reader"}' >/dev/null
expect "role grant" "$(post /v3/auth/role/grant "{\"name\":\"reader\",\"perm\":{\"permType\":\"READ\",\"key\":\"$(b64 foo)\"}}")" '^\{"header"'
post /v3/auth/user/grant '{"user":"alice","role":"reader"}' >/dev/null
expect "auth enable" "$(post /v3/auth/enable '{}')" '^\{"header"'
expect "no token" "$(post /v3/kv/put "{\"key\":\"$(b64 foo)\",\"value\":\"$(b64 x)\"}")" '"message":"etcdserver: user name is empty"'
expect "bad password" "$(post /v3/auth/authenticate '{"name":"alice","password":"nope"}')" 'authentication failed, invalid user ID or password'
tok=$(post /v3/auth/authenticate '{"name":"alice","password":"alicepw"}' | grep -oE '"token":"[^"]+"' | cut -d'"' -f4)
[ -n "$tok" ] || fail "no token"
expect "read with token" "$(post /v3/kv/range "{\"key\":\"$(b64 foo)\"}" -H "Authorization: $tok")" '"count":"1"'
expect "write denied" "$(post /v3/kv/put "{\"key\":\"$(b64 foo)\",\"value\":\"$(b64 x)\"}" -H "Authorization: $tok")" '"message":"etcdserver: permission denied"'
expect "bad token" "$(post /v3/kv/range "{\"key\":\"$(b64 foo)\"}" -H "Authorization: junk")" '"message":"etcdserver: invalid auth token"'
rtok=$(post /v3/auth/authenticate '{"name":"root","password":"rootpw"}' | grep -oE '"token":"[^"]+"' | cut -d'"' -f4)
expect "auth status" "$(post /v3/auth/status '{}' -H "Authorization: $rtok")" '"enabled":true'
expect "user list" "$(post /v3/auth/user/list '{}' -H "Authorization: $rtok")" '"users":\["alice","root"\]'
expect "user get" "$(post /v3/auth/user/get '{"name":"alice"}' -H "Authorization: $rtok")" '"roles":\["reader"\]'
expect "role get" "$(post /v3/auth/role/get '{"role":"reader"}' -H "Authorization: $rtok")" '"permType":"READ"|"perm":\[\{"key"'
expect "role list" "$(post /v3/auth/role/list '{}' -H "Authorization: $rtok")" '"roles":\["reader","root"\]'
expect "role revoke" "$(post /v3/auth/role/revoke "{\"role\":\"reader\",\"key\":\"$(b64 foo)\"}" -H "Authorization: $rtok")" '^\{"header"'
expect "user revoke" "$(post /v3/auth/user/revoke '{"name":"alice","role":"reader"}' -H "Authorization: $rtok")" '^\{"header"'
expect "changepw" "$(post /v3/auth/user/changepw '{"name":"alice","password":"new"}' -H "Authorization: $rtok")" '^\{"header"'
expect "user delete" "$(post /v3/auth/user/delete '{"name":"alice"}' -H "Authorization: $rtok")" '^\{"header"'
expect "role delete" "$(post /v3/auth/role/delete '{"role":"reader"}' -H "Authorization: $rtok")" '^\{"header"'
expect "auth disable" "$(post /v3/auth/disable '{}' -H "Authorization: $rtok")" '^\{"header"'
expect "after disable" "$(post /v3/kv/put "{\"key\":\"$(b64 foo)\",\"value\":\"$(b64 x)\"}")" '^\{"header"'
echo "gateway e2e: OK"
