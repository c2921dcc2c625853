package io.vetch.wal;

/**
 * Tuning of a {@link Wal}.
 *
 * @param segmentBytes size every segment file is preallocated to (zeros really written); a segment rolls when the
 *     next record would not fit. Between 1 KiB and 1 GiB (segments are memory-mapped read-only while open() replays
 *     them).
 */
public record WalOptions(long segmentBytes) {
  /** etcd's segment size. */
  public static final long DEFAULT_SEGMENT_BYTES = 64L * 1024 * 1024;

  public WalOptions {
    if (segmentBytes < 1024 || segmentBytes > (1L << 30)) {
      throw new IllegalArgumentException("segmentBytes must be in [1 KiB, 1 GiB]: " + segmentBytes);
    }
  }

  /** 64 MiB segments. */
  public static WalOptions defaults() {
    return new WalOptions(DEFAULT_SEGMENT_BYTES);
  }
}
