package io.vetch.server;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Linearizable reads waiting on ReadIndex (etcd's read-only queue, as the raft verticle drives it). Reads that arrive
 * while a round is out wait and share the next round. A round's answer (Raft's ReadState for its context) moves its
 * reads to wait until this member has applied the read index; a round without an answer for {@code retryTicks}
 * ticks (a lost message, a leader not yet ready to serve reads, a new leader) is asked again as a new round, and a
 * late answer to the old one is ignored. The context of a round is this member's id and a sequence number, unique
 * cluster-wide, since the leader batches the rounds of every member by context.
 *
 * <p>Plain and single-threaded: the raft verticle's context calls it. {@code R} is a waiting read (the raft
 * verticle's event-bus message).
 */
final class ReadIndexQueue<R> {
  private final long memberId;
  private final int retryTicks;
  /** Asks Raft for a read index under a context; false when no leader is known to ask. */
  private final Predicate<byte[]> requestRound;
  /** Fails a read no round can be asked for (no leader). */
  private final Consumer<R> noLeader;
  private List<R> queued = new ArrayList<>();
  private final Map<Long, List<R>> inFlight = new HashMap<>();
  private final TreeMap<Long, List<R>> awaitingApply = new TreeMap<>();
  private long seq;
  private int roundTicks;

  ReadIndexQueue(long memberId, int retryTicks, Predicate<byte[]> requestRound, Consumer<R> noLeader) {
    this.memberId = memberId;
    this.retryTicks = retryTicks;
    this.requestRound = requestRound;
    this.noLeader = noLeader;
  }

  /** A read arrived: it goes out at once when no round is out, else with the next round. */
  void add(R read) {
    queued.add(read);
    if (inFlight.isEmpty()) {
      submit();
    }
  }

  /** Sends the queued reads out as one round, if there are any. */
  void submit() {
    if (queued.isEmpty()) {
      return;
    }
    long ctx = ++seq;
    List<R> reads = queued;
    queued = new ArrayList<>();
    if (requestRound.test(ByteBuffer.allocate(16).putLong(memberId).putLong(ctx).array())) {
      inFlight.put(ctx, reads);
      roundTicks = 0;
    } else {
      reads.forEach(noLeader);
    }
  }

  /** A tick passed: rounds out for retryTicks ticks go out again, with the reads queued since, as one new round. */
  void tick() {
    if (inFlight.isEmpty() || ++roundTicks < retryTicks) {
      return;
    }
    List<R> retry = new ArrayList<>();
    inFlight.values().forEach(retry::addAll);
    inFlight.clear();
    retry.addAll(queued);
    queued = retry;
    submit();
  }

  /** Raft confirmed read index index for the round with context ctx (another member's, or a stale one: ignored). */
  void confirmed(byte[] ctx, long index) {
    ByteBuffer b = ByteBuffer.wrap(ctx);
    List<R> reads = b.remaining() == 16 && b.getLong() == memberId ? inFlight.remove(b.getLong()) : null;
    if (reads != null) {
      awaitingApply.computeIfAbsent(index, i -> new ArrayList<>()).addAll(reads);
    }
  }

  /** Hands over, in read-index order, the reads of each read index that applied has reached. */
  void serve(long applied, BiConsumer<Long, List<R>> answer) {
    while (!awaitingApply.isEmpty() && awaitingApply.firstKey() <= applied) {
      var e = awaitingApply.pollFirstEntry();
      answer.accept(e.getKey(), e.getValue());
    }
  }

  /** Every read waiting, whatever its stage, handed to fail (the member's storage failed); the queue is empty after. */
  void failAll(Consumer<R> fail) {
    List<R> all = new ArrayList<>(queued);
    queued = new ArrayList<>();
    inFlight.values().forEach(all::addAll);
    inFlight.clear();
    awaitingApply.values().forEach(all::addAll);
    awaitingApply.clear();
    all.forEach(fail);
  }
}
