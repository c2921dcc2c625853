#!/usr/bin/env bash
# TLS end to end with the real etcdctl against bin/vetch, certificates made here with openssl:
# an https client URL with --client-cert-auth (no certificate: refused); with auth on, the client certificate's CN
# is the user; a 3-member cluster whose peers talk TLS with certificates checked against a CA and an allowed CN;
# --auto-tls; --tls-min-version TLS1.3; JWT tokens; a node started from conf/vetch.yml with its
# client-transport-security block filled in (etcdctl and the JSON gateway over https). Exit 0 = every check passed.
#   src/test/e2e/etcdctl-tls.sh          # from the project root
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$ROOT"
export ETCDCTL_API=3
E2E_NAME=tls
# shellcheck source=lib.sh
. src/test/e2e/lib.sh


# --- certificates: a CA, and leaf certificates signed by it (IP SAN 127.0.0.1 for servers)
C="$WORK/certs"; mkdir -p "$C"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=vetch-test-ca" -keyout "$C/ca.key" -out "$C/ca.crt" \
  2>/dev/null
leaf() { # $1 name, $2 CN
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$C/$1.key" -out "$C/$1.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n' > "$C/$1.ext"
  openssl x509 -req -in "$C/$1.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial -days 2 \
    -extfile "$C/$1.ext" -out "$C/$1.crt" 2>/dev/null
}
leaf server server; leaf root root; leaf alice alice; leaf peer member; leaf rogue rogue

up() { # $1 label, $2 endpoint, then etcdctl TLS flags
  local label="$1" ep="$2"; shift 2
  for _ in $(seq 1 120); do
    etcdctl --endpoints "$ep" --command-timeout=2s "$@" endpoint health >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  fail "$label did not become healthy"
}
start() { # $1 name, then flags
  local name="$1"; shift
  bin/vetch --name "$name" --data-dir "$WORK/$name" "$@" >>"$WORK/$name.log" 2>&1 &
  PIDS+=("$!"); disown "$!"
}

TLS=(--cacert "$C/ca.crt" --cert "$C/root.crt" --key "$C/root.key")
ALICE=(--cacert "$C/ca.crt" --cert "$C/alice.crt" --key "$C/alice.key")

echo "=== https client URL with --client-cert-auth"
CP=$(port); PP=$(port); EP="https://127.0.0.1:$CP"
start s1 --listen-client-urls "$EP" --advertise-client-urls "$EP" \
  --listen-peer-urls "http://127.0.0.1:$PP" --initial-advertise-peer-urls "http://127.0.0.1:$PP" \
  --initial-cluster "s1=http://127.0.0.1:$PP" \
  --cert-file "$C/server.crt" --key-file "$C/server.key" --trusted-ca-file "$C/ca.crt" --client-cert-auth
up s1 "$EP" "${TLS[@]}"
etcdctl --endpoints "$EP" "${TLS[@]}" put /a/x 1
etcdctl --endpoints "$EP" "${TLS[@]}" get /a/x
if etcdctl --endpoints "$EP" --cacert "$C/ca.crt" --command-timeout=3s get /a/x >/dev/null 2>&1; then
  fail "a client without a certificate was served"
fi
echo "a client without a certificate is refused"
if etcdctl --endpoints "127.0.0.1:$CP" --command-timeout=3s get /a/x >/dev/null 2>&1; then
  fail "plaintext was served on an https URL"
fi
echo "plaintext is refused"

echo "=== auth on: the certificate's CN is the user"
etcdctl --endpoints "$EP" "${TLS[@]}" user add root:rootpw >/dev/null
etcdctl --endpoints "$EP" "${TLS[@]}" user add alice:alicepw >/dev/null
etcdctl --endpoints "$EP" "${TLS[@]}" role add reader >/dev/null
etcdctl --endpoints "$EP" "${TLS[@]}" role grant-permission reader read /a/ --prefix=true >/dev/null
etcdctl --endpoints "$EP" "${TLS[@]}" user grant-role alice reader >/dev/null
etcdctl --endpoints "$EP" "${TLS[@]}" auth enable
echo "\$ etcdctl (CN=alice) get /a/x"; etcdctl --endpoints "$EP" "${ALICE[@]}" get /a/x
echo "\$ etcdctl (CN=alice) put /a/x 2"
out=$(etcdctl --endpoints "$EP" "${ALICE[@]}" put /a/x 2 2>&1 || true); echo "$out" | grep '^Error'
echo "$out" | grep -q 'permission denied' || fail "CN alice could write"
echo "\$ etcdctl (CN=root) put /b 1"; etcdctl --endpoints "$EP" "${TLS[@]}" put /b 1

