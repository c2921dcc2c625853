package io.vetch.wal;

/**
 * Tuning of a {@link Wal}.
 *
 * @param segmentBytes size every segment file is preallocated to (zeros really written); a segment rolls when the
 *     next record would not fit. Between 1 KiB and 1 GiB (segments are memory-mapped read-only while open() replays
 *     them).
 * @param directIo whether segments are written with direct I/O where the file system allows it (see
 *     {@link SegmentWriter}); by default {@code -Dvetch.walDirectIo}, true unless set to false.
 */
public record WalOptions(long segmentBytes, boolean directIo) {
  /** etcd's segment size. */
  public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;

  public WalOptions {
    if (segmentBytes < 1024 || segmentBytes > (1L << 30)) {
      throw new IllegalArgumentException("segmentBytes must be in [1 KiB, 1 GiB]: " + segmentBytes);
    }
  }

  public WalOptions(long segmentBytes) {
    this(segmentBytes, SegmentWriter.DIRECT_IO);
  }

  /** These options with direct I/O on or off. */
  public WalOptions withDirectIo(boolean on) {
    return new WalOptions(segmentBytes, on);
  }

  /** 64 MiB segments. */
  public static WalOptions defaults() {
    return new WalOptions(DEFAULT_SEGMENT_BYTES);
  }
}
