package io.vetch.server.backup;

import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.auth.AuthStore;
import io.vetch.server.lease.Lessor;
import io.vetch.server.membership.Membership;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a Raft snapshot's data field carries besides the store image (which travels as a file): the membership, the
 * leases, the alarms and the auth store. Format: u32 magic "VSD1" | u32 length | membership | u32 length | leases
 * [| u32 length | alarms [| u32 length | auth]]. Data without the magic is a membership alone; a missing section
 * (snapshots written before it existed) is null, and no data at all (never written) has no section. {@link #decode}
 * checks every section decodes, so that a damaged snapshot is refused before any of it is installed.
 */
public record SnapshotData(byte[] membership, byte[] leases, byte[] alarms, byte[] auth) {
  private static final int MAGIC = 0x56534431;

  public byte[] encode() {
    return ByteBuffer.allocate(20 + membership.length + leases.length + alarms.length + auth.length).putInt(MAGIC)
        .putInt(membership.length).put(membership).putInt(leases.length).put(leases)
        .putInt(alarms.length).put(alarms).putInt(auth.length).put(auth).array();
  }

  /** The sections of data; IOException naming the damage if they or their contents do not decode. */
  public static SnapshotData decode(byte[] data) throws IOException {
    SnapshotData d = sections(data);
    if (d.membership != null) {
      Membership.decodeMembers(d.membership);
    }
    if (d.leases != null) {
      Lessor.decodeSaved(d.leases);
    }
    if (d.alarms != null) {
      AlarmStore.decodeAlarms(d.alarms);
    }
    if (d.auth != null) {
      AuthStore.decodeSaved(d.auth);
    }
    return d;
  }

  private static SnapshotData sections(byte[] data) throws IOException {
    if (data.length == 0) {
      return new SnapshotData(null, null, null, null);
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    if (data.length < 4 || b.getInt(0) != MAGIC) {
      return new SnapshotData(data, null, null, null);
    }
    b.position(4);
    byte[] membership = section(b, "membership");
    byte[] leases = section(b, "leases");
    byte[] alarms = b.hasRemaining() ? section(b, "alarms") : null;
    byte[] auth = b.hasRemaining() ? section(b, "auth") : null;
    if (b.hasRemaining()) {
      throw new IOException("snapshot data: " + b.remaining() + " bytes after the auth section");
    }
    return new SnapshotData(membership, leases, alarms, auth);
  }

  private static byte[] section(ByteBuffer b, String name) throws IOException {
    int length = b.remaining() >= 4 ? b.getInt() : -1;
    if (length < 0 || length > b.remaining()) {
      throw new IOException("snapshot data: the " + name + " section's length does not fit in the "
          + b.remaining() + " bytes left");
    }
    byte[] out = new byte[length];
    b.get(out);
    return out;
  }
}