echo "=== a 3-member cluster over peer TLS (CA-checked, allowed CN 'member')"
declare -A CPS PPS
CLUSTER=""
for m in p1 p2 p3; do CPS[$m]=$(port); PPS[$m]=$(port); CLUSTER="${CLUSTER:+$CLUSTER,}$m=https://127.0.0.1:${PPS[$m]}"; done
for m in p1 p2 p3; do
  start "$m" --listen-client-urls "http://127.0.0.1:${CPS[$m]}" --advertise-client-urls "http://127.0.0.1:${CPS[$m]}" \
    --listen-peer-urls "https://127.0.0.1:${PPS[$m]}" --initial-advertise-peer-urls "https://127.0.0.1:${PPS[$m]}" \
    --initial-cluster "$CLUSTER" --peer-cert-file "$C/peer.crt" --peer-key-file "$C/peer.key" \
    --peer-trusted-ca-file "$C/ca.crt" --peer-client-cert-auth --peer-cert-allowed-cn member
done
ALL="127.0.0.1:${CPS[p1]},127.0.0.1:${CPS[p2]},127.0.0.1:${CPS[p3]}"
up cluster "$ALL"
etcdctl --endpoints "127.0.0.1:${CPS[p1]}" put over tls
echo "\$ etcdctl --endpoints p3 get over"; etcdctl --endpoints "127.0.0.1:${CPS[p3]}" get over
etcdctl --endpoints "$ALL" endpoint status
[ "$(etcdctl --endpoints "127.0.0.1:${CPS[p3]}" get over --print-value-only)" = tls ] || fail "p3 does not have the key"
echo "a peer with a certificate of another CN is refused:"
if timeout 5 openssl s_client -connect "127.0.0.1:${PPS[p1]}" -cert "$C/rogue.crt" -key "$C/rogue.key" -CAfile "$C/ca.crt" \
     </dev/null 2>/dev/null | grep -q 'Verify return code: 0'; then
  sleep 0.5; grep -q "not in --peer-cert-allowed-cn" "$WORK/p1.log" || fail "the rogue CN was not refused"
  echo "  (connection closed: $(grep -c 'not in --peer-cert-allowed-cn' "$WORK/p1.log") refusal logged)"
fi

echo "=== --auto-tls and --tls-min-version TLS1.3"
CP=$(port); PP=$(port); EP="https://127.0.0.1:$CP"
start a1 --listen-client-urls "$EP" --advertise-client-urls "$EP" \
  --listen-peer-urls "http://127.0.0.1:$PP" --initial-advertise-peer-urls "http://127.0.0.1:$PP" \
  --initial-cluster "a1=http://127.0.0.1:$PP" --auto-tls --tls-min-version TLS1.3
