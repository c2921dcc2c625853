package io.vetch.server.backup;

import io.vetch.server.alarm.AlarmStore;
import io.vetch.server.auth.AuthStore;
import io.vetch.server.lease.Lessor;
import io.vetch.server.membership.Membership;
import io.vetch.v2.V2Store;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * What a Raft snapshot's data field carries besides the store image (which travels as a file): the membership, the
 * leases, the alarms, the auth store and the v2 store (etcd's v2 key tree, {@link io.vetch.v2.V2Store#save}).
 * Format: u32 magic "VSD1" | u32 length | membership | u32 length | leases [| u32 length | alarms [| u32 length |
 * auth [| u32 length | v2]]]. Data without the magic is a membership alone; a missing section (snapshots written
 * before it existed) is null, and no data at all (never written) has no section. {@link #decode} checks every
 * section decodes, so that a damaged snapshot is refused before any of it is installed.
 */
public record SnapshotData(byte[] membership, byte[] leases, byte[] alarms, byte[] auth, byte[] v2) {
  private static final int MAGIC = 0x56534431;

  public byte[] encode() {
    return ByteBuffer.allocate(24 + membership.length + leases.length + alarms.length + auth.length + v2.length)
        .putInt(MAGIC).putInt(membership.length).put(membership).putInt(leases.length).put(leases)
        .putInt(alarms.length).put(alarms).putInt(auth.length).put(auth).putInt(v2.length).put(v2).array();
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
    if (d.v2 != null) {
      try {
        V2Store.recover(d.v2);
      } catch (IllegalArgumentException e) {
        throw new IOException("snapshot data: the v2 section: " + e.getMessage(), e);
      }
    }
    return d;
  }

  private static SnapshotData sections(byte[] data) throws IOException {
    if (data.length == 0) {
      return new SnapshotData(null, null, null, null, null);
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    if (data.length < 4 || b.getInt(0) != MAGIC) {
      return new SnapshotData(data, null, null, null, null);
    }
    b.position(4);
    byte[] membership = section(b, "membership");
    byte[] leases = section(b, "leases");
    byte[] alarms = b.hasRemaining() ? section(b, "alarms") : null;
    byte[] auth = b.hasRemaining() ? section(b, "auth") : null;
    byte[] v2 = b.hasRemaining() ? section(b, "v2") : null;
    if (b.hasRemaining()) {
      throw new IOException("snapshot data: " + b.remaining() + " bytes after the v2 section");
    }
    return new SnapshotData(membership, leases, alarms, auth, v2);
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
