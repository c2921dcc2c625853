package io.vetch.wal;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import io.vetch.failpoint.Failpoints;
import io.vetch.failpoint.StorageFault;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import com.sun.nio.file.ExtendedOpenOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 *
 * <p>Direct I/O ({@link #open}): where the file system allows it, writes go through a second descriptor opened with
 * {@code O_DIRECT | O_DSYNC}, so each write is durable when it returns (one device write with its cache flush, no
 * page cache, no separate fdatasync): on this project's VMs that costs the writing thread 35-48 µs of CPU per batch
 * against 52-72 for a buffered write and fdatasync, and returns sooner (docs/performance.md, round 23). Such writes
 * must start and end on the file system's block boundaries: the last partial block's bytes are kept in an aligned
 * staging buffer and written again, with the new records after them and zeros up to the block's end (the file is
 * preallocated with zeros, which end the data). {@code -Dvetch.walDirectIo=false} turns it off; a file system that
 * refuses {@code O_DIRECT} (tmpfs) gets buffered writes and fdatasync.
 */
final class SegmentWriter implements Closeable {
  /** length + crc. */
  static final int HEADER_BYTES = 8;
  private static final int MIN_BUFFER = 1 << 20;

  /** Whether segments are written with direct I/O where the file system allows it (see the class comment). */
  static final boolean DIRECT_IO = Boolean.parseBoolean(System.getProperty("vetch.walDirectIo", "true"));
  private static final System.Logger LOG = System.getLogger(SegmentWriter.class.getName());
  private static volatile boolean directRefusedLogged;

  private final Path file;
  private final FileChannel channel;
  /** The O_DIRECT | O_DSYNC descriptor every write goes through, or null (buffered writes, fsync on sync). */
  private final FileChannel direct;
  /** The file system's block size, in direct mode. */
  private final int block;
  /** In direct mode: aligned; holds the last partial block's bytes at its start between flushes. */
  private ByteBuffer staging;
  /** In direct mode: a block of zeros, to pad each write to the block's end. */
  private byte[] zeros;
  private final CRC32C crc = new CRC32C();
  private ByteBuffer buffer;
  private long flushed;
  private long synced;
  /** The end of every write attempted, successful or not: bytes past {@link #synced} up to here may be on disk. */
  private long reached;
  private boolean dirty;

  /**
   * Writes to channel (of file) from offset on, everything before offset being durable already, through direct (with
   * the file system's block size) or, when null, through channel; buffer may be null or one handed over by a previous
   * writer.
   */
  private SegmentWriter(Path file, FileChannel channel, FileChannel direct, int block, long offset,
      ByteBuffer buffer) {
    this.file = file;
    this.channel = channel;
    this.direct = direct;
    this.block = block;
    this.flushed = offset;
    this.synced = offset;
    this.reached = offset;
    this.buffer = buffer != null ? buffer.clear() : ByteBuffer.allocate(MIN_BUFFER);
  }

  /**
   * A writer of the segment at path (named file in errors, which path may be renamed to while it is open), from
   * offset on, everything before offset being durable already; with direct I/O when directIo and the file system
   * allows it. buffer may be null or one handed over by a previous writer.
   */
  static SegmentWriter open(Path file, Path path, long offset, ByteBuffer buffer, boolean directIo)
      throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    if (!directIo) {
      return new SegmentWriter(file, channel, null, 0, offset, buffer);
    }
    FileChannel direct = null;
    try {
      int block = Math.toIntExact(Files.getFileStore(path).getBlockSize());
      direct = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.DSYNC,
          ExtendedOpenOption.DIRECT);
      SegmentWriter w = new SegmentWriter(file, channel, direct, block, offset, buffer);
      w.staging = aligned(MIN_BUFFER + 2 * block, block);
      w.zeros = new byte[block];
      int tail = (int) (offset % block);
      if (tail > 0) { // the partial block's bytes, to be written again with the next records
        w.staging.limit(block);
        long at = offset - tail;
        while (w.staging.hasRemaining() && direct.read(w.staging, at + w.staging.position()) >= 0) {
          // reads whole blocks
        }
        w.staging.clear();
      }
      return w;
    } catch (IOException | UnsupportedOperationException | ArithmeticException e) {
      if (direct != null) {
        direct.close();
      }
      if (!directRefusedLogged) {
        directRefusedLogged = true;
        LOG.log(System.Logger.Level.INFO, "WAL segments are written with buffered writes and fdatasync: direct I/O "
            + "is not available for " + path + " (" + e + ")");
      }
      return new SegmentWriter(file, channel, null, 0, offset, buffer);
    }
  }

  /** A direct buffer of capacity bytes whose address is a multiple of block. */
  private static ByteBuffer aligned(int capacity, int block) {
    return ByteBuffer.allocateDirect(capacity + block).alignedSlice(block).limit(capacity).slice();
  }

  /** Whether writes go through direct I/O, each durable when it returns. */
  boolean directIo() {
    return direct != null;
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

  /** Writes everything buffered (no fsync; with direct I/O the write is durable when it returns). */
  void flush() throws IOException {
    if (buffer.position() == 0) {
      return;
    }
    if (direct != null) {
      flushDirect();
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

  /**
   * Writes the buffered records from the start of the block holding {@link #flushed} (its bytes before flushed come
   * from the staging buffer) to the end of a block, zeros after them; the last partial block's bytes are kept.
   */
  private void flushDirect() throws IOException {
    int n = buffer.position();
    int tail = (int) (flushed % block);
    int total = tail + n;
    int length = (total + block - 1) / block * block;
    if (staging.capacity() < length) {
      ByteBuffer bigger = aligned(length, block);
      bigger.put(staging.clear().limit(tail));
      staging = bigger;
    }
    staging.clear().position(tail);
    staging.put(buffer.array(), 0, n).put(zeros, 0, length - total);
    staging.flip();
    dirty = true;
    reached = Math.max(reached, flushed + n);
    try {
      Failpoints.check(Failpoints.WAL_WRITE, file);
      long at = flushed - tail;
      while (staging.hasRemaining()) {
        at += direct.write(staging, at);
      }
    } catch (IOException e) {
      throw new StorageFault("wal write", file, e);
    }
    flushed += n;
    int kept = total % block;
    if (kept > 0 && total >= block) {
      staging.put(0, staging, total - kept, kept); // the new partial block to the start
    }
    buffer.clear();
  }

  /** flush, then fsync the segment's data if anything was written since the last sync. */
  void sync() throws IOException {
    flush();
    if (dirty) {
      try {
        Failpoints.check(Failpoints.WAL_FSYNC, file);
        if (direct == null) {
          channel.force(false);
        }
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
    closeDirect();
    channel.close();
  }

  /** Closes the channel without writing anything (a failed WAL that could not be cut back). */
  void closeWithoutWriting() throws IOException {
    try {
      closeDirect();
    } finally {
      channel.close();
    }
  }

  private void closeDirect() throws IOException {
    if (direct != null) {
      direct.close();
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
      try {
        closeDirect();
      } finally {
        channel.close();
      }
    }
  }
}
