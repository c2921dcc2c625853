package io.vetch.server;

import io.vetch.api.raftpb.EntryType;
import io.vetch.api.raftpb.HardState;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.Snapshot;
import io.vetch.raft.MemoryStorage;
import io.vetch.raft.RawNode;
import io.vetch.raft.ReadState;
import io.vetch.raft.Ready;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.bus.StorageBatch;
import java.util.List;

/**
 * The Ready loop (etcd's raftNode), without Vert.x: takes each Ready from the Raft core, hands what must be persisted
 * or applied to the storage worker, one Ready in flight at a time (proposals arriving meanwhile share the next WAL
 * fsync: group commit; under concurrent proposals a leader holds the next Ready briefly for more, {@link
 * #waitForMore}), and once the worker reports it durable appends it to the in-memory log (MemoryStorage) and
 * advances the core. A Ready with nothing for storage (heartbeats, read-index traffic, a single voter's commit of
 * entries applied as they became durable) is finished at once. A leader's messages go out before its own fsync when
 * its term is durable; everyone else's after.
 *
 * <p>Also keeps the applied index the storage worker reports, and serves linearizable reads ({@link ReadIndexQueue})
 * once it reaches their read index. Plain state on the raft verticle's context; not thread-safe.
 *
 * @param <R> a waiting linearizable read
 */
final class ReadyLoop<R> {
  /** Where the loop's work goes: the storage worker, the peers, and the verticle's reactions. */
  interface Sink<R> {
    /** Hands batch to the storage worker; {@link #persisted} must follow once it is durable. */
    void persist(StorageBatch batch);

    /** Sends messages to peers. */
    void send(List<Message> messages);

    /** The member known to lead changed to lead (0: none). */
    void leaderChanged(long lead);

    /** reads may be answered: index, the read index they waited for, is applied. */
    void serve(long index, List<R> reads);

    /** The received store image for the snapshot at index, or null. */
    java.nio.file.Path snapshotImage(long index);

    /** The snapshot at index is installed; images received for it or older are no longer needed. */
    void snapshotInstalled(long index);

    /** Runs task on the loop's context once micros have passed. */
    void later(Runnable task, long micros);
  }

  /** A Ready waits for more entries only after one that carried at least this many (a concurrent load). */
  static final int BATCH_WAIT_MIN_ENTRIES = 8;
  /**
   * A held Ready goes as soon as this many times the last one's entries are pending: under a steady load the hold
   * runs its time, and the batches grow (docs/performance.md, round 35).
   */
  static final int BATCH_WAIT_GROWTH = 2;
  /** The longest such wait, µs ({@code -Dvetch.batchWaitMicros}; 0 turns it off). See docs/performance.md, round 26. */
  static final long BATCH_WAIT_MICROS = Long.getLong("vetch.batchWaitMicros", 400);
  /**
   * The longest such wait of a leader that is its cluster's only voter, whose Ready cycle is shorter (no round trip to
   * followers), µs ({@code -Dvetch.singleVoterBatchWaitMicros}; 0 turns it off). See docs/performance.md, round 31.
   */
  static final long SINGLE_VOTER_BATCH_WAIT_MICROS = Long.getLong("vetch.singleVoterBatchWaitMicros", 100);

  private final RawNode node;
  private final MemoryStorage memoryStorage;
  private final MemberStatus status;
  private final AppliedConfig config;
  private final ReadIndexQueue<R> reads;
  private final Sink<R> sink;
  private Ready inflight;
  private long batchSeq;
  private long applied;
  /** The last entry of the batches handed off to be applied once durable (a single voter's own entries). */
  private long appliedOnPersist;
  /** A hard state whose only change (the commit index) was not written; the next batch for storage carries it. */
  private HardState unsaved;
  private boolean stopped;
  /**
   * See {@link #waitForMore()}: the longest wait (µs; 0: none) in a cluster of several voters and as the only voter,
   * the last Ready's entry count, the wait under way.
   */
  private final long batchWaitMicros;
  private final long singleVoterWaitMicros;
  private int lastEntries;
  private long waitSeq;
  private boolean waiting;

