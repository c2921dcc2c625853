package io.vetch.wal;

import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.HardState;
import io.vetch.failpoint.Failpoints;
import io.vetch.failpoint.StorageFault;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The write-ahead log: Raft entries, hard state, snapshot markers and caller metadata in segment files of one
 * directory, after etcd's {@code wal} package.
 *
 * <p><b>Files.</b> Segments are named {@code <seq as 16 hex>-<first index as 16 hex>.wal} ({@link SegmentFile});
 * seq counts from 0 without gaps. Each segment is preallocated to {@link WalOptions#segmentBytes()} by writing
 * zeros; the next one is prepared on a background thread ({@link FilePipeline}) and renamed into place when the
 * current one rolls, which happens when the next record would not fit (a record larger than a segment gets a
 * segment of its own that grows to fit it). Rolling fsyncs the old segment, writes the new segment's header, fsyncs
 * it, renames it from {@code .tmp} and fsyncs the directory.
 *
 * <p><b>Records</b> ({@link SegmentWriter}): {@code u32 length | u32 crc32c | u8 type | payload}, big-endian, the
 * CRC32C over type + payload; types METADATA, ENTRY, STATE, SNAPSHOT ({@link RecordType}). A zero length at a record
 * boundary followed by zeros ends the data.
 *
 * <p><b>Segment header.</b> Every segment starts with the metadata (if any), the current hard state and the current
 * snapshot marker, so deleting older segments loses none of them and {@link #purge} is safe.
 *
 * <p><b>Open / recovery</b> ({@link WalReplay}, {@link SegmentReader}). A bad record (CRC mismatch, length past the
 * end of the file, partial header, zero length followed by data) in the last segment, with only zeros after the
 * record's declared end, is a torn write: after the whole WAL has been read, open() overwrites it with zeros from
 * the record's start, fsyncs, and rolls to a fresh segment. Any other damage throws {@link WalCorruptException}
 * naming the file and offset before anything is modified. Entries follow Raft: an entry at index i replaces
 * entries >= i; a snapshot marker drops entries up to it (and all entries when the log held another term at its
 * index, see {@link LogTerms}).
 *
 * <p><b>Durability.</b> save methods only buffer; bytes reach the file in one write per batch at the latest on
 * {@link #sync()}, which then fsyncs ({@code FileChannel.force(false)}) the current segment: the caller calls it
 * once per batch (group commit) and nothing is durable before it returns. With direct I/O (the default where the
 * file system allows it, {@link SegmentWriter}) that write is itself durable when it returns and sync needs no
 * fsync. {@link #startSync()} runs the same sync on the Wal's own thread ({@link SyncThread}), so that the owner can
 * apply entries while the disk writes; {@link #awaitSync} then returns when sync would have.
 *
 * <p><b>Failure.</b> A failed write, fsync, create or rename throws a {@link io.vetch.failpoint.StorageFault} naming
 * the file, and every later write throws: after a failed fsync the page cache cannot be trusted (PostgreSQL's
 * "fsyncgate"), so the data is never written or fsynced again as if nothing happened. {@link #abandon()} then makes
 * the log on disk end where the last successful fsync left it, for {@link #open} to read it afresh.
 *
 * <p><b>Threading.</b> Not thread-safe: one writer thread (the storage worker) owns the Wal from open to close;
 * between {@link #startSync()} and {@link #awaitSync} it makes no other call.
 */
public final class Wal implements Closeable {
  private final Path dir;
  private final WalOptions options;
  private final FilePipeline pipeline;
  private final List<SegmentFile> segments;
  private final LogTerms terms;
  private final List<Entry> openedEntries;
  private byte[] metadata;
  private HardState hardState;
  private SnapshotMarker snapshot;
  private SegmentWriter writer;
  /** End of the current segment's header, or -1 if unknown (segment reopened). */
  private long headerEnd = -1;
  private boolean closed;
  /** The first write failure; after it every write throws (a failed fsync may have lost pages: reopen instead). */
  private IOException failure;
  /** Runs {@link #startSync()}'s syncs; started by the first. */
  private SyncThread syncThread;
  /** Between {@link #startSync()} and {@link #awaitSync}. */
  private boolean syncing;
  /** The current segment's sync, made once: a batch's sync allocates nothing. */
  private final Write segmentSync = () -> writer.sync();
  /** {@link #segmentSync} as the sync thread runs it. */
  private final Write backgroundSync = () -> writeNow(segmentSync);

  private Wal(Path dir, WalOptions options, List<SegmentFile> segments, WalReplay replay) {
    this.dir = dir;
    this.options = options;
    this.segments = segments;
    this.terms = replay.terms;
    this.openedEntries = List.copyOf(replay.entries);
    this.metadata = replay.metadata;
    this.hardState = replay.hardState;
    this.snapshot = replay.snapshot;
    this.pipeline = new FilePipeline(dir, options.segmentBytes());
  }

  /**
   * Opens the WAL in dir, creating dir and a first segment if it holds none. Reads every record; repairs a torn
   * tail; throws {@link WalCorruptException} for any other damage, having modified nothing.
   */
  public static Wal open(Path dir, WalOptions options) throws IOException {
    Files.createDirectories(dir);
    List<SegmentFile> segments = new ArrayList<>(SegmentFile.list(dir));
    WalReplay replay = segments.isEmpty() ? new WalReplay() : WalReplay.read(segments);
    deleteLeftoverTmpFiles(dir);
    Wal wal = new Wal(dir, options, segments, replay);
    try {
      if (segments.isEmpty()) {
        wal.cut();
      } else {
        wal.reopenLast(replay.tail());
      }
      return wal;
    } catch (IOException | RuntimeException e) {
      wal.close();
      throw e;
    }
  }

  private void reopenLast(SegmentReader.Scan tail) throws IOException {
    Path last = segments.get(segments.size() - 1).path();
    if (tail.torn()) {
      try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
        ByteBuffer zeros = ByteBuffer.allocate((int) (tail.tornEnd() - tail.end()));
        long pos = tail.end();
        while (zeros.hasRemaining()) {
          pos += ch.write(zeros, pos);
        }
        ch.force(false);
      }
      System.getLogger(Wal.class.getName()).log(System.Logger.Level.WARNING,
          "repaired torn WAL tail: {0} at offset {1} ({2})", last, tail.end(), tail.tornReason());
    }
    writer = SegmentWriter.open(last, last, tail.end(), null, options.directIo());
    if (tail.torn()) {
      cut();
    }
  }

  private static void deleteLeftoverTmpFiles(Path dir) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + FilePipeline.SUFFIX)) {
      for (Path p : ds) {
        Files.delete(p);
      }
    }
  }

  /** The last METADATA payload (as read by open or saved since), or null if none. */
  public byte[] metadata() {
    return metadata == null ? null : metadata.clone();
  }

  /** The last hard state read by open or saved since, or {@code HardState.getDefaultInstance()}. */
  public HardState hardState() {
    return hardState;
  }

  /** The last snapshot marker read by open or saved since, or (0, 0). */
  public SnapshotMarker lastSnapshot() {
    return snapshot;
  }

  /**
   * The entries open() read with index > the snapshot marker's, contiguous and in index order (later entries at
   * an index replaced earlier ones). Not updated by later saves.
   */
  public List<Entry> entries() {
    return openedEntries;
  }

  /** Index of the last entry in the log, or the snapshot marker's index when there is none after it. */
  public long lastIndex() {
    return terms.lastIndex();
  }

  /** Appends a METADATA record (no fsync); every later segment repeats it. */
  public void saveMetadata(byte[] metadata) throws IOException {
    byte[] copy = metadata.clone();
    write(() -> {
      roomFor(copy.length);
      writer.append(RecordType.METADATA, copy);
      this.metadata = copy;
    });
  }

  /**
   * Appends entries, then the hard state if hs is not null (no fsync). Entries must be consecutive and the first
   * at most {@link #lastIndex()} + 1; a first index <= lastIndex() replaces the entries from there on.
   */
  public void save(HardState hs, List<Entry> entries) throws IOException {
    ensureOpen();
    long expected = terms.lastIndex() + 1;
    for (int i = 0; i < entries.size(); i++) {
      long index = entries.get(i).getIndex();
      if (i == 0 ? index > expected : index != expected) {
        throw new IllegalArgumentException("entry index " + index + " where at most " + expected + " fits");
      }
      expected = index + 1;
    }
    write(() -> {
      for (Entry e : entries) {
        roomFor(e.getSerializedSize());
        writer.append(RecordType.ENTRY, e);
        terms.append(e.getIndex(), e.getTerm());
      }
      if (hs != null) {
        roomFor(hs.getSerializedSize());
        writer.append(RecordType.STATE, hs);
        hardState = hs;
      }
    });
  }

  /**
   * Appends a snapshot marker (no fsync). The snapshot itself must already be saved durably (Snapshotter) so that a
   * restart finding this marker finds the snapshot too. index must not be below {@link #lastSnapshot()}'s.
   */
  public void saveSnapshot(long index, long term) throws IOException {
    ensureOpen();
    if (index < snapshot.index()) {
      throw new IllegalArgumentException("snapshot index " + index + " is below the last one, " + snapshot.index());
    }
    SnapshotMarker marker = new SnapshotMarker(index, term);
    write(() -> {
      roomFor(16);
      writer.appendSnapshot(marker);
      terms.snapshot(index, term);
      snapshot = marker;
    });
  }

  /** Writes what is buffered and fsyncs the current segment; a no-op when nothing was written since. */
  public void sync() throws IOException {
    write(segmentSync);
  }

  /**
   * Starts {@link #sync()} on the Wal's own thread and returns at once: the caller may do other work (nothing of
   * this Wal's) and must then call {@link #awaitSync}. Nothing is durable before that returns.
   */
  public void startSync() throws IOException {
    ensureOpen();
    if (syncThread == null) {
      syncThread = new SyncThread();
    }
    syncing = true;
    syncThread.start(backgroundSync);
  }

  /**
   * Returns when the sync {@link #startSync()} began is done, throwing its failure if it failed (as {@link #sync()}
   * would have), and how long the sync took, in nanoseconds. Waits awake, yielding its CPU, up to spinNanos (for a
   * wait shorter than a thread's wake-up), then parks.
   */
  public long awaitSync(long spinNanos) throws IOException {
    if (!syncing) {
      throw new IllegalStateException("no sync was started");
    }
    try {
      return syncThread.await(spinNanos);
    } finally {
      syncing = false;
    }
  }

  /**
   * Deletes the oldest segments whose entries all have index <= min(index, lastSnapshot().index()) — what a
   * restart from the latest snapshot marker no longer needs — never the current segment. Syncs the current segment
   * first (so the marker that justifies the purge is durable) and fsyncs the directory after deleting. Returns the
   * number of files removed.
   */
  public int purge(long index) throws IOException {
    int[] removed = {0};
    write(() -> {
      writer.sync();
      long limit = Math.min(index, snapshot.index());
      while (segments.size() > 1 && segments.get(1).firstIndex() - 1 <= limit) {
        Files.delete(segments.get(0).path());
        segments.remove(0);
        removed[0]++;
      }
      if (removed[0] > 0) {
        syncDir();
      }
    });
    return removed[0];
  }

  /** Rolls to a new segment first if a record with this payload size would not fit in the current one. */
  private void roomFor(int payloadBytes) throws IOException {
    long end = writer.offset() + SegmentWriter.recordBytes(payloadBytes);
    if (end > options.segmentBytes() && writer.offset() != headerEnd) {
      cut();
    }
  }

  /** Seals the current segment (if any) and continues in a new one that starts with the header records. */
  private void cut() throws IOException {
    ByteBuffer buffer = null;
    if (writer != null) {
      writer.sync();
      writer.close();
      buffer = writer.handOver();
      writer = null;
    }
    long seq = segments.isEmpty() ? 0 : segments.get(segments.size() - 1).seq() + 1;
    SegmentFile segment = new SegmentFile(seq, terms.lastIndex() + 1,
        dir.resolve(SegmentFile.name(seq, terms.lastIndex() + 1)));
    Path tmp;
    try {
      tmp = pipeline.take();
    } catch (IOException e) {
      throw new StorageFault("wal preallocate", dir.resolve("*" + FilePipeline.SUFFIX), e);
    }
    SegmentWriter next = SegmentWriter.open(segment.path(), tmp, 0, buffer, options.directIo());
    try {
      if (metadata != null) {
        next.append(RecordType.METADATA, metadata);
      }
      next.append(RecordType.STATE, hardState);
      next.appendSnapshot(snapshot);
      next.sync();
      try {
        Failpoints.check(Failpoints.WAL_CREATE, segment.path());
        Files.move(tmp, segment.path(), StandardCopyOption.ATOMIC_MOVE);
        syncDir();
      } catch (IOException e) {
        throw new StorageFault("wal create", segment.path(), e);
      }
    } catch (IOException | RuntimeException e) {
      next.close();
      throw e;
    }
    segments.add(segment);
    writer = next;
    headerEnd = next.offset();
  }

  private void syncDir() throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  private void ensureOpen() throws IOException {
    if (syncing) {
      throw new IllegalStateException("a sync started by startSync was not awaited");
    }
    ensureWritable();
  }

  private void ensureWritable() throws IOException {
    if (closed) {
      throw new IllegalStateException("WAL is closed");
    }
    if (failure != null) {
      throw new IOException("WAL failed earlier; close and reopen it", failure);
    }
  }

  /** A write to the log's files; {@link SyncThread} runs one too. */
  interface Write {
    void run() throws IOException;
  }

  /** Runs a write; any failure makes the Wal refuse further writes. */
  private void write(Write w) throws IOException {
    ensureOpen();
    writeNow(w);
  }

  /** {@link #write} without the owner's check: also for the sync thread's job. */
  private void writeNow(Write w) throws IOException {
    ensureWritable();
    try {
      w.run();
    } catch (IOException e) {
      failure = e;
      throw e;
    } catch (RuntimeException e) {
      failure = new IOException(e);
      throw e;
    }
  }

  private void stopSyncThread() {
    if (syncThread != null) {
      syncThread.stop();
      syncThread = null;
    }
  }

  /** Whether the current segment is written with direct I/O (each write durable when it returns). */
  boolean directIo() {
    return writer != null && writer.directIo();
  }

  /** The first write failure, or null: once set, every write throws and only {@link #abandon()} is useful. */
  public IOException failure() {
    return failure;
  }

  /**
   * Closes the WAL without writing what is buffered and makes the log on disk end where the last successful fsync
   * left it: what was written past it in the current segment is overwritten with zeros and fsynced, and a segment
   * whose creation did not finish is deleted. For a WAL that failed (see the class comment); afterwards
   * {@link #open} reads only bytes whose fsync succeeded. If cutting back fails (the disk still fails) it throws and
   * the WAL stays as it was, for a later call to try again: until one succeeds, bytes whose fsync failed may still
   * be read back from the page cache, so the log must not be opened again. Idempotent once it succeeded.
   */
  public void abandon() throws IOException {
    if (closed) {
      return;
    }
    if (writer != null) {
      writer.discardUnsynced();
      writer = null;
    }
    closed = true;
    stopSyncThread();
    try (FilePipeline p = pipeline) {
      long lastSeq = segments.isEmpty() ? -1 : segments.get(segments.size() - 1).seq();
      boolean deleted = false;
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + SegmentFile.SUFFIX)) {
        for (Path f : ds) {
          String name = f.getFileName().toString();
          if (name.length() > 16 && Long.parseUnsignedLong(name.substring(0, 16), 16) > lastSeq) {
            Files.delete(f); // renamed into place, but the directory fsync that makes it part of the log failed
            deleted = true;
          }
        }
      } catch (NumberFormatException e) {
        // not a segment name; open() reports it
      }
      if (deleted) {
        syncDir();
      }
    }
  }

  /**
   * Closes the files without writing anything, for a WAL that failed and could not be {@link #abandon abandoned}
   * (cut back); a no-op once closed.
   */
  public void release() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    stopSyncThread();
    try (FilePipeline p = pipeline) {
      writer.closeWithoutWriting(); // not close(): that would write what is buffered
      writer = null;
    }
  }

  /**
   * Writes and fsyncs what is buffered, closes the segment and stops the pipeline. Idempotent. A WAL that failed is
   * abandoned instead (see {@link #abandon()}); if that throws, its files are closed all the same.
   */
  @Override
  public void close() throws IOException {
    if (failure != null) {
      try {
        abandon();
      } finally {
        release();
      }
      return;
    }
    if (closed) {
      return;
    }
    closed = true;
    stopSyncThread();
    try (FilePipeline p = pipeline) {
      if (writer != null) {
        try (SegmentWriter w = writer) {
          w.sync();
        }
      }
    }
  }
}
