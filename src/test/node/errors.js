// etcd's error messages as the Node etcd3 client (on grpc-js) sees them from the server at argv[2] (host:port),
// which must be a fresh single member without auth. Prints one line per case: name, the error's class and its
// message, tab-separated. etcd3 picks its error class from the message grpc-js hands it; grpc-js only decodeURI()s
// grpc-message, so a message percent-encoded beyond what gRPC requires ("etcdserver%3A ...") keeps its escapes
// and matches none of etcd3's classes.
'use strict';
const { Etcd3 } = require('etcd3');

const hosts = process.argv[2];

function report(name, err) {
  if (err === undefined) {
    console.log(`${name}\tresolved`);
  } else {
    console.log(`${name}\t${err.constructor.name}\t${err.message}`);
  }
}

async function attempt(name, fn) {
  try {
    await fn();
    report(name, undefined);
  } catch (err) {
    report(name, err);
  }
}

async function main() {
  const client = new Etcd3({ hosts });
  try {
    // LeaseRevoke of an id the server never granted.
    await attempt('lease-not-found', () => client.leaseClient.leaseRevoke({ ID: '7587' }));

    // Lease.revoke() of a lease already revoked: etcd3 treats EtcdLeaseInvalidError as done and resolves.
    const lease = client.lease(60, { autoKeepAlive: false });
    const id = await lease.grant();
    await client.leaseClient.leaseRevoke({ ID: id });
    await attempt('lease-revoke-again', () => lease.revoke());

    // RoleAdd of a role that exists.
    await client.role('dup').create();
    await attempt('role-exists', () => client.role('dup').create());

    // Range at a compacted revision.
    const first = await client.put('compacted-key').value('1').exec();
    const second = await client.put('compacted-key').value('2').exec();
    await client.kv.compact({ revision: second.header.revision, physical: true });
    await attempt('compacted', () => client.get('compacted-key').revision(first.header.revision).string());

    // Put by a user without permissions once auth is on (root user with the root role, and user "nobody").
    await client.role('root').create();
    await client.user('root').create('rootpw');
    await client.user('root').addRole('root');
    await client.user('nobody').create('nobodypw');
    await client.auth.authEnable();
    const nobody = new Etcd3({ hosts, auth: { username: 'nobody', password: 'nobodypw' } });
    try {
      await attempt('permission-denied', () => nobody.put('k').value('v').exec());
    } finally {
      nobody.close();
    }
  } finally {
    client.close();
  }
}

main().then(() => process.exit(0), err => {
  console.error(err && err.stack ? err.stack : String(err));
  process.exit(1);
});
