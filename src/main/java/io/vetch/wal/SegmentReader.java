package io.vetch.wal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment (format in {@link SegmentWriter}) and tells a clean end of data from a torn tail
 * and from corruption. Read-only: the file is memory-mapped for reading and never modified here.
 *
 * <p>A length of 0 at a record boundary with only zeros after it is the end of data (preallocated space). A bad
 * record is a partial header, a zero length followed by non-zero bytes, a length running past the end of the file,
 * or a CRC mismatch. A bad record is a torn write only if the segment is the last one and every byte from the
 * record's start + header + declared length (capped at the file size) to the end of the file is zero; otherwise,
 * and for a record whose CRC matches but whose type is unknown, it throws {@link WalCorruptException}.
 */
final class SegmentReader {
  /** Receives every good record in file order; payload is a read-only slice valid during the call. */
  interface Visitor {
    void record(Path file, long offset, RecordType type, ByteBuffer payload) throws WalCorruptException;
  }

  /**
   * The result of a scan.
   *
   * @param end offset just past the last good record: where writing would continue
   * @param tornEnd if a torn tail was found, the offset up to which non-zero bytes may remain (zeros after it);
   *     -1 for a clean segment
   * @param tornReason why the record at {@code end} was judged torn, or null
   */
  record Scan(long end, long tornEnd, String tornReason) {
    boolean torn() {
      return tornEnd >= 0;
    }
  }

  private SegmentReader() {}

  static Scan scan(Path file, boolean last, Visitor visitor) throws IOException {
    MappedByteBuffer data;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      data = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
    }
    return scan(file, data, last, visitor);
  }

  private static Scan scan(Path file, ByteBuffer data, boolean last, Visitor visitor) throws IOException {
    CRC32C crc = new CRC32C();
    int size = data.limit();
    int pos = 0;
    while (pos < size) {
      if (size - pos < SegmentWriter.HEADER_BYTES) {
        if (allZero(data, pos, size)) {
          return new Scan(pos, -1, null);
        }
        return bad(file, data, last, pos, size, "truncated record header");
      }
      long length = Integer.toUnsignedLong(data.getInt(pos));
      int storedCrc = data.getInt(pos + 4);
      if (length == 0) {
        if (allZero(data, pos, size)) {
          return new Scan(pos, -1, null);
        }
        return bad(file, data, last, pos, pos + SegmentWriter.HEADER_BYTES, "zero length followed by data");
      }
      long end = pos + (long) SegmentWriter.HEADER_BYTES + length;
      if (end > size) {
        return bad(file, data, last, pos, size, "length " + length + " runs past end of file (" + size + " bytes)");
      }
      int body = pos + SegmentWriter.HEADER_BYTES;
      crc.reset();
      crc.update(data.slice(body, (int) length));
      if ((int) crc.getValue() != storedCrc) {
        return bad(file, data, last, pos, end, "crc mismatch");
      }
      RecordType type = RecordType.of(data.get(body));
      if (type == null) {
        throw new WalCorruptException(file, pos, "unknown record type " + data.get(body));
      }
      visitor.record(file, pos, type, data.slice(body + 1, (int) length - 1).asReadOnlyBuffer());
      pos = (int) end;
    }
    return new Scan(pos, -1, null);
  }

  private static Scan bad(Path file, ByteBuffer data, boolean last, int pos, long declaredEnd, String why)
      throws WalCorruptException {
    int from = (int) Math.min(declaredEnd, data.limit());
    if (!last) {
      throw new WalCorruptException(file, pos, why + " (not the last segment)");
    }
    if (!allZero(data, from, data.limit())) {
      throw new WalCorruptException(file, pos, why + ", followed by non-zero bytes");
    }
    return new Scan(pos, from, why);
  }

  private static boolean allZero(ByteBuffer data, int from, int to) {
    int i = from;
    for (; i + 8 <= to; i += 8) {
      if (data.getLong(i) != 0) {
        return false;
      }
    }
    for (; i < to; i++) {
      if (data.get(i) != 0) {
        return false;
      }
    }
    return true;
  }
}
