package io.vetch.server;

import java.nio.ByteBuffer;

/**
 * What a Raft snapshot's data field carries besides the store image (which travels as a file): the membership and
 * the leases. Format: u32 magic "VSD1" | u32 length | membership | u32 length | leases. Data without the magic
 * is a membership alone (snapshots written before leases existed).
 */
record SnapshotData(byte[] membership, byte[] leases) {
  private static final int MAGIC = 0x56534431;

  byte[] encode() {
    return ByteBuffer.allocate(12 + membership.length + leases.length).putInt(MAGIC).putInt(membership.length)
        .put(membership).putInt(leases.length).put(leases).array();
  }

  static SnapshotData decode(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    if (data.length < 4 || b.getInt(0) != MAGIC) {
      return new SnapshotData(data, null);
    }
    b.position(4);
    byte[] membership = new byte[b.getInt()];
    b.get(membership);
    byte[] leases = new byte[b.getInt()];
    b.get(leases);
    return new SnapshotData(membership, leases);
  }
}
