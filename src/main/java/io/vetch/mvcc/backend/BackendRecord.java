package io.vetch.mvcc.backend;

/**
 * Byte layout of one value in the revision map, written down here once:
 * <pre>
 *   offset 0  u64 big-endian  raftIndex   Raft index of the entry that wrote the record
 *   offset 8  u8              flags       bit 0 = tombstone (the record ends a key's generation)
 *   offset 9  ...             payload     the mvccpb.KeyValue protobuf bytes
 * </pre>
 * The payload is opaque to the backend; the MVCC layer encodes and parses it. Stateless, thread-safe.
 */
public final class BackendRecord {
  /** Offset of the KeyValue payload inside an encoded record. */
  public static final int PAYLOAD_OFFSET = 9;
  private static final byte TOMBSTONE = 1;

  private BackendRecord() {
  }

  public static byte[] encode(long raftIndex, boolean tombstone, byte[] payload) {
    byte[] out = new byte[PAYLOAD_OFFSET + payload.length];
    putLong(out, 0, raftIndex);
    out[8] = tombstone ? TOMBSTONE : 0;
    System.arraycopy(payload, 0, out, PAYLOAD_OFFSET, payload.length);
    return out;
  }

  public static long raftIndex(byte[] record) {
    return getLong(record, 0);
  }

  /** Relabels record (in place) as written by the entry at raftIndex. */
  public static void setRaftIndex(byte[] record, long raftIndex) {
    putLong(record, 0, raftIndex);
  }

  public static boolean isTombstone(byte[] record) {
    return (record[8] & TOMBSTONE) != 0;
  }

  public static int payloadLength(byte[] record) {
    return record.length - PAYLOAD_OFFSET;
  }

  static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }
}
