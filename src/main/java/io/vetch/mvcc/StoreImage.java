package io.vetch.mvcc;

import io.vetch.mvcc.backend.Backend;
import io.vetch.mvcc.backend.BackendRecord;
import io.vetch.mvcc.backend.MetaKey;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The file format of a full store image (the MVCC part of a Raft snapshot), all integers big-endian:
 * <pre>
 *   header   u32 magic "VMIM" | u32 version (1) | u64 consistent index | u64 scheduled compact revision
 *            | u64 finished compact revision | u64 record count
 *   records  record count times: u32 len | u64 main | u64 sub (the 16-byte revision key) | len bytes of
 *            {@link BackendRecord} (u64 raftIndex | u8 flags | KeyValue)
 *   trailer  u32 CRC32C of every byte before it
 * </pre>
 * Records are in backend order (unordered). As in the store, every main revision after the compact revision (and
 * after 1) has a record; reading checks it, since the store's readers walk revisions one by one. The image holds
 * every backend record, including compacted records whose physical delete was still pending; loading it and running {@link StoreRecovery} queues them again.
 * Stateless; write and load run on the store's writer thread. {@link #scan} and {@link #create} read and write images
 * for converters of other formats (etcd's bbolt snapshot).
 */
public final class StoreImage {
  static final int MAGIC = 0x564D494D; // "VMIM"
  static final int VERSION = 1;
  static final int HEADER_BYTES = 4 + 4 + 4 * Long.BYTES;
  static final int RECORD_PREFIX_BYTES = 4 + 2 * Long.BYTES;
  static final int TRAILER_BYTES = 4;

  private StoreImage() {
  }

  /** What an image's header says. */
  public record Header(long consistentIndex, long scheduledCompactRev, long finishedCompactRev, long recordCount) {
  }

  /** Sees each record of an image: its revision, whether a tombstone, its KeyValue bytes and where they start. */
  public interface RecordVisitor {
    void record(long main, long sub, boolean tombstone, byte[] kv, long kvOffset) throws IOException;
  }

  /** Takes the records of an image {@link #create} writes. */
  public interface RecordSink {
    void add(long main, long sub, boolean tombstone, byte[] kv) throws IOException;
  }

  /** Gives {@link #create} its records. */
  public interface RecordSource {
    void records(RecordSink sink) throws IOException;
  }

  /**
   * Reads and checks the whole image (format, count, CRC) and shows visitor each record in file order; throws
   * IOException naming the damage. The CRC is checked at the end: a visitor sees the records of a damaged image.
   */
  public static Header scan(Path file, RecordVisitor visitor) throws IOException {
    return read(file, (h, main, sub, record, offset) -> visitor.record(main, sub, BackendRecord.isTombstone(record),
        java.util.Arrays.copyOfRange(record, BackendRecord.PAYLOAD_OFFSET, record.length),
        offset + BackendRecord.PAYLOAD_OFFSET));
  }

  /** One stored record as read, after the image's header h: its revision, bytes and offset in the file. */
  private interface RawVisitor {
    void record(Header h, long main, long sub, byte[] record, long offset) throws IOException;
  }

  /**
   * Reads the whole image, checking the header, each record's length, the CRC and that nothing follows it, and
   * shows visitor each record in file order (before the CRC is checked).
   */
  private static Header read(Path file, RawVisitor visitor) throws IOException {
    long fileSize = Files.size(file);
    CRC32C crc = new CRC32C();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
      DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc))) {
      Header h = readHeader(in, fileSize, file);
      long floor = Math.max(1, h.scheduledCompactRev());
      java.util.BitSet mainsAbove = new java.util.BitSet(); // main - floor - 1, for mains above floor
      long maxMain = floor;
      long pos = HEADER_BYTES;
      for (long i = 0; i < h.recordCount(); i++) {
        int len = in.readInt();
        if (len < BackendRecord.PAYLOAD_OFFSET || pos + RECORD_PREFIX_BYTES + len + TRAILER_BYTES > fileSize) {
          throw new IOException(file + ": bad record length " + len + " at offset " + pos);
        }
        long main = in.readLong();
        long sub = in.readLong();
        if (main <= 0 || sub < 0) {
          throw new IOException(file + ": bad revision " + main + "." + sub + " at offset " + pos);
        }
        if (main > floor) {
          if (main - floor > h.recordCount() || main - floor > Integer.MAX_VALUE) { // more than the records can fill
            throw new IOException(file + ": revision " + main + " leaves revisions after the compaction ("
                + floor + ") without a record");
          }
          mainsAbove.set((int) (main - floor - 1));
          maxMain = Math.max(maxMain, main);
        }
        byte[] record = new byte[len];
        in.readFully(record);
        visitor.record(h, main, sub, record, pos + RECORD_PREFIX_BYTES);
        pos += RECORD_PREFIX_BYTES + len;
      }
      long computed = crc.getValue();
      int stored = new DataInputStream(raw).readInt();
      if (raw.read() != -1) {
        throw new IOException(file + ": trailing bytes after the CRC");
      }
      if (stored != (int) computed) {
        throw new IOException(file + ": CRC mismatch");
      }
      if (maxMain - floor != mainsAbove.cardinality()) { // a store writes every revision after its compaction
        throw new IOException(file + ": revisions after the compaction are not contiguous ("
            + mainsAbove.cardinality() + " of the " + (maxMain - floor) + " in (" + floor + ", " + maxMain + "])");
      }
      return h;
    }
  }

  /**
   * Writes an image of header.recordCount() records, those source gives (labelled Raft index 0), to file, not
   * synced: for an image that is loaded at once (a restore) and then deleted.
   */
  public static void create(Path file, Header header, RecordSource source) throws IOException {
    CRC32C crc = new CRC32C();
    long[] n = {0};
    try (BufferedOutputStream buffered = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
      DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc))) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeLong(header.consistentIndex());
      out.writeLong(header.scheduledCompactRev());
      out.writeLong(header.finishedCompactRev());
      out.writeLong(header.recordCount());
      source.records((main, sub, tombstone, kv) -> {
        out.writeInt(BackendRecord.PAYLOAD_OFFSET + kv.length);
        out.writeLong(main);
        out.writeLong(sub);
        out.write(BackendRecord.encode(0, tombstone, kv));
        n[0]++;
      });
      out.flush();
      new DataOutputStream(buffered).writeInt((int) crc.getValue());
    }
    if (n[0] != header.recordCount()) {
      throw new IOException(file + ": " + n[0] + " records written, the header says " + header.recordCount());
    }
  }

  /**
   * Writes every record and meta value of backend, labelled with consistentIndex, to file: first to file.tmp,
   * which is fsynced and then atomically renamed to file (and the directory fsynced). The backend must not
   * change meanwhile (writer thread, no txn open).
   */
  static void write(Backend backend, long consistentIndex, Path file) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    long count = backend.recordCount();
    CRC32C crc = new CRC32C();
    try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
      BufferedOutputStream buffered = new BufferedOutputStream(fos, 1 << 16);
      DataOutputStream out = new DataOutputStream(new CheckedOutputStream(buffered, crc))) {
      out.writeInt(MAGIC);
      out.writeInt(VERSION);
      out.writeLong(consistentIndex);
      out.writeLong(backend.meta(MetaKey.SCHEDULED_COMPACT_REVISION));
      out.writeLong(backend.meta(MetaKey.FINISHED_COMPACT_REVISION));
      out.writeLong(count);
      long[] written = {0};
      try {
        backend.forEach((main, sub, record) -> {
          try {
            out.writeInt(record.length);
            out.writeLong(main);
            out.writeLong(sub);
            out.write(record);
            written[0]++;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      if (written[0] != count) {
        throw new IllegalStateException("backend changed while writing an image: " + written[0]
            + " records, expected " + count);
      }
      out.flush();
      new DataOutputStream(buffered).writeInt((int) crc.getValue());
      buffered.flush();
      fos.getChannel().force(true);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    Path parent = file.toAbsolutePath().getParent();
    try (FileChannel d = FileChannel.open(parent, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  /** Reads and checks the header only (magic, version, a plausible record count). */
  static Header readHeader(Path file) throws IOException {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      return readHeader(in, Files.size(file), file);
    }
  }

  /**
   * Puts every record of the image into target (expected empty) and sets its meta values, verifying the
   * format, the record count and the CRC as it goes. Throws IOException on any damage; target then holds
   * part of the image and must be discarded by the caller. Does not sync target. With rebase, the records and
   * the consistent index are labelled Raft index 0, for a store that starts a new cluster's log.
   */
  static Header load(Path file, Backend target, boolean rebase) throws IOException {
    Header h = read(file, (image, main, sub, record, offset) -> {
      if (BackendRecord.raftIndex(record) > image.consistentIndex()) {
        throw new IOException(file + ": record " + main + "." + sub + " is newer than the image");
      }
      if (rebase) {
        BackendRecord.setRaftIndex(record, 0);
      }
      target.put(main, sub, record);
    });
    if (target.recordCount() != h.recordCount()) {
      throw new IOException(file + ": duplicate revisions in image");
    }
    target.setMeta(MetaKey.CONSISTENT_INDEX, rebase ? 0 : h.consistentIndex());
    target.setMeta(MetaKey.SCHEDULED_COMPACT_REVISION, h.scheduledCompactRev());
    target.setMeta(MetaKey.FINISHED_COMPACT_REVISION, h.finishedCompactRev());
    return h;
  }

  private static Header readHeader(DataInputStream in, long fileSize, Path file) throws IOException {
    if (fileSize < HEADER_BYTES + TRAILER_BYTES) {
      throw new IOException(file + ": too short for a store image (" + fileSize + " bytes)");
    }
    if (in.readInt() != MAGIC) {
      throw new IOException(file + ": not a vetch store image (bad magic)");
    }
    int version = in.readInt();
    if (version != VERSION) {
      throw new IOException(file + ": unsupported store image version " + version);
    }
    Header h = new Header(in.readLong(), in.readLong(), in.readLong(), in.readLong());
    long maxRecords = (fileSize - HEADER_BYTES - TRAILER_BYTES)
        / (RECORD_PREFIX_BYTES + BackendRecord.PAYLOAD_OFFSET);
    if (h.recordCount() < 0 || h.recordCount() > maxRecords || h.consistentIndex() < 0) {
      throw new IOException(file + ": store image header is inconsistent with its size: " + h);
    }
    if (h.finishedCompactRev() < 0 || h.finishedCompactRev() > h.scheduledCompactRev()) {
      throw new IOException(file + ": store image header has a finished compaction past the scheduled one: " + h);
    }
    return h;
  }
}
