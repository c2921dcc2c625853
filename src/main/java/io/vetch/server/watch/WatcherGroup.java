package io.vetch.server.watch;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vetch.api.mvccpb.Event;
import io.vetch.mvcc.KvStore;
import io.vetch.server.bus.WatchEvents;
import io.vetch.server.bus.WatchInterest;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * The watchers of one event loop (etcd's watchableStore, one per client verticle instance). Synced watchers are
 * fed from the applied batches the storage worker publishes ({@link WatchEvents}), matched by key through a hash
 * map for single keys and a scan of the range watchers, without touching the store. Unsynced watchers (a start
 * revision in the past, a stream that was full, a store that jumped by a snapshot) catch up from the store in
 * chunks of at most {@link #SYNC_MAX_EVENTS} events read on a worker thread, one read shared by all of them, until
 * they reach the last published revision and become synced. A watcher whose next revision is no longer complete
 * in the store (compacted) is canceled with the first revision it could watch from. Event-loop confined.
 */
public final class WatcherGroup {
  static final int SYNC_MAX_EVENTS = 1000;
  /** A catch-up response stops after the revision that reaches this size (a revision is never split). */
  static final int SYNC_RESPONSE_BYTES = 1 << 20;
  private static final long SYNC_MAX_REVISIONS = 1000;
  private static final long SYNC_RETRY_MS = 100;

  private final Vertx vertx;
  private final KvStore store;
  private final LongFunction<ResponseHeader> header;
  private final WorkerExecutor pool;
  /** The member's watch interest, held from this group's first watcher until it has none. */
  private final WatchInterest.Share interest;
  private long rev;
  private final Map<ByteString, KeyWatchers> keyWatchers = new HashMap<>();
  private final Set<Watcher> rangeWatchers = new LinkedHashSet<>();
  private final Set<Watcher> unsynced = new LinkedHashSet<>();
  private final Set<WatchStream> streams = new HashSet<>();
  /** The streams sent events since the last {@link #flushSent}. */
  private final List<WatchStream> sent = new ArrayList<>();
  private boolean syncing;
  private boolean syncAgain;
  /** Bumped by every change a fan-out depends on: which watchers are synced, and the last revision sent. */
  private long changes;
  /** The responses framed ahead for a batch not yet durable ({@link #prepare}), or null. */
  private Prepared prepared;
  private final long syncTimer;
  private final long progressTimer;

  /**
   * Starts at the store's current revision. header makes a response header for a revision; pool runs store reads;
   * interest is held while the group has watchers (without any, batches may go unpublished); progressIntervalMs paces
   * progress_notify. Call on the event loop it will serve.
   */
  public WatcherGroup(Vertx vertx, KvStore store, LongFunction<ResponseHeader> header, WorkerExecutor pool,
      WatchInterest interest, long progressIntervalMs) {
    this.vertx = vertx;
    this.store = store;
    this.header = header;
    this.pool = pool;
    this.interest = interest.share();
    this.rev = store.currentRevision();
    this.syncTimer = vertx.setPeriodic(SYNC_RETRY_MS, id -> {
      if (!unsynced.isEmpty()) {
        sync();
      }
    });
    this.progressTimer = vertx.setPeriodic(progressIntervalMs, id -> streams.forEach(s -> s.progressTick(rev)));
  }

  public void close() {
    vertx.cancelTimer(syncTimer);
    vertx.cancelTimer(progressTimer);
    interest.release();
  }

  /**
   * The last revision published to this group: every synced watcher has been sent all its events up to it. Without
   * watchers the group may have been skipped, and every revision up to the store's current one counts as seen.
   */
  long revision() {
    return interest.held() ? rev : Math.max(rev, store.currentRevision());
  }

  ResponseHeader header(long revision) {
    return header.apply(revision);
  }

  KvStore store() {
    return store;
  }

  void addStream(WatchStream s) {
    streams.add(s);
  }

  void removeStream(WatchStream s) {
    streams.remove(s);
  }

  /**
   * A batch applied but not yet durable (a lone member's, applied while its WAL write is under way): the responses
   * it makes are framed now, off the write's path, into the streams' staged buffers, sent by the same batch's
   * {@link #onEvents} once durable if nothing the fan-out depends on changed meanwhile (otherwise that frames it
   * again, and a batch that never becomes durable is dropped with the next). Nothing of it reaches a client before.
   */
  public void prepare(WatchEvents e) {
    drop();
    if (e.revisions() == null || e.fromRev() != rev || e.toRev() <= rev) {
      return;
    }
    prepared = new Prepared(e, changes, new ArrayList<>());
    if (!fanOut(e, null, prepared.streams())) {
      drop();
    }
  }

  /** What {@link #prepare} framed: for the batch e, while changes is as it was, in these streams' staged buffers. */
  private record Prepared(WatchEvents events, long changes, List<WatchStream> streams) {}

  /** Whether responses framed ahead wait for their batch to become durable. */
  boolean holdsPrepared() {
    return prepared != null;
  }

  private void drop() {
    if (prepared != null) {
      prepared.streams().forEach(WatchStream::dropStaged);
      prepared = null;
    }
  }

  /**
   * An applied batch: the events of revisions after the last one seen go to the synced watchers they match, written
   * at once.
   */
  public void onEvents(WatchEvents e) {
    if (sendPrepared(e)) {
      return;
    }
    changes++;
    if (e.revisions() == null || e.fromRev() > rev) {
      // A snapshot install, or batches this group never saw: everyone catches up from the store.
      for (Watcher w : new ArrayList<>(rangeWatchers)) {
        toUnsynced(w, rev + 1);
      }
      for (KeyWatchers ws : new ArrayList<>(keyWatchers.values())) {
        for (Watcher w : ws.toArray()) {
          toUnsynced(w, rev + 1);
        }
      }
      rev = Math.max(rev, e.toRev());
      sync();
      return;
    }
    if (e.toRev() <= rev) {
      return;
    }
    long from = rev + 1; // every synced watcher has been sent all it wants up to rev
    List<Watcher> full = new ArrayList<>(0);
    fanOut(e, full, null);
    rev = e.toRev();
    for (Watcher w : full) {
      toUnsynced(w, from); // its stream is full: it catches up on this batch from the store later
    }
    flushSent(); // now, ahead of the replies queued behind this batch
  }

  /** Sends what {@link #prepare} framed for e, if e is that batch and nothing changed since: whether it did. */
  private boolean sendPrepared(WatchEvents e) {
    Prepared p = prepared;
    if (p == null) {
      return false;
    }
    boolean same = p.changes() == changes && p.events().fromRev() == rev && sameBatch(p.events(), e);
    for (int i = 0; same && i < p.streams().size(); i++) {
      same = p.streams().get(i).writable();
    }
    if (!same) {
      drop();
      return false;
    }
    prepared = null;
    for (WatchStream s : p.streams()) {
      s.sendStaged();
    }
    changes++;
    rev = e.toRev();
    flushSent();
    return true;
  }

  /** Whether durable is the batch prepared was: the same revisions, the very objects the storage worker made. */
  private static boolean sameBatch(WatchEvents prepared, WatchEvents durable) {
    List<WatchEvents.Revision> a = prepared.revisions();
    List<WatchEvents.Revision> b = durable.revisions();
    if (b == null || a.size() != b.size() || prepared.fromRev() != durable.fromRev()
        || prepared.toRev() != durable.toRev()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Frames e's revisions after rev for the synced watchers they match. staged null: into the streams' pending
   * responses, a watcher whose stream is full added to full. Otherwise into their staged buffers, each stream listed
   * in staged once; false as soon as one cannot take a response there.
   */
  private boolean fanOut(WatchEvents e, List<Watcher> full, List<WatchStream> staged) {
    // Events of one key go to its exact-key watchers in one list, shared (with its response bytes) by every such
    // watcher that wants them all; range watchers and filtered ones get lists of their own.
    Map<ByteString, List<Event>> byKey = new LinkedHashMap<>();
    Map<Watcher, List<Event>> ranged = new LinkedHashMap<>();
    for (WatchEvents.Revision r : e.revisions()) {
      if (r.revision() <= rev) {
        continue;
      }
      for (Event ev : r.events()) {
        ByteString key = ev.getKv().getKey();
        if (keyWatchers.containsKey(key)) {
          byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(ev);
        }
        for (Watcher w : rangeWatchers) {
          if (w.contains(key) && w.wants(ev)) {
            ranged.computeIfAbsent(w, x -> new ArrayList<>()).add(ev);
          }
        }
      }
    }
    long to = e.toRev();
    ResponseHeader h = header(to);
    for (Map.Entry<ByteString, List<Event>> k : byKey.entrySet()) {
      List<Event> events = k.getValue();
      EventBatch shared = new EventBatch(events, to, h);
      KeyWatchers ws = keyWatchers.get(k.getKey());
      long first = events.get(0).getKv().getModRevision();
      for (int i = 0; i < ws.size(); i++) {
        if (ws.plainFrom(i) <= first) { // a plain watcher that wants them all: its arrays say all that is needed
          if (!ws.stream(i).appendPlain(ws.id(i), shared, staged)) {
            if (staged != null) {
              return false;
            }
            full.add(ws.get(i));
          }
          continue;
        }
        Watcher w = ws.get(i);
        EventBatch batch = w.wantsAll(events) ? shared : own(w, events, to, h);
        if (batch != null && !send(w, batch, full, staged)) {
          return false;
        }
      }
    }
    Map<List<Event>, EventBatch> batches = new HashMap<>(); // range watchers seeing the same events share one batch
    for (Map.Entry<Watcher, List<Event>> r : ranged.entrySet()) {
      if (!send(r.getKey(), batches.computeIfAbsent(r.getValue(), evs -> new EventBatch(evs, to, h)), full, staged)) {
        return false;
      }
    }
    return true;
  }

  private static boolean send(Watcher w, EventBatch batch, List<Watcher> full, List<WatchStream> staged) {
    if (staged != null) {
      return w.stream.stageEvents(w, batch, staged);
    }
    if (!w.stream.sendEvents(w, batch)) {
      full.add(w);
    }
    return true;
  }

  /** A stream was sent events: {@link #flushSent} writes it. */
  void toFlush(WatchStream s) {
    sent.add(s);
  }

  /** Writes every stream sent events since the last call, once each. */
  private void flushSent() {
    for (int i = 0; i < sent.size(); i++) {
      sent.get(i).flush();
    }
    sent.clear();
  }

  /** The events w wants of events (one key's, in revision order), or null when it wants none. */
  private static EventBatch own(Watcher w, List<Event> events, long rev, ResponseHeader h) {
    List<Event> mine = new ArrayList<>();
    for (Event ev : events) {
      if (w.wants(ev)) {
        mine.add(ev);
      }
    }
    return mine.isEmpty() ? null : new EventBatch(mine, rev, h);
  }

  void add(Watcher w) {
    if (!interest.held()) {
      // Hold before reading the revision: batches applied after the read are published to this group, and those
      // before it (possibly unpublished while no one held) are in the store, where an unsynced watcher reads them.
      interest.hold();
      rev = Math.max(rev, store.currentRevision());
    }
    if (w.nextRev > rev) {
      index(w);
    } else {
      unsynced.add(w);
      w.stream.watcherUnsynced();
      sync();
    }
  }

  void remove(Watcher w) {
    if (w.synced) {
      unindex(w);
    } else if (unsynced.remove(w)) {
      w.stream.watcherSynced();
    }
    releaseIfIdle();
  }

  private void releaseIfIdle() {
    if (keyWatchers.isEmpty() && rangeWatchers.isEmpty() && unsynced.isEmpty()) {
      interest.release();
    }
  }

  /**
   * One round of catching up: cancels compacted watchers, promotes caught-up ones, and reads the next chunk for
   * those whose stream has room. At most one read is in flight; rounds repeat until nothing is left to do.
   */
  void sync() {
    if (syncing) {
      syncAgain = true;
      return;
    }
    long first = store.firstCompleteRevision();
    List<Watcher> ready = new ArrayList<>();
    long from = Long.MAX_VALUE;
    for (Watcher w : new ArrayList<>(unsynced)) {
      if (w.nextRev < first) {
        unsynced.remove(w);
        w.stream.watcherSynced();
        w.stream.canceledCompacted(w, first);
        releaseIfIdle();
      } else if (w.nextRev > rev) {
        toSynced(w);
      } else if (w.stream.writable()) {
        ready.add(w);
        from = Math.min(from, w.nextRev);
      }
    }
    if (ready.isEmpty()) {
      return;
    }
    long start = from;
    long to = Math.min(rev, from + SYNC_MAX_REVISIONS - 1);
    syncing = true;
    pool.<KvStore.EventChunk>executeBlocking(() -> store.readEvents(start, to, SYNC_MAX_EVENTS), false)
        .onComplete(ar -> {
          syncing = false;
          if (ar.succeeded()) {
            deliver(ready, ar.result());
          } // a compaction raced the read: the next round cancels who needs it
          boolean progressed = ar.succeeded() && ar.result().through() >= start;
          if (syncAgain || (progressed && !unsynced.isEmpty())) {
            syncAgain = false;
            vertx.runOnContext(v -> sync()); // otherwise the periodic retry picks it up
          }
        });
  }

  private void deliver(List<Watcher> ready, KvStore.EventChunk chunk) {
    for (Watcher w : ready) {
      if (w.synced || !unsynced.contains(w) || w.nextRev > chunk.through() || !w.stream.writable()) {
        continue;
      }
      List<Event> events = new ArrayList<>();
      long through = chunk.through();
      int bytes = 0;
      for (Event ev : chunk.events()) {
        long evRev = ev.getKv().getModRevision();
        if (bytes >= SYNC_RESPONSE_BYTES && evRev != events.get(events.size() - 1).getKv().getModRevision()) {
          through = evRev - 1; // the rest next round, whole revisions only
          break;
        }
        if (w.contains(ev.getKv().getKey()) && w.wants(ev)) {
          events.add(ev);
          bytes += ev.getSerializedSize();
        }
      }
      if (!events.isEmpty() && !w.stream.sendEvents(w, new EventBatch(events, through, header(through)))) {
        continue; // full again: stays unsynced at the same revision
      }
      w.nextRev = through + 1;
      if (w.nextRev > rev) {
        toSynced(w);
      }
    }
    flushSent();
  }

  private void toUnsynced(Watcher w, long from) {
    unindex(w);
    w.nextRev = Math.max(w.nextRev, from);
    unsynced.add(w);
    w.stream.watcherUnsynced();
  }

  private void toSynced(Watcher w) {
    unsynced.remove(w);
    index(w);
    w.stream.watcherSynced();
  }

  private void index(Watcher w) {
    changes++;
    w.synced = true;
    if (w.isSingleKey()) {
      keyWatchers.computeIfAbsent(w.key, k -> new KeyWatchers()).add(w);
    } else {
      rangeWatchers.add(w);
    }
  }

  private void unindex(Watcher w) {
    changes++;
    w.synced = false;
    if (w.isSingleKey()) {
      KeyWatchers ws = keyWatchers.get(w.key);
      if (ws != null && ws.remove(w) && ws.size() == 0) {
        keyWatchers.remove(w.key);
      }
    } else {
      rangeWatchers.remove(w);
    }
  }
}
