package io.vetch.wal;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
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
 * {@link #handOver()}.
 */
final class SegmentWriter implements Closeable {
  /** length + crc. */
  static final int HEADER_BYTES = 8;
  private static final int MIN_BUFFER = 1 << 20;

  private final FileChannel channel;
  private final CRC32C crc = new CRC32C();
  private ByteBuffer buffer;
  private long flushed;
  private boolean dirty;

  /** Writes to channel from offset on; buffer may be null or one handed over by a previous writer. */
  SegmentWriter(FileChannel channel, long offset, ByteBuffer buffer) {
    this.channel = channel;
    this.flushed = offset;
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
    while (buffer.hasRemaining()) {
      flushed += channel.write(buffer, flushed);
    }
    buffer.clear();
    dirty = true;
  }

  /** flush, then fsync the segment's data if anything was written since the last sync. */
  void sync() throws IOException {
    flush();
    if (dirty) {
      channel.force(false);
      dirty = false;
    }
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