for _ in $(seq 1 60); do [ -f "$WORK/a1/fixtures/client/cert.pem" ] && break; sleep 0.5; done
AUTO=(--cacert "$WORK/a1/fixtures/client/cert.pem")
up a1 "$EP" "${AUTO[@]}"
etcdctl --endpoints "$EP" "${AUTO[@]}" put auto tls
etcdctl --endpoints "$EP" "${AUTO[@]}" get auto
if timeout 5 openssl s_client -connect "127.0.0.1:$CP" -tls1_2 </dev/null >/dev/null 2>&1; then fail "TLS 1.2 was accepted"; fi
timeout 5 openssl s_client -connect "127.0.0.1:$CP" -tls1_3 </dev/null 2>/dev/null | grep -q 'TLSv1.3' || fail "no TLS 1.3"
echo "TLS 1.2 refused, TLS 1.3 accepted"
echo "=== JWT auth tokens (--auth-token jwt,... RS256)"
openssl genrsa -out "$C/jwt.key" 2048 2>/dev/null
openssl rsa -in "$C/jwt.key" -pubout -out "$C/jwt.pub" 2>/dev/null
CP=$(port); PP=$(port); EP="127.0.0.1:$CP"
start j1 --listen-client-urls "http://$EP" --advertise-client-urls "http://$EP" \
  --listen-peer-urls "http://127.0.0.1:$PP" --initial-advertise-peer-urls "http://127.0.0.1:$PP" \
  --initial-cluster "j1=http://127.0.0.1:$PP" \
  --auth-token "jwt,pub-key=$C/jwt.pub,priv-key=$C/jwt.key,sign-method=RS256,ttl=10m"
up j1 "$EP"
etcdctl --endpoints "$EP" user add root:rootpw >/dev/null
etcdctl --endpoints "$EP" auth enable
etcdctl --endpoints "$EP" --user root:rootpw put jwt works
etcdctl --endpoints "$EP" --user root:rootpw get jwt
out=$(etcdctl --endpoints "$EP" --user root:wrong get jwt 2>&1 || true); echo "$out" | grep '^Error'
echo "$out" | grep -q 'authentication failed' || fail "a wrong password was accepted"
out=$(etcdctl --endpoints "$EP" get jwt 2>&1 || true); echo "$out" | grep '^Error'

echo "=== --config-file: conf/vetch.yml with its client-transport-security block filled in"
CP=$(port); PP=$(port); EP="https://127.0.0.1:$CP"
sed -e "s|^name: .*|name: 'cf1'|" -e "s|^data-dir:.*|data-dir: $WORK/cf1|" \
  -e "s|^listen-client-urls: .*|listen-client-urls: $EP|" -e "s|^advertise-client-urls: .*|advertise-client-urls: $EP|" \
  -e "s|^listen-peer-urls: .*|listen-peer-urls: http://127.0.0.1:$PP|" \
  -e "s|^initial-advertise-peer-urls: .*|initial-advertise-peer-urls: http://127.0.0.1:$PP|" \
  -e "s|^initial-cluster: .*|initial-cluster: cf1=http://127.0.0.1:$PP|" conf/vetch.yml \
  | awk -v c="$C" '/^client-transport-security:/ {blk=1} /^peer-transport-security:/ {blk=0}
      blk && /^  cert-file:/ {$0="  cert-file: " c "/server.crt"} blk && /^  key-file:/ {$0="  key-file: " c "/server.key"}
      blk && /^  trusted-ca-file:/ {$0="  trusted-ca-file: " c "/ca.crt"} blk && /^  client-cert-auth:/ {$0="  client-cert-auth: true"}
      {print}' >"$WORK/cf1.yml"
grep -A3 '^client-transport-security:' "$WORK/cf1.yml"
bin/vetch --config-file "$WORK/cf1.yml" >>"$WORK/cf1.log" 2>&1 &
PIDS+=("$!"); disown "$!"
up cf1 "$EP" "${TLS[@]}"
etcdctl --endpoints "$EP" "${TLS[@]}" put from config-file
etcdctl --endpoints "$EP" "${TLS[@]}" get from
if etcdctl --endpoints "$EP" --cacert "$C/ca.crt" --command-timeout=3s get from >/dev/null 2>&1; then
  fail "client-cert-auth from the config file is not in force"
fi
echo "a client without a certificate is refused (client-cert-auth from the file)"
curl -sf --cacert "$C/ca.crt" --cert "$C/root.crt" --key "$C/root.key" -X POST -d '{"key":"ZnJvbQ=="}' \
  "$EP/v3/kv/range" | grep -q '"value":"Y29uZmlnLWZpbGU="' || fail "the gateway over https did not answer"
echo "the JSON gateway answers over https with a client certificate"
echo "OK: TLS checks passed"
