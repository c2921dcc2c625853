package io.vetch.mvcc.backend;

import io.vetch.failpoint.Failpoints;
import io.vetch.failpoint.StorageFault;
import java.io.Closeable;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;

/**
 * The MVCC store's persistent backend (etcd's bolt backend with its "key" and "meta" buckets), built on two
 * persisted Chronicle Maps in one directory:
 * <ul>
 *   <li>{@code revisions.cm3}: revision (16 bytes: big-endian main, big-endian sub) to a {@link BackendRecord}
 *       ({@code u64 raftIndex | u8 flags | KeyValue bytes}). Sized for {@code expectedRecords} with a large
 *       max bloat factor, so it keeps growing (extra tiers) well past the estimate.</li>
 *   <li>{@code meta.cm3}: {@link MetaKey} name (ASCII) to a big-endian long (consistent index, compaction
 *       revisions), each in two slots written in turn (see {@link #setMeta}).</li>
 * </ul>
 * Existing files are opened with {@code recoverPersistedTo}, so a map left behind by a kill -9 (segment locks
 * held by a dead process) opens cleanly, unless {@link #CLEAN_FILE} says the last {@link #close} finished: then
 * the recovery scan (seconds for a million records) is skipped. open deletes the marker (durably) first.
 * Writes go to shared memory-mapped pages: they survive a process
 * crash as soon as the call returns, and reach the disk only on {@link #sync()} (FileChannel.force on both
 * files; on Linux this flushes the file's dirty mmap pages) or when the kernel writes them back.
 * <p>
 * Failures: a write that fails (Chronicle cannot grow its file, or the memory-mapped page cannot be backed: SIGBUS,
 * an {@link InternalError}) throws an {@link java.io.UncheckedIOException} holding a {@link StorageFault} naming the
 * file, as does {@link #sync}'s failed fsync (checked there); {@link #abandon} then closes without writing more.
 * <p>
 * Threading: {@link #get} and {@link #meta} may run on any thread (Chronicle Map's own segment locking);
 * every mutating method, {@link #forEach} and {@link #sync} belong to the single writer thread.
 */
public final class Backend implements Closeable {
  /** The file whose presence says a directory holds a backend. */
  public static final String REVISIONS_FILE = "revisions.cm3";
  static final String META_FILE = "meta.cm3";
  /** Written by {@link #close} once both files are closed and fsynced. */
  static final String CLEAN_FILE = "closed-cleanly";
  private static final int REVISION_KEY_BYTES = 16;
  private static final double MAX_BLOAT_FACTOR = 1000;

  private final ChronicleMap<byte[], byte[]> revisions;
  private final ChronicleMap<byte[], byte[]> meta;
  private final FileChannel revisionsChannel;
  private final FileChannel metaChannel;
  /** While a defragmentation copies this backend: the copy, which receives every put too. Writer thread. */
  private Backend mirror;
  /** Revisions deleted while mirroring, replayed on the copy by {@link #stopMirroring}. */
  private final java.util.List<long[]> mirroredDeletes = new java.util.ArrayList<>();
  /**
   * Per meta key, the slot its next {@link #setMeta} overwrites (the lower, the one written less recently), or -1
   * until that write reads both slots. Writer thread.
   */
  private final int[] nextSlot = unknownSlots();

  private final Path dir;
  /** The revisions file, named in failpoints and storage faults (kept: a put should not resolve it). */
  private final Path revisionsFile;

  private Backend(Path dir, ChronicleMap<byte[], byte[]> revisions, ChronicleMap<byte[], byte[]> meta,
          FileChannel revisionsChannel, FileChannel metaChannel) {
    this.dir = dir;
    this.revisionsFile = dir.resolve(REVISIONS_FILE);
    this.revisions = revisions;
    this.meta = meta;
    this.revisionsChannel = revisionsChannel;
    this.metaChannel = metaChannel;
  }

  /** Opens (creating or recovering) the backend files in {@code dir}. */
  public static Backend open(Path dir, long expectedRecords, int averageRecordBytes) throws IOException {
    Files.createDirectories(dir);
    boolean clean = Files.deleteIfExists(dir.resolve(CLEAN_FILE));
    if (clean) {
      syncDir(dir); // a crash from here on must find no marker
    }
    File revisionsFile = dir.resolve(REVISIONS_FILE).toFile();
    File metaFile = dir.resolve(META_FILE).toFile();
    ChronicleMapBuilder<byte[], byte[]> revisionsBuilder = ChronicleMap.of(byte[].class, byte[].class)
        .name("vetch-revisions")
        .constantKeySizeBySample(new byte[REVISION_KEY_BYTES])
        .averageValueSize(Math.max(16, averageRecordBytes))
        .entries(Math.max(1024, expectedRecords))
        .maxBloatFactor(MAX_BLOAT_FACTOR)
        .skipCloseOnExitHook(true); // the owner closes it (the server's shutdown does), then marks it clean
    // byte[] keys and values only: boxed or String types would make Chronicle generate and compile
    // classes at runtime.
    ChronicleMapBuilder<byte[], byte[]> metaBuilder = ChronicleMap.of(byte[].class, byte[].class)
        .name("vetch-meta")
        .averageKeySize(MetaKey.SCHEDULED_COMPACT_REVISION.name().length())
        .constantValueSizeBySample(new byte[Long.BYTES])
        .entries(MetaKey.values().length * 4L)
        .skipCloseOnExitHook(true);
    ChronicleMap<byte[], byte[]> revisions = createOrRecover(revisionsBuilder, revisionsFile, clean);
    ChronicleMap<byte[], byte[]> meta = null;
    try {
      meta = createOrRecover(metaBuilder, metaFile, clean);
      return new Backend(dir, revisions, meta,
          FileChannel.open(revisionsFile.toPath(), StandardOpenOption.WRITE),
          FileChannel.open(metaFile.toPath(), StandardOpenOption.WRITE));
    } catch (IOException | RuntimeException e) {
      revisions.close();
      if (meta != null) {
        meta.close();
      }
      throw e;
    }
  }