  /**
   * batchWaitMicros, singleVoterWaitMicros: how long a leader may hold a Ready for more entries ({@link
   * #waitForMore}), in a cluster of several voters and as the only voter.
   */
  ReadyLoop(RawNode node, MemoryStorage memoryStorage, MemberStatus status, AppliedConfig config,
      ReadIndexQueue<R> reads, long applied, long batchWaitMicros, long singleVoterWaitMicros, Sink<R> sink) {
    this.batchWaitMicros = batchWaitMicros;
    this.singleVoterWaitMicros = singleVoterWaitMicros;
    this.node = node;
    this.memoryStorage = memoryStorage;
    this.status = status;
    this.config = config;
    this.reads = reads;
    this.applied = applied;
    this.sink = sink;
    status.appliedIndex(applied);
  }

  long applied() {
    return applied;
  }

  /** No Ready is taken any more (the member stops, or its storage failed). */
  void stop() {
    stopped = true;
  }

  boolean stopped() {
    return stopped;
  }

  /**
   * After every event that may have given the core work: hands the next Ready on, unless one is in flight or the
   * next waits for more entries.
   */
  void afterEvent() {
    if (!waitForMore()) {
      takeReadys();
    }
  }

  /** Hands on Readys until one goes to storage or none is left. */
  private void takeReadys() {
    while (!stopped && inflight == null && node.hasReady()) {
      Ready rd = node.ready();
      waiting = false;
      if (!rd.entries.isEmpty()) {
        lastEntries = node.isLeader() ? rd.entries.size() : 0; // a follower's batches say nothing of its clients
      }
      if (handOff(rd)) {
        return;
      }
      sink.send(rd.messages);
      node.advance(rd);
    }
  }

  /**
   * Whether the next Ready waits for more entries: on a leader whose last Ready carried at least
   * {@link #BATCH_WAIT_MIN_ENTRIES} entries (clients are proposing concurrently), while fewer new entries are pending
   * than {@link #BATCH_WAIT_GROWTH} times what it carried, the next Ready is held until as many are (proposals still
   * arriving from the clients and the followers) or batchWaitMicros have passed (singleVoterWaitMicros for the only
   * voter). Fewer, larger Readys: each costs every member a WAL write with its cache flush, a round of messages and
   * thread hand-offs, whatever it carries; a commit that arrives meanwhile waits with it (letting it go at once measured
   * worse, round 35). A serial load (batches of one entry) never waits, and neither does a Ready without new entries
   * (heartbeats, read-index rounds, commits alone) or a follower's.
   */
  private boolean waitForMore() {
    if (stopped || inflight != null || lastEntries < BATCH_WAIT_MIN_ENTRIES) {
      return false;
    }
    long micros = onlyVoter() ? singleVoterWaitMicros : batchWaitMicros;
    if (micros <= 0) {
      return false;
    }
    int pending = node.unstableEntries();
    if (pending == 0 || pending >= BATCH_WAIT_GROWTH * lastEntries || !node.isLeader()) {
      return false;
    }
    if (!waiting) {
      waiting = true;
      long seq = ++waitSeq;
      sink.later(() -> {
        if (waiting && seq == waitSeq) { // else a Ready was taken before the wait ran out
          takeReadys();
        }
      }, micros);
    }
    return true;
  }

  /** Whether this member is its cluster's only voter. */
  private boolean onlyVoter() {
    return config.confState().getVotersCount() == 1 && config.confState().getVoters(0) == node.id();
  }

