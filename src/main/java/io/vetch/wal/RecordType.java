package io.vetch.wal;

/** The type byte of a WAL record; see {@link Wal} for the record format. Code 0 is never a valid type. */
enum RecordType {
  /** Opaque bytes owned by the caller (cluster and member ids). */
  METADATA(1),
  /** A serialized {@code raftpb.Entry}. */
  ENTRY(2),
  /** A serialized {@code raftpb.HardState}. */
  STATE(3),
  /** A {@link SnapshotMarker}: u64 index, u64 term, big-endian. */
  SNAPSHOT(4);

  final byte code;

  RecordType(int code) {
    this.code = (byte) code;
  }

  /** The type with this code, or null if there is none. */
  static RecordType of(byte code) {
    for (RecordType t : values()) {
      if (t.code == code) {
        return t;
      }
    }
    return null;
  }
}
