package io.vetch.server;

import java.nio.ByteBuffer;

/**
 * What a Raft snapshot's data field carries besides the store image (which travels as a file): the membership, the
 * leases and the alarms. Format: u32 magic "VSD1" | u32 length | membership | u32 length | leases [| u32 length |
 * alarms]. Data without the magic is a membership alone, and data without the alarms section has none (snapshots
 * written before leases or alarms existed): either is null then.
 */
record SnapshotData(byte[] membership, byte[] leases, byte[] alarms) {
  private static final int MAGIC = 0x56534431;

  byte[] encode() {
    return ByteBuffer.allocate(16 + membership.length + leases.length + alarms.length).putInt(MAGIC)
        .putInt(membership.length).put(membership).putInt(leases.length).put(leases)
        .putInt(alarms.length).put(alarms).array();
  }

  static SnapshotData decode(byte[] data) {
    ByteBuffer b = ByteBuffer.wrap(data);
    if (data.length < 4 || b.getInt(0) != MAGIC) {
      return new SnapshotData(data, null, null);
    }
    b.position(4);
    byte[] membership = section(b);
    byte[] leases = section(b);
    byte[] alarms = b.hasRemaining() ? section(b) : null;
    return new SnapshotData(membership, leases, alarms);
  }

  private static byte[] section(ByteBuffer b) {
    byte[] out = new byte[b.getInt()];
    b.get(out);
    return out;
  }
}
