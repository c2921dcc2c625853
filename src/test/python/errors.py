"""etcd's error messages as Python grpcio sees them from the server at argv[1] (host:port).

The server must be a fresh single member without auth. Runs on Debian's /usr/bin/python3 with python3-grpcio and
python3-etcd3: the python-etcd3 client where it has the call, its bundled stubs (etcd3.etcdrpc) where it has not
(it has no role calls, and its own wrapper turns FAILED_PRECONDITION into an exception without the message).
Prints one line per case: name, e.code().name and e.details(), tab-separated.
"""
import sys

import etcd3
import etcd3.etcdrpc as rpc
import grpc

host, port = sys.argv[1].rsplit(':', 1)
TIMEOUT = 10


def attempt(name, fn):
    try:
        fn()
        print(name + '\tok', flush=True)
    except grpc.RpcError as e:
        print('%s\t%s\t%s' % (name, e.code().name, e.details()), flush=True)


client = etcd3.client(host=host, port=int(port), timeout=TIMEOUT)
auth = rpc.AuthStub(client.channel)

# LeaseRevoke of an id the server never granted.
attempt('lease-not-found', lambda: client.revoke_lease(7587))

# RoleAdd of a role that exists.
auth.RoleAdd(rpc.AuthRoleAddRequest(name='dup'), TIMEOUT)
attempt('role-exists', lambda: auth.RoleAdd(rpc.AuthRoleAddRequest(name='dup'), TIMEOUT))

# Range at a compacted revision.
first = client.put('compacted-key', '1').header.revision
second = client.put('compacted-key', '2').header.revision
client.compact(second, physical=True)
attempt('compacted', lambda: client.kvstub.Range(
    rpc.RangeRequest(key=b'compacted-key', revision=first), TIMEOUT))

# Put by a user without permissions once auth is on (root user with the root role, and user "nobody").
auth.RoleAdd(rpc.AuthRoleAddRequest(name='root'), TIMEOUT)
auth.UserAdd(rpc.AuthUserAddRequest(name='root', password='rootpw'), TIMEOUT)
auth.UserGrantRole(rpc.AuthUserGrantRoleRequest(user='root', role='root'), TIMEOUT)
auth.UserAdd(rpc.AuthUserAddRequest(name='nobody', password='nobodypw'), TIMEOUT)
auth.AuthEnable(rpc.AuthEnableRequest(), TIMEOUT)
# The token goes as plain metadata: python-etcd3 sends it as call credentials, which grpcio refuses on an insecure
# channel ("does not have a sufficient security level").
token = auth.Authenticate(rpc.AuthenticateRequest(name='nobody', password='nobodypw'), TIMEOUT).token
attempt('permission-denied', lambda: client.kvstub.Put(
    rpc.PutRequest(key=b'k', value=b'v'), TIMEOUT, metadata=(('token', token),)))
client.close()
