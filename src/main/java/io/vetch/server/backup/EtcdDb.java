package io.vetch.server.backup;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * etcd's backend (bbolt) layout, as etcd 3.4 writes it and etcdctl snapshot save receives it, written down once:
 * <pre>
 *   alarm            etcdserverpb.AlarmMember bytes -> empty
 *   auth             "authEnabled" -> 1 byte (0 or 1) | "authRevision" -> u64
 *   authRoles        name -> authpb.Role          authUsers   name -> authpb.User
 *   cluster          "clusterVersion" -> "3.4.0"
 *   key              revision bytes -> mvccpb.KeyValue (a tombstone's key ends in 't', its value holds the key only)
 *   lease            u64 ID -> leasepb.Lease
 *   members          lowercase hex ID -> JSON {"id","peerURLs","isLearner"?,"name"?,"clientURLs"?}
 *   members_removed  lowercase hex ID -> "removed"
 *   meta             "consistent_index" -> u64 | "finishedCompactRev", "scheduledCompactRev" -> revision bytes
 * </pre>
 * Integers are big-endian; revision bytes are u64 main | '_' | u64 sub (17 bytes), mvcc/revision.go's. A backup
 * (etcdctl snapshot save) is such a file followed by the SHA-256 of its bytes; the file is a whole number of
 * pages, so the trailer is there exactly when size % 512 == 32 (etcd's hasChecksum).
 */
final class EtcdDb {
  static final byte[] ALARM = ascii("alarm");
  static final byte[] AUTH = ascii("auth");
  static final byte[] AUTH_ROLES = ascii("authRoles");
  static final byte[] AUTH_USERS = ascii("authUsers");
  static final byte[] CLUSTER = ascii("cluster");
  static final byte[] KEY = ascii("key");
  static final byte[] LEASE = ascii("lease");
  static final byte[] MEMBERS = ascii("members");
  static final byte[] MEMBERS_REMOVED = ascii("members_removed");
  static final byte[] META = ascii("meta");

  static final byte[] AUTH_ENABLED = ascii("authEnabled");
  static final byte[] AUTH_REVISION = ascii("authRevision");
  static final byte[] CLUSTER_VERSION = ascii("clusterVersion");
  static final byte[] CONSISTENT_INDEX = ascii("consistent_index");
  static final byte[] FINISHED_COMPACT_REV = ascii("finishedCompactRev");
  static final byte[] SCHEDULED_COMPACT_REV = ascii("scheduledCompactRev");

  static final int SHA256_BYTES = 32;

  private EtcdDb() {}

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] u64(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  /** Whether a file of size bytes ends in a SHA-256 trailer (etcd's hasChecksum). */
  static boolean hasChecksum(long size) {
    return size % 512 == SHA256_BYTES;
  }
}