  /** The Ready in flight is durable: it joins the in-memory log, its follower messages go out, the core advances. */
  void persisted() {
    Ready rd = inflight;
    if (rd.snapshot != null) {
      Snapshot snap = rd.snapshot;
      memoryStorage.applySnapshot(snap);
      config.installed(snap.getMetadata().getConfState());
      appliedTo(snap.getMetadata().getIndex());
      sink.snapshotInstalled(snap.getMetadata().getIndex());
    }
    memoryStorage.append(rd.entries);
    if (rd.hardState != null) {
      memoryStorage.setHardState(rd.hardState);
    }
    if (!rd.sendBeforePersist) {
      sink.send(rd.messages);
    }
    node.advance(rd);
    inflight = null;
    afterEvent();
  }

  /** The storage worker applied entries up to index; reads waiting for it are served. */
  void appliedTo(long index) {
    applied = Math.max(applied, index);
    status.appliedIndex(applied);
    reads.serve(applied, sink::serve);
  }

  /** Acts on rd's state, leader and reads; hands it to storage unless it has nothing for storage (returns false). */
  private boolean handOff(Ready rd) {
    if (rd.softState != null) {
      status.update(node.term(), rd.softState.lead());
      sink.leaderChanged(rd.softState.lead());
    } else if (rd.hardState != null) {
      status.update(rd.hardState.getTerm(), node.leader());
    }
    if (rd.hardState != null) {
      status.commitIndex(rd.hardState.getCommit());
    }
    for (ReadState rs : rd.readStates) {
      reads.confirmed(rs.requestCtx(), rs.index());
    }
    reads.serve(applied, sink::serve);
    reads.submit();
    if (rd.hardState == null && rd.entries.isEmpty() && rd.snapshot == null && rd.committedEntries.isEmpty()) {
      return false;
    }
    if (appliedAlready(rd)) {
      // The commit of entries the storage worker applies as they become durable: nothing for it to do now. The
      // commit index is written with the next batch (etcd writes it without an fsync; a restart takes the commit
      // index to be at least the applied one).
      if (rd.hardState != null) {
        memoryStorage.setHardState(rd.hardState);
        unsaved = rd.hardState;
      }
      return false;
    }
    if (rd.sendBeforePersist) {
      sink.send(rd.messages);
    }
    inflight = rd;
    boolean applyOnPersist = committedOnPersist(rd);
    if (applyOnPersist) {
      appliedOnPersist = rd.entries.get(rd.entries.size() - 1).getIndex();
    }
    HardState hardState = rd.hardState != null ? rd.hardState : unsaved;
    unsaved = null;
    java.nio.file.Path image = rd.snapshot == null ? null : sink.snapshotImage(rd.snapshot.getMetadata().getIndex());
    sink.persist(new StorageBatch(++batchSeq, hardState, rd.entries, rd.snapshot, image, rd.committedEntries,
        rd.mustSync, applyOnPersist));
    return true;
  }

  /**
   * Whether rd only commits entries handed off to be applied once durable (so applied by now or about to be, in
   * order, before any later batch), changing nothing else but the commit index.
   */
  private boolean appliedAlready(Ready rd) {
    return rd.entries.isEmpty() && rd.snapshot == null && !rd.mustSync && !rd.committedEntries.isEmpty()
        && rd.committedEntries.get(rd.committedEntries.size() - 1).getIndex() <= appliedOnPersist;
  }

  /**
   * Whether rd's entries are committed the moment this member has them durable: it leads a cluster where it is the
   * only voter, in a term already durable, and none of them changes the membership (which counts from when it is
   * applied). Raft's own commit rule gives the same answer once the entries are persisted.
   */
  private boolean committedOnPersist(Ready rd) {
    // sendBeforePersist: this leader's term and vote are durable already
    return !rd.entries.isEmpty() && node.isLeader() && rd.sendBeforePersist && onlyVoter()
        && rd.entries.stream().allMatch(e -> e.getType() == EntryType.EntryNormal)
        && rd.entries.get(0).getTerm() == node.term();
  }
}
