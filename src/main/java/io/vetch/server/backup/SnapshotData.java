package io.vetch.server.backup;

import java.nio.ByteBuffer;

/**
 * What a Raft snapshot's data field carries besides the store image (which travels as a file): the membership, the
 * leases, the alarms, the auth store and the v2 store (etcd's v2 key tree, {@link io.vetch.v2.V2Store#save}).
 * Format: u32 magic "VSD1" | u32 length | membership | u32 length | leases [| u32 length | alarms [| u32 length |
 * auth [| u32 length | v2]]]. Data without the magic is a membership alone; a missing section (snapshots written
 * before it existed) is null, and no data at all (never written) has no section.
 */
public record SnapshotData(byte[] membership, byte[] leases, byte[] alarms, byte[] auth, byte[] v2) {
  private static final int MAGIC = 0x56534431;

  public byte[] encode() {
    return ByteBuffer.allocate(24 + membership.length + leases.length + alarms.length + auth.length + v2.length)
        .putInt(MAGIC).putInt(membership.length).put(membership).putInt(leases.length).put(leases)
        .putInt(alarms.length).put(alarms).putInt(auth.length).put(auth).putInt(v2.length).put(v2).array();
  }

  public static SnapshotData decode(byte[] data) {
    if (data.length == 0) {
      return new SnapshotData(null, null, null, null, null);
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    if (data.length < 4 || b.getInt(0) != MAGIC) {
      return new SnapshotData(data, null, null, null, null);
    }
    b.position(4);
    byte[] membership = section(b);
    byte[] leases = section(b);
    byte[] alarms = b.hasRemaining() ? section(b) : null;
    byte[] auth = b.hasRemaining() ? section(b) : null;
    byte[] v2 = b.hasRemaining() ? section(b) : null;
    return new SnapshotData(membership, leases, alarms, auth, v2);
  }

  private static byte[] section(ByteBuffer b) {
    byte[] out = new byte[b.getInt()];
    b.get(out);
    return out;
  }
}
