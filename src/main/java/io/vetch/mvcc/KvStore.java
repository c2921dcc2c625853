package io.vetch.mvcc;

import io.vetch.api.mvccpb.Event;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.backend.Backend;
import io.vetch.mvcc.backend.BackendDir;
import io.vetch.mvcc.backend.BackendRecord;
import io.vetch.mvcc.backend.MetaKey;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The multi-version key-value store (etcd's mvcc store: kvstore, kvstore_txn, kvstore_compaction).
 * <p>
 * Storage: every change is a record in the {@link Backend} keyed by its {@link Revision}; the heap
 * {@link TreeIndex} maps each key to its revisions, grouped in generations. Tombstones are records too.
 * <p>
 * Threads: one writer (the storage worker) calls {@link #write}, {@link #setConsistentIndex}, {@link #compact},
 * {@link #compactStep}, {@link #writeImage}, {@link #restoreImage}, {@link #sync} and {@link #close}. Reads
 * ({@link #range}, {@link #events} and the getters) may run on any thread concurrently with it and take no lock of
 * ours: a write txn adds its records and index entries under a revision no reader asks for yet, and
 * {@link WriteTxn#end()} publishes the new current revision (a volatile) last, so readers see whole transactions or
 * nothing. Between {@link #hold()} and {@link #release()} ended txns stay unpublished (the next txn builds on them):
 * a batch is applied while its WAL write is under way and becomes visible once it is durable. Compaction publishes
 * the new compact revision before it trims the index, and readers check it again after
 * reading, so a read that raced a compaction fails with {@link CompactedException} instead of returning holes.
 * <p>
 * Durability: records and meta values are in shared mmap pages as soon as a call returns, so they survive
 * kill -9; they reach the disk at {@link #sync()}. The consistent index (the Raft index of the last applied
 * entry) is written after the records of its entry; on open, records newer than it are deleted (see
 * {@link StoreRecovery}), so replaying the WAL from {@link #consistentIndex()} + 1 is idempotent. This covers
 * process crashes; after a power loss the kernel may have written mmap pages in any order, so only state as of
 * the last {@link #sync()} plus the WAL is trustworthy.
 * <p>
 * Events: main revisions above the compact revision are dense (subs 0..n-1 all present), so {@link #events}
 * walks them with point lookups instead of scanning.
 * <p>
 * Snapshots: {@link #writeImage} writes the whole store to one file ({@link StoreImage} has the format) and
 * {@link #restoreImage} replaces the whole store with one. Restore builds the new backend in a fresh
 * subdirectory, fsyncs it, and switches to it with an atomic rename of a pointer file ({@link BackendDir}), so a
 * crash at any point reopens either the old store or the complete new one, never a mix. Restore swaps the
 * backend and the key index under running readers; a read that fails because it raced the swap is retried once
 * on the new state, and the old backend is closed by the caller later, so no reader touches a closed map.
 * <p>
 * Limits: the backend grows to about 1000 times its initial sizing ({@link StoreOptions}); the index and, while
 * opening, one small entry per record live in heap.
 */
public final class KvStore implements Closeable {
  /**
   * The disk space a new store with {@link StoreOptions#defaults()} takes at once: Chronicle fallocates the map files
   * whole (91.9 MiB), rounded up to whole MiB. KvStoreSpaceTest checks it against a fresh store.
   */
  public static final long NEW_STORE_BYTES = 92L << 20;
  /** Key bytes of a backend record (the 16-byte revision), counted by {@link #sizeBytes()}. */
  private static final int REVISION_KEY_BYTES = 16;
  /** Backend sizing: expected records per expected key (history kept until compaction). */
  private static final int RECORDS_PER_KEY = 2;
  /** Backend sizing: assumed key plus KeyValue field overhead per record. */
  private static final int RECORD_OVERHEAD_BYTES = 96;

  private final Path dir;
  private final StoreOptions opts;
  private volatile Backend backend;
  private volatile TreeIndex index;
  private Compactor compactor;
  private volatile long currentRev;
  private volatile CompactPoint compactPoint;
  private volatile long consistentIndex;
  /** The consistent index last written to this backend by {@link #persistConsistentIndex()}; -1: not known. */
  private long persistedConsistentIndex = -1;
  private volatile long liveKeys;
  private volatile long sizeBytes;
  /** etcd's db size: the high-water mark of {@link #sizeBytes} since the backend was (re)built. */
  private volatile long dbSizeBytes;
  private Defragmentation defrag;
  /** Bumped by every {@link #restoreImage}: a read that saw it change may have mixed old and new state. */
  private volatile int generation;
  private StoreTxnWrite openTxn;
  /** The revision of the last ended write txn: {@link #currentRev}, or past it while holding. Writer thread. */
  private long writeRev;
  /** Between {@link #hold()} and {@link #release()}. Writer thread. */
  private boolean holding;
  /** What ended txns changed that is not published yet. Writer thread. */
  private long unpublishedLiveKeys;
  private long unpublishedBytes;
  /** From the last recovery, and the revision they are true at. */
  private List<KeyValue> leasedKeys;
  private long leasedKeysRev;

  private KvStore(Path dir, StoreOptions opts, Backend backend, StoreRecovery.Recovered r) {
    this.dir = dir;
    this.opts = opts;
    install(backend, r);
  }

  private void install(Backend newBackend, StoreRecovery.Recovered r) {
    compactor = new Compactor(newBackend);
    compactPoint = r.compactPoint();
    index = r.index();
    backend = newBackend;
    persistedConsistentIndex = -1;
    consistentIndex = r.consistentIndex();
    liveKeys = r.liveKeys();
    sizeBytes = r.sizeBytes();
    dbSizeBytes = sizeBytes;
    currentRev = r.currentRevision();
    writeRev = currentRev;
    leasedKeys = r.leasedKeys();
    leasedKeysRev = currentRev;
    if (r.compactPoint().revision() > 0) {
      compactor.schedule(r.compactPoint().revision(), r.pendingDeletes());
    }
  }

  /**
   * Opens the store in dir (creating it, or recovering it after a crash; see {@link StoreRecovery}). The
   * backend files are in dir itself, or, after a {@link #restoreImage}, in the subdirectory {@link BackendDir}
   * points at.
   */
  public static KvStore open(Path dir, StoreOptions opts) throws IOException {
    long t0 = System.nanoTime();
    Backend backend = Backend.open(BackendDir.resolve(dir), opts.expectedKeys() * RECORDS_PER_KEY,
        BackendRecord.PAYLOAD_OFFSET + RECORD_OVERHEAD_BYTES + opts.averageValueBytes());
    System.getLogger(KvStore.class.getName()).log(System.Logger.Level.INFO, "backend opened in {0} ms",
        (System.nanoTime() - t0) / 1_000_000);
    try {
      return new KvStore(dir, opts, backend, StoreRecovery.recover(backend));
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /**
   * Writes a consistent image of the whole store as of {@link #consistentIndex()} to file: every backend record
   * (including compacted ones not yet physically deleted) plus the compact revisions. The file is written
   * as file.tmp, fsynced, and atomically renamed to file, so a reader (e.g. the Raft snapshot sender streaming
   * it in chunks) never sees a partial image, and the store may change as soon as this returns. Writer
   * thread, no write txn open; blocks the writer for one full scan of the backend. Returns file.
   */
  public Path writeImage(Path file) throws IOException {
    if (openTxn != null || holding) {
      throw new IllegalStateException("image inside an open write txn");
    }
    StoreImage.write(backend, consistentIndex, file);
    return file;
  }

  /**
   * Replaces the whole store with the image in file (from {@link #writeImage}), as a follower installing a Raft
   * snapshot does. The image is loaded into a new backend in a fresh subdirectory, its magic, version,
   * structure and CRC verified, the key index rebuilt from it exactly as {@link #open} does, and the new
   * backend fsynced; only then does an atomic pointer switch make it live, the old backend get closed and its
   * files deleted. A bad image throws IOException and leaves the store untouched. Afterwards every getter
   * reports the image's state ({@link #consistentIndex()} the image's). Writer thread, no write txn open.
   * Concurrent reads are safe: a read that overlaps the switch either completes on the old state or is retried
   * on the new one. The old backend stays open (readers may still hold it) until the caller closes the returned
   * handle, a few seconds later; its files are already unlinked.
   */
  public Closeable restoreImage(Path file) throws IOException {
    if (openTxn != null || holding) {
      throw new IllegalStateException("restore inside an open write txn");
    }
    abortDefrag();
    StoreImage.Header h = StoreImage.readHeader(file);
    long records = Math.max(1, h.recordCount());
    long imageAverage = (Files.size(file) - StoreImage.HEADER_BYTES - StoreImage.TRAILER_BYTES) / records
        - StoreImage.RECORD_PREFIX_BYTES;
    int averageRecordBytes = (int) Math.max(imageAverage,
        BackendRecord.PAYLOAD_OFFSET + RECORD_OVERHEAD_BYTES + opts.averageValueBytes());
    Path newDir = BackendDir.create(dir);
    Backend fresh = null;
    StoreRecovery.Recovered recovered;
    try {
      fresh = Backend.open(newDir, Math.max(opts.expectedKeys() * RECORDS_PER_KEY, 2 * records),
          averageRecordBytes);
      StoreImage.load(file, fresh, false);
      recovered = StoreRecovery.recover(fresh);
      fresh.sync();
    } catch (IOException | RuntimeException e) {
      if (fresh != null) {
        fresh.close();
      }
      BackendDir.deleteTree(newDir);
      throw e instanceof IOException io ? io : new IOException("invalid store image " + file, e);
    }
    try {
      BackendDir.switchTo(dir, newDir);
    } catch (IOException e) {
      fresh.close(); // the switch may or may not have happened: the next open resolves it
      throw e;
    }
    Backend old = backend;
    install(fresh, recovered);
    generation++;
    BackendDir.resolve(dir);
    return old::close;
  }

  /**
   * Creates a store in dir (which must hold none) from the image in file, as a restore from a backup does: the
   * same keys, revisions and compaction, but applied index 0, ready for a new cluster's Raft log. The store is
   * synced and closed.
   */
  public static void createFromImage(Path dir, Path file) throws IOException {
    if (Files.exists(dir.resolve(Backend.REVISIONS_FILE))) {
      throw new IOException(dir + " already holds a store");
    }
    StoreImage.Header h = StoreImage.readHeader(file);
    try (Backend fresh = Backend.open(dir, Math.max(1024, h.recordCount() * 2L),
        BackendRecord.PAYLOAD_OFFSET + RECORD_OVERHEAD_BYTES + StoreOptions.defaults().averageValueBytes())) {
      StoreImage.load(file, fresh, true);
      fresh.sync();
    }
  }

  /**
   * Starts a defragmentation (see {@link Defragmentation}): the caller runs its {@link Defragmentation#copy} on
   * another thread, then calls {@link #finishDefrag} (or {@link #abortDefrag}) here. Writer thread, one at a
   * time.
   */
  public Defragmentation beginDefrag() throws IOException {
    if (defrag != null || holding) {
      throw new IllegalStateException("a defragmentation is already running, or txns are held");
    }
    long records = Math.max(1, backend.recordCount());
    int average = (int) Math.max(BackendRecord.PAYLOAD_OFFSET + RECORD_OVERHEAD_BYTES,
        sizeBytes / records - REVISION_KEY_BYTES);
    Path newDir = BackendDir.create(dir);
    Backend fresh;
    try {
      fresh = Backend.open(newDir, Math.max(1024, records + records / 4), average);
    } catch (IOException | RuntimeException e) {
      BackendDir.deleteTree(newDir);
      throw e;
    }
    defrag = new Defragmentation(backend, fresh, newDir, currentRev);
    backend.startMirroring(fresh);
    return defrag;
  }

  /**
   * Switches to the defragmented backend once its copy is done: returns the old backend for the caller to close
   * a few seconds later (readers may still hold it). Writer thread, no write txn open.
   */
  public Closeable finishDefrag(Defragmentation d) throws IOException {
    if (defrag != d || openTxn != null || holding) {
      throw new IllegalStateException("not the running defragmentation, or a write txn is open");
    }
    persistConsistentIndex();
    d.source.stopMirroring(true);
    defrag = null;
    try {
      d.target.sync();
      BackendDir.switchTo(dir, d.targetDir);
    } catch (IOException | RuntimeException e) {
      d.target.close(); // the switch may or may not have happened: the next open resolves it
      throw e;
    }
    Backend old = backend;
    backend = d.target;
    persistedConsistentIndex = -1;
    compactor.retarget(d.target);
    dbSizeBytes = sizeBytes;
    generation++;
    BackendDir.resolve(dir);
    return old::close;
  }

  /**
   * Copies the whole store into fresh files, fsyncs them and switches to them (a defragmentation run at once), so
   * every record is written and fsynced anew. Writer thread, nothing else using the store (at open).
   */
  public void rewrite() throws IOException {
    Defragmentation d = beginDefrag();
    try {
      d.copy();
    } catch (IOException | RuntimeException e) {
      abortDefrag();
      throw e;
    }
    finishDefrag(d).close();
  }

  /** Abandons a running defragmentation, if any, and deletes its files. Writer thread. */
  public void abortDefrag() throws IOException {
    Defragmentation d = defrag;
    if (d == null) {
      return;
    }
    defrag = null;
    d.cancel();
    d.source.stopMirroring(false);
    d.target.close();
    BackendDir.deleteTree(d.targetDir);
  }

  /**
   * Every live key that carries a lease (KeyValues with only key and lease set), as found by the last
   * {@link #open} or {@link #restoreImage}: for the lessor to re-attach them. Only before the next write.
   */
  public List<KeyValue> leasedKeysAtOpen() {
    if (currentRev != leasedKeysRev) {
      throw new IllegalStateException("leased keys are known only until the first write after open");
    }
    return leasedKeys;
  }

  public long currentRevision() {
    return currentRev;
  }

  public long compactRevision() {
    return compactPoint.revision();
  }

  /**
   * The lowest revision whose events are all still here, for watchers: the compact revision if none of its events
   * was a delete (compaction removes tombstones at it), else the one after it. 1 when nothing was compacted.
   */
  public long firstCompleteRevision() {
    CompactPoint cp = compactPoint;
    return cp.revision() == 0 ? 1 : cp.edgeComplete() ? cp.revision() : cp.revision() + 1;
  }

  public long consistentIndex() {
    return consistentIndex;
  }

  /** Read at rev (0 = current); see {@link RangeResult} for the result's fields. Any thread. */
  public RangeResult range(byte[] key, byte[] end, long rev, long limit, boolean countOnly)
      throws CompactedException, FutureRevisionException {
    return rangeRecords(key, end, rev, limit, countOnly).decode();
  }

  /**
   * The same read as {@link #range}, with each key's stored record instead of its decoded KeyValue: the
   * KeyValue encoding sits in each record from {@link BackendRecord#PAYLOAD_OFFSET}. Any thread.
   */
  public StoredRange rangeRecords(byte[] key, byte[] end, long rev, long limit, boolean countOnly)
      throws CompactedException, FutureRevisionException {
    int gen = generation;
    try {
      return rangeAt(key, end, rev, limit, countOnly, currentRev);
    } catch (RuntimeException e) {
      if (gen == generation) {
        throw e;
      }
      return rangeAt(key, end, rev, limit, countOnly, currentRev); // raced a restore: read the new state
    }
  }

  /** etcd's rangeKeys, served as of curRev. */
  StoredRange rangeAt(byte[] key, byte[] end, long rev, long limit, boolean countOnly, long curRev)
      throws CompactedException, FutureRevisionException {
    if (rev > curRev) {
      throw new FutureRevisionException();
    }
    long atRev = rev <= 0 ? curRev : rev;
    checkNotCompacted(atRev);
    TreeIndex.Revisions found = index.revisions(key, end, atRev, limit, countOnly);
    List<byte[]> records = new ArrayList<>(found.revs().size());
    for (Revision r : found.revs()) {
      byte[] record = backend.get(r.main(), r.sub());
      if (record == null) {
        checkNotCompacted(atRev);
        throw new IllegalStateException("key index points at a missing backend revision " + r);
      }
      records.add(record);
    }
    checkNotCompacted(atRev);
    return new StoredRange(records, curRev, found.total());
  }

  private void checkNotCompacted(long atRev) throws CompactedException {
    long compacted = compactPoint.revision();
    if (atRev < compacted) {
      throw new CompactedException(compacted);
    }
  }

  /** Starts the write txn of the entry at raftIndex. Writer thread; one txn at a time. */
  public WriteTxn write(long raftIndex) {
    if (openTxn != null) {
      throw new IllegalStateException("a write txn is already open");
    }
    openTxn = new StoreTxnWrite(this, backend, index, raftIndex, writeRev);
    return openTxn;
  }

  /** Called by {@link StoreTxnWrite#end()}: consistent index after the data, then the revision. */
  void endTxn(StoreTxnWrite txn, boolean changed, long liveKeyDelta, long addedBytes) {
    if (openTxn != txn) {
      throw new IllegalStateException("txn already ended");
    }
    openTxn = null;
    setConsistentIndex(txn.raftIndex());
    if (changed) {
      unpublishedLiveKeys += liveKeyDelta;
      unpublishedBytes += addedBytes;
      writeRev++;
      if (!holding) {
        publish();
      }
    }
  }

  private void publish() {
    liveKeys += unpublishedLiveKeys;
    sizeBytes += unpublishedBytes;
    dbSizeBytes = Math.max(dbSizeBytes, sizeBytes);
    unpublishedLiveKeys = 0;
    unpublishedBytes = 0;
    currentRev = writeRev; // last: a reader that sees the revision sees its records and index entries
  }

  /**
   * Write txns that end from now on stay invisible to readers until {@link #release()}: their records and index
   * entries are in place, under revisions no reader asks for yet, and each next txn builds on them. Meanwhile
   * {@link #persistConsistentIndex()} and the other writes that need a settled store refuse. A crash before the
   * release loses them as it loses a batch whose consistent index was not persisted (recovery drops the records).
   * Writer thread, no txn open.
   */
  public void hold() {
    if (openTxn != null || holding) {
      throw new IllegalStateException("hold inside an open write txn, or held already");
    }
    holding = true;
  }

  /** Publishes every txn ended since {@link #hold()}, at once. Writer thread. */
  public void release() {
    if (!holding) {
      throw new IllegalStateException("not held");
    }
    holding = false;
    publish();
  }

  /**
   * Marks raftIndex applied for an entry that changed nothing. Writer thread. Like {@link WriteTxn#end()}, this
   * moves the in-memory consistent index only; {@link #persistConsistentIndex()} writes it to the backend.
   */
  public void setConsistentIndex(long raftIndex) {
    consistentIndex = raftIndex;
  }

  /**
   * Writes the consistent index to the backend, once per applied batch (writer thread). Records carry the Raft
   * index that wrote them and recovery drops those past the persisted index, so deferring this write to the end
   * of a batch only means a crash replays the whole batch from the WAL, idempotently.
   */
  public void persistConsistentIndex() {
    if (holding) {
      throw new IllegalStateException("the consistent index of held txns persisted before their release");
    }
    long index = consistentIndex;
    if (index != persistedConsistentIndex) {
      backend.setMeta(MetaKey.CONSISTENT_INDEX, index);
      persistedConsistentIndex = index;
    }
  }

  /**
   * etcd's kvstore.Compact: validates rev, persists it as the scheduled compaction, publishes it (reads below it
   * fail from now on), trims the key index and queues the physical deletes for {@link #compactStep}.
   */
  public void compact(long rev, long raftIndex) throws CompactedException, FutureRevisionException {
    if (openTxn != null || holding) {
      throw new IllegalStateException("compact inside an open write txn");
    }
    long compacted = compactPoint.revision();
    if (rev <= compacted) {
      throw new CompactedException(compacted);
    }
    if (rev > currentRev) {
      throw new FutureRevisionException();
    }
    backend.setMeta(MetaKey.SCHEDULED_COMPACT_REVISION, rev);
    compactPoint = compactPointAt(rev);
    compactor.schedule(rev, index.compact(rev));
    setConsistentIndex(raftIndex);
  }

  /** The compact point for compacting at rev, which is above the current compact revision (dense). */
  private CompactPoint compactPointAt(long rev) {
    long sub = 0;
    boolean deletes = false;
    byte[] record;
    while ((record = backend.get(rev, sub)) != null) {
      deletes |= BackendRecord.isTombstone(record);
      sub++;
    }
    return new CompactPoint(rev, sub - 1, !deletes);
  }

  /** Deletes at most maxDeletes compacted records; true when no physical compaction work is left. Writer. */
  public boolean compactStep(int maxDeletes) {
    sizeBytes -= compactor.step(maxDeletes);
    return compactor.idle();
  }

  /**
   * Events of main revisions [fromRev, toRev] (capped at the current revision) in revision order, whole
   * revisions only: stops before a revision that would exceed maxEvents, except that the first revision is
   * always returned whole. fromRev below the compact revision fails. At the compact revision itself only the
   * surviving puts are returned (as in etcd, its tombstones are gone). Any thread.
   */
  public List<Event> events(long fromRev, long toRev, int maxEvents) throws CompactedException {
    return readEvents(fromRev, toRev, maxEvents).events();
  }

  /** The events of main revisions fromRev..through, all of them; see {@link #readEvents}. */
  public record EventChunk(List<Event> events, long through) {}

  /**
   * As {@link #events}, also saying how far it read: every event of revisions [fromRev, through] is in the
   * chunk, and through is below fromRev only when fromRev is above the current revision. Any thread.
   */
  public EventChunk readEvents(long fromRev, long toRev, int maxEvents) throws CompactedException {
    int gen = generation;
    try {
      return eventsBetween(fromRev, toRev, maxEvents);
    } catch (RuntimeException e) {
      if (gen == generation) {
        throw e;
      }
      return eventsBetween(fromRev, toRev, maxEvents); // raced a restore: read the new state
    }
  }

  private EventChunk eventsBetween(long fromRev, long toRev, int maxEvents) throws CompactedException {
    checkNotCompacted(fromRev);
    CompactPoint cp = compactPoint;
    long last = Math.min(toRev, currentRev);
    List<Event> out = new ArrayList<>();
    long through = Math.max(1, fromRev) - 1;
    for (long main = Math.max(1, fromRev); main <= last; main++) {
      List<Event> revEvents = eventsAt(main, cp);
      if (!out.isEmpty() && out.size() + revEvents.size() > maxEvents) {
        break;
      }
      out.addAll(revEvents);
      through = main;
      if (out.size() >= maxEvents) {
        break;
      }
    }
    checkNotCompacted(fromRev);
    return new EventChunk(out, through);
  }

  private List<Event> eventsAt(long main, CompactPoint cp) {
    List<Event> events = new ArrayList<>();
    if (main == cp.revision()) {
      for (long sub = 0; sub <= cp.maxSub(); sub++) {
        byte[] record = backend.get(main, sub);
        if (record != null && !BackendRecord.isTombstone(record)) {
          events.add(KvCodec.toEvent(record));
        }
      }
      return events;
    }
    for (long sub = 0; ; sub++) {
      byte[] record = backend.get(main, sub);
      if (record == null) {
        return events;
      }
      events.add(KvCodec.toEvent(record));
    }
  }

  /** The revisions of the keys alive at rev (etcd's kvindex.Keep), for HashKV. Any thread. */
  List<Revision> keptAt(long rev) {
    return index.revisions(new byte[] {0}, new byte[] {0}, rev, 0, false).revs();
  }

  /** The stored record of a revision, or null. Any thread. */
  byte[] record(long main, long sub) {
    return backend.get(main, sub);
  }

  /** Forces the backend files to disk. Writer thread. */
  public void sync() throws IOException {
    persistConsistentIndex();
    backend.sync();
  }

  /** Keys that exist at the current revision. */
  public long keyCount() {
    return liveKeys;
  }

  /**
   * Logical size of the stored history: 16 key bytes plus the record bytes of every backend record, including
   * compacted records not yet deleted by {@link #compactStep}. The map files themselves are sparse and
   * preallocated, so their length says little.
   */
  public long sizeBytes() {
    return sizeBytes;
  }

  /**
   * etcd's db size: the space the backend holds, in use or free. A Chronicle Map reuses the space of deleted
   * records but never gives it back, so this is the high-water mark of {@link #sizeBytes} since the backend was
   * last rebuilt (opened, restored or defragmented). Any thread.
   */
  public long dbSizeBytes() {
    return dbSizeBytes;
  }

  /** Records in the backend (all kept revisions, including tombstones and not yet deleted compacted ones). */
  public long revisionCount() {
    return backend.recordCount();
  }

  static long recordFootprint(int recordBytes) {
    return REVISION_KEY_BYTES + recordBytes;
  }

  /**
   * Closes after a storage failure, writing nothing more: no consistent index, no fsync, no clean-close marker (see
   * {@link Backend#abandon}). Writer thread.
   */
  public void abandon() throws IOException {
    if (defrag != null) {
      try {
        abortDefrag();
      } catch (IOException | RuntimeException e) {
        // the copy's files are deleted by the next open
      }
    }
    backend.abandon();
  }

  /** Closes the backend files. Writer thread; an open txn is abandoned (its records are dropped at next open). */
  @Override
  public void close() throws IOException {
    abortDefrag();
    persistConsistentIndex();
    backend.close();
  }
}