  private static <K, V> ChronicleMap<K, V> createOrRecover(ChronicleMapBuilder<K, V> builder, File file,
      boolean clean) throws IOException {
    // Either way the configuration of an existing file is read from its own header, so changed sizing
    // options never reinterpret it.
    return file.exists() && !clean ? builder.recoverPersistedTo(file, false) : builder.createPersistedTo(file);
  }

  private static void syncDir(Path dir) throws IOException {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    }
  }

  public void put(long main, long sub, byte[] record) {
    byte[] key = revisionKey(main, sub);
    try {
      Failpoints.check(Failpoints.STORE_WRITE, revisionsFile);
      revisions.put(key, record);
    } catch (IOException | RuntimeException | InternalError e) {
      throw new java.io.UncheckedIOException(new StorageFault("store write", revisionsFile, e));
    }
    if (mirror != null) {
      mirror.revisions.put(key, record);
    }
  }

  /** The record at (main, sub), or null when absent. Any thread. */
  public byte[] get(long main, long sub) {
    return revisions.get(revisionKey(main, sub));
  }

  /** Deletes the record at (main, sub); returns its length, or -1 when there was none. */
  public int delete(long main, long sub) {
    if (mirror != null) {
      mirroredDeletes.add(new long[] {main, sub});
    }
    byte[] old;
    try {
      old = revisions.remove(revisionKey(main, sub));
    } catch (RuntimeException | InternalError e) {
      throw new java.io.UncheckedIOException(new StorageFault("store write", revisionsFile, e));
    }
    return old == null ? -1 : old.length;
  }

  /**
   * Starts mirroring into copy (an empty backend being filled from this one by another thread): from now on
   * every put also goes to copy, and deletes are remembered for {@link #stopMirroring}, which applies them once
   * the copying thread is done (a delete applied earlier could be overtaken by that thread's copy). Writer.
   */
  public void startMirroring(Backend copy) {
    mirror = copy;
    mirroredDeletes.clear();
  }

  /** Ends mirroring; with apply, deletes the remembered revisions from the copy and copies the meta values. */
  public void stopMirroring(boolean apply) {
    Backend copy = mirror;
    mirror = null;
    if (apply) {
      mirroredDeletes.forEach(r -> copy.revisions.remove(revisionKey(r[0], r[1])));
      meta.forEach((k, v) -> copy.meta.put(k, v));
      java.util.Arrays.fill(copy.nextSlot, -1); // its slots were written behind its back
    }
    mirroredDeletes.clear();
  }

  /**
   * Copies every record with main revision at most maxMain into copy. Any thread, concurrently with the writer
   * (Chronicle Map iterates segment by segment under its own locks); used with {@link #startMirroring}.
   * Returns the number of records copied.
   */
  public long copyTo(Backend copy, long maxMain, java.util.function.BooleanSupplier cancelled) {
    long[] n = {0};
    revisions.forEachEntryWhile(e -> {
      byte[] key = e.key().get();
      if (BackendRecord.getLong(key, 0) <= maxMain) {
        copy.revisions.put(key, e.value().get());
        n[0]++;
      }
      return !cancelled.getAsBoolean();
    });
    return n[0];
  }

  /** Visits every record, in no particular order. Writer thread; the visitor must not modify the backend. */
  public void forEach(RecordVisitor visitor) {
    revisions.forEach((key, record) ->
        visitor.visit(BackendRecord.getLong(key, 0), BackendRecord.getLong(key, 8), record));
  }

  /**
   * Visits every record with {@code parts} visitors at once, each on a thread of its own (the caller's is one of
   * them) and given a share of the map's segments. The record array handed to a visitor is reused for its next
   * record and holds {@code length} bytes: copy what you keep. For opening, before the backend is shared; the
   * visitors must not modify it. Rethrows what a visitor threw.
   */
  public void scan(int parts, java.util.function.IntFunction<RecordScan> visitors) {
    int segments = revisions.segments();
    Parallel.run(Math.max(1, Math.min(parts, segments)), (part, of) -> {
      RecordScan visitor = visitors.apply(part);
      byte[] key = new byte[REVISION_KEY_BYTES];
      byte[][] buf = {new byte[1024]};
      for (int seg = part; seg < segments; seg += of) {
        try (var ctx = revisions.segmentContext(seg)) {
          ctx.forEachSegmentEntry(e -> {
            var k = e.key();
            var v = e.value();
            k.bytes().read(k.offset(), key, 0, REVISION_KEY_BYTES);
            int n = Math.toIntExact(v.size());
            if (buf[0].length < n) {
              buf[0] = new byte[Math.max(n, buf[0].length * 2)];
            }
            v.bytes().read(v.offset(), buf[0], 0, n);
            visitor.visit(BackendRecord.getLong(key, 0), BackendRecord.getLong(key, 8), buf[0], n);
          });
        }
      }
    });
  }

  public long recordCount() {
    return revisions.longSize();
  }

  /** The stored value: the higher of its two slots, or 0 when never written. Any thread. */
  public long meta(MetaKey key) {
    return Math.max(slot(key, 0), slot(key, 1));
  }

  private long slot(MetaKey key, int slot) {
    byte[] v = meta.get(META_SLOTS[key.ordinal()][slot]);
    return v == null ? 0 : BackendRecord.getLong(v, 0);
  }

  /**
   * Sets a meta value by overwriting the slot holding the lower of its two values. A kill -9 in the middle of
   * that write can leave the entry torn, and Chronicle's recovery drops it; the other slot then still holds the
   * previous value, so the store replays the WAL from a little earlier instead of losing its consistent index.
   * Hence the contract: a key's value never decreases (in an empty backend it may be set to 0).
   */
  public void setMeta(MetaKey key, long value) {
    byte[] v = new byte[Long.BYTES];
    BackendRecord.putLong(v, 0, value);
    int k = key.ordinal();
    int slot = nextSlot[k] >= 0 ? nextSlot[k] : slot(key, 0) <= slot(key, 1) ? 0 : 1;
    try {
      meta.put(META_SLOTS[k][slot], v);
    } catch (RuntimeException | InternalError e) {
      throw new java.io.UncheckedIOException(new StorageFault("store write", dir.resolve(META_FILE), e));
    }
    nextSlot[k] = 1 - slot; // the slot just written holds the higher value now (values never decrease)
  }

  /** Forces both map files to disk (data and metadata). Writer thread. */
  public void sync() throws IOException {
    try {
      Failpoints.check(Failpoints.STORE_FSYNC, revisionsFile);
      revisionsChannel.force(true);
    } catch (IOException e) {
      throw new StorageFault("store fsync", revisionsFile, e);
    }
    try {
      metaChannel.force(true);
    } catch (IOException e) {
      throw new StorageFault("store fsync", dir.resolve(META_FILE), e);
    }
  }

  /**
   * Closes after a storage failure: unmaps the files without an fsync and without the clean-close marker, so the
   * next open runs Chronicle's recovery and drops what is past the persisted consistent index.
   */
  public void abandon() throws IOException {
    try {
      revisions.close();
      meta.close();
    } finally {
      revisionsChannel.close();
      metaChannel.close();
    }
  }

  @Override
  public void close() throws IOException {
    try {
      revisions.close();
      meta.close();
    } finally {
      try {
        revisionsChannel.force(true); // what the maps wrote, through their closing, is on disk
        metaChannel.force(true);
      } finally {
        revisionsChannel.close();
        metaChannel.close();
      }
    }
    if (Files.exists(dir.resolve(REVISIONS_FILE))) { // not for a backend whose files were already deleted
      Files.createFile(dir.resolve(CLEAN_FILE));
      syncDir(dir);
    }
  }

  /**
   * Each meta key's two slot names: its name (the only slot in data directories written before the second
   * slot, which therefore read unchanged) and its name with ".1".
   */
  private static final byte[][][] META_SLOTS = java.util.Arrays.stream(MetaKey.values())
      .map(k -> new byte[][] {k.name().getBytes(StandardCharsets.US_ASCII),
          (k.name() + ".1").getBytes(StandardCharsets.US_ASCII)})
      .toArray(byte[][][]::new);

  private static int[] unknownSlots() {
    int[] slots = new int[MetaKey.values().length];
    java.util.Arrays.fill(slots, -1);
    return slots;
  }

  private static byte[] revisionKey(long main, long sub) {
    byte[] key = new byte[REVISION_KEY_BYTES];
    BackendRecord.putLong(key, 0, main);
    BackendRecord.putLong(key, 8, sub);
    return key;
  }

  /** Receives one backend record during {@link #scan}, in record[0, length). */
  @FunctionalInterface
  public interface RecordScan {
    void visit(long main, long sub, byte[] record, int length);
  }

  /** Receives one backend record during {@link #forEach}. */
  @FunctionalInterface
  public interface RecordVisitor {
    void visit(long main, long sub, byte[] record);
  }
}
