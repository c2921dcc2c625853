package io.vetch.wal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The WAL holds damage that is not a torn tail (see {@link Wal}): a bad record in a segment other than the last, a
 * bad record followed by non-zero bytes, a record that passes its CRC but cannot be decoded, or segment files out
 * of sequence. {@link Wal#open} throws it before modifying anything; an operator must look at {@link #file()} at
 * {@link #offset()}.
 */
public final class WalCorruptException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;
  private final String reason;

  public WalCorruptException(Path file, long offset, String reason) {
    super(file + ": corrupt record at offset " + offset + ": " + reason);
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }

  /** The damaged segment file. */
  public Path file() {
    return file;
  }

  /** Byte offset of the damaged record in {@link #file()} (0 for a file-level problem such as its name). */
  public long offset() {
    return offset;
  }

  /** What is wrong, without the file and offset. */
  public String reason() {
    return reason;
  }
}
