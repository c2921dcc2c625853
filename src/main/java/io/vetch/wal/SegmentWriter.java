package io.vetch.wal;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.vetch.failpoint.Failpoints;
import io.vetch.failpoint.StorageFault;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Encodes records into a buffer and writes them to one segment's FileChannel at an explicit position.
 *
 * <p>Record: {@code u32 length | u32 crc32c | u8 type | payload}, big-endian; length counts type + payload (so it
 * is never 0 for a real record) and the CRC32C covers type + payload.
 *
 * <p>Records are buffered until {@link #flush()} (one positional write for everything buffered), which happens on
 * {@link #sync()}, on {@link #close()}, and when the buffer is full. {@link #sync()} is the only fsync. Not
 * thread-safe: owned by the {@link Wal}'s writer thread. The buffer is shared with the next segment's writer via
 * {@link #handOver()}. A failed write or fsync throws a {@link StorageFault} naming the file; {@link #synced()} is then
 * still the end of what the last successful fsync made durable.
 */
final class SegmentWriter implements Closeable {
  /** length + crc. */
  static final int HEADER_BYTES = 8;
  private static final int MIN_BUFFER = 1 << 20;

  private final Path file;
  private final FileChannel channel;
  private final CRC32C crc = new CRC32C();
  private ByteBuffer buffer;
  private long flushed;
  private long synced;
  /** The end of every write attempted, successful or not: bytes past {@link #synced} up to here may be on disk. */
  private long reached;
  private boolean dirty;

  /**
   * Writes to channel (of file) from offset on, everything before offset being durable already; buffer may be null
   * or one handed over by a previous writer.
   */
  SegmentWriter(Path file, FileChannel channel, long offset, ByteBuffer buffer) {
    this.file = file;
    this.channel = channel;
    this.flushed = offset;
    this.synced = offset;
    this.reached = offset;
    this.buffer = buffer != null ? buffer.clear() : ByteBuffer.allocate(MIN_BUFFER);
  }

  /** Bytes a record with this payload size takes in a segment. */
  static int recordBytes(int payloadBytes) {
    return HEADER_BYTES + 1 + payloadBytes;
  }

  /** Offset in the segment just past the last appended record (buffered or not). */
  long offset() {
    return flushed + buffer.position();
  }

  void append(RecordType type, MessageLite message) throws IOException {
    int size = message.getSerializedSize();
    int start = reserve(size);
    CodedOutputStream out = CodedOutputStream.newInstance(buffer.array(), start + HEADER_BYTES + 1, size);
    message.writeTo(out);
    out.checkNoSpaceLeft();
    seal(start, type, size);
  }

  void append(RecordType type, byte[] payload) throws IOException {
    int start = reserve(payload.length);
    System.arraycopy(payload, 0, buffer.array(), start + HEADER_BYTES + 1, payload.length);
    seal(start, type, payload.length);
  }

  void appendSnapshot(SnapshotMarker marker) throws IOException {
    int start = reserve(16);
    buffer.putLong(start + HEADER_BYTES + 1, marker.index()).putLong(start + HEADER_BYTES + 9, marker.term());
    seal(start, RecordType.SNAPSHOT, 16);
  }

  /** Makes room for one record, returns its start in the buffer; flushes or grows the buffer as needed. */
  private int reserve(int payloadBytes) throws IOException {
    int need = recordBytes(payloadBytes);
    if (buffer.remaining() < need) {
      flush();
      if (buffer.capacity() < need) {
        buffer = ByteBuffer.allocate(need);
      }
    }
    return buffer.position();
  }

  private void seal(int start, RecordType type, int payloadBytes) {
    byte[] a = buffer.array();
    a[start + HEADER_BYTES] = type.code;
    crc.reset();
    crc.update(a, start + HEADER_BYTES, 1 + payloadBytes);
    buffer.putInt(start, 1 + payloadBytes).putInt(start + 4, (int) crc.getValue());
    buffer.position(start + recordBytes(payloadBytes));
  }

  /** Writes everything buffered (no fsync). */
  void flush() throws IOException {
    if (buffer.position() == 0) {
      return;
    }
    buffer.flip();
    dirty = true;
    reached = Math.max(reached, flushed + buffer.remaining());
    try {
      Failpoints.check(Failpoints.WAL_WRITE, file);
      while (buffer.hasRemaining()) {
        flushed += channel.write(buffer, flushed);
      }
    } catch (IOException e) {
      throw new StorageFault("wal write", file, e);
    }
    buffer.clear();
  }

  /** flush, then fsync the segment's data if anything was written since the last sync. */
  void sync() throws IOException {
    flush();
    if (dirty) {
      try {
        Failpoints.check(Failpoints.WAL_FSYNC, file);
        channel.force(false);
      } catch (IOException e) {
        throw new StorageFault("wal fsync", file, e);
      }
      dirty = false;
      synced = flushed;
    }
  }

  /** Offset up to which the segment is durable: the end of what the last successful {@link #sync} covered. */
  long synced() {
    return synced;
  }

  /**
   * After a failure: overwrites with zeros whatever was written past {@link #synced}, fsyncs, and closes the
   * channel, so the segment ends where the last successful fsync left it and no byte whose fsync failed is read
   * back. Nothing buffered is written. If it fails the channel stays open and a later call writes all the zeros
   * again (a failed fsync leaves the pages clean in the cache, so only a rewrite makes them reach the disk).
   */
  void discardUnsynced() throws IOException {
    try {
      if (reached > synced) {
        Failpoints.check(Failpoints.WAL_WRITE, file);
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(reached - synced, 1 << 20));
        long pos = synced;
        while (pos < reached) {
          zeros.clear().limit((int) Math.min(zeros.capacity(), reached - pos));
          pos += channel.write(zeros, pos);
        }
        channel.force(false);
      }
    } catch (IOException e) {
      throw new StorageFault("wal truncate", file, e);
    }
    channel.close();
  }

  /** Closes the channel without writing anything (a failed WAL that could not be cut back). */
  void closeWithoutWriting() throws IOException {
    channel.close();
  }

  /** The buffer, for the next segment's writer; this writer must not be used afterwards. */
  ByteBuffer handOver() {
    return buffer;
  }

  /** Flushes (no fsync) and closes the channel. */
  @Override
  public void close() throws IOException {
    try {
      flush();
    } finally {
      channel.close();
    }
  }
}
