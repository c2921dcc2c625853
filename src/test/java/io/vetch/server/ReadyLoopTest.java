package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import io.vetch.raft.MemoryStorage;
import io.vetch.raft.RaftConfig;
import io.vetch.raft.RawNode;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.bus.StorageBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Ready loop driven as the raft verticle drives it, with the storage worker played by the test. */
class ReadyLoopTest {
  private MemoryStorage storage;
  private MemberStatus status;
  private final List<StorageBatch> batches = new ArrayList<>();
  private final List<Message> sent = new ArrayList<>();
  private final List<Long> leaders = new ArrayList<>();
  private final List<String> served = new ArrayList<>();
  /** Tasks the loop asked to run later, with their delays (µs): run by the test. */
  private final List<Runnable> later = new ArrayList<>();
  private final List<Long> laterMicros = new ArrayList<>();
  private RawNode node;
  private ReadIndexQueue<String> reads;
  private ReadyLoop<String> loop;

  @BeforeEach
  void start() {
    start(1, List.of(1L));
  }

  /** A fresh member id among voters, driven by a fresh loop that never holds a Ready for more entries. */
  private void start(long id, List<Long> voters) {
    start(id, voters, 0);
  }

  /** A fresh member id among voters, driven by a fresh loop holding a Ready up to batchWaitMicros for more entries. */
  private void start(long id, List<Long> voters, long batchWaitMicros) {
    start(id, voters, batchWaitMicros, batchWaitMicros);
  }

  /** The same, the loop holding a Ready up to singleVoterWaitMicros while the member is the only voter. */
  private void start(long id, List<Long> voters, long batchWaitMicros, long singleVoterWaitMicros) {
    storage = new MemoryStorage();
    status = new MemberStatus();
    batches.clear();
    sent.clear();
    RawNode.bootstrap(storage, voters);
    RaftConfig cfg = new RaftConfig();
    cfg.id = id;
    node = new RawNode(cfg, storage);
    reads = new ReadIndexQueue<>(id, 5, node::readIndex, r -> served.add(r + " failed"));
    later.clear();
    laterMicros.clear();
    loop = new ReadyLoop<>(node, storage, status, new AppliedConfig(node, storage, 10), reads, 0, batchWaitMicros,
        singleVoterWaitMicros, new ReadyLoop.Sink<>() {
          @Override
          public void persist(StorageBatch batch) {
            batches.add(batch);
          }

          @Override
          public void send(List<Message> messages) {
            sent.addAll(messages);
          }

          @Override
          public void leaderChanged(long lead) {
            leaders.add(lead);
          }

          @Override
          public void serve(long index, List<String> waiting) {
            waiting.forEach(r -> served.add(r + "@" + index));
          }

          @Override
          public Path snapshotImage(long index) {
            return null;
          }

          @Override
          public void snapshotInstalled(long index) {}

          @Override
          public void later(Runnable task, long micros) {
            later.add(task);
            laterMicros.add(micros);
          }
        });
  }

  /** Plays the storage worker for the batch in flight: durable, and its committed entries applied. */
  private StorageBatch persistAndApply() {
    StorageBatch b = batches.get(batches.size() - 1);
    loop.persisted();
    List<Entry> applied = new ArrayList<>(b.committedEntries());
    if (b.applyOnPersist()) {
      applied.addAll(b.entries());
    }
    if (!applied.isEmpty()) {
      loop.appliedTo(applied.get(applied.size() - 1).getIndex());
    }
    return b;
  }

  /** Elects the single voter and settles: each batch the loop hands on is persisted and applied, until none is. */
  private void lead() {
    node.campaign();
    loop.afterEvent();
    int done = 0;
    while (batches.size() > done) {
      done = batches.size();
      persistAndApply();
    }
    assertTrue(node.isLeader());
  }

  @Test
  void oneReadyInFlightProposalsMeanwhileShareTheNextFsync() throws Exception {
    lead();
    assertEquals(List.of(1L), leaders);
    assertEquals(1, status.leader());
    int before = batches.size();
    node.propose("a".getBytes(StandardCharsets.UTF_8));
    loop.afterEvent();
    assertEquals(before + 1, batches.size(), "the first proposal goes to storage at once");
    StorageBatch first = batches.get(batches.size() - 1);
    assertEquals(1, first.entries().size());
    assertTrue(first.mustSync());
    assertTrue(first.applyOnPersist(), "a single voter's entries are committed once durable");
    node.propose("b".getBytes(StandardCharsets.UTF_8));
    loop.afterEvent();
    node.propose("c".getBytes(StandardCharsets.UTF_8));
    loop.afterEvent();
    assertEquals(before + 1, batches.size(), "b and c wait while the first batch is in flight");
    persistAndApply();
    assertEquals(before + 2, batches.size());
    StorageBatch second = batches.get(batches.size() - 1);
    assertEquals(List.of("b", "c"), second.entries().stream().map(e -> e.getData().toStringUtf8()).toList(),
        "one batch, one fsync for both");
    long last = second.entries().get(1).getIndex();
    persistAndApply();
    assertEquals(last, loop.applied());
    assertEquals(last, status.appliedIndex());
    assertEquals(last, storage.lastIndex(), "durable entries joined the in-memory log");
  }

  @Test
  void aSingleVotersCommitIsNoBatchItsCommitIndexRidesWithTheNext() throws Exception {
    lead();
    node.propose("a".getBytes(StandardCharsets.UTF_8));
    loop.afterEvent();
    StorageBatch a = batches.get(batches.size() - 1);
    assertTrue(a.applyOnPersist());
    long index = a.entries().get(0).getIndex();
    int handed = batches.size();
    loop.persisted();
    assertEquals(index, node.status().commit());
    assertEquals(handed, batches.size(), "a was applied as it became durable: its commit needs no batch");
    node.propose("b".getBytes(StandardCharsets.UTF_8));
    loop.afterEvent();
    assertEquals(handed + 1, batches.size());
    StorageBatch b = batches.get(batches.size() - 1);
    assertEquals(List.of("b"), b.entries().stream().map(e -> e.getData().toStringUtf8()).toList());
    assertEquals(index, b.hardState().getCommit(), "the unwritten commit index goes with the next batch");
    assertTrue(b.committedEntries().isEmpty());
  }

  @Test
  void aFollowersAnswerLeavesOnlyOnceItsReadyIsDurable() {
    start(2, List.of(1L, 2L, 3L));
    node.step(Message.newBuilder().setType(MessageType.MsgHeartbeat).setFrom(1).setTo(2).setTerm(2)
        .build());
    loop.afterEvent();
    assertEquals(1, batches.size(), "the new term goes to storage");
    assertEquals(2, batches.get(0).hardState().getTerm());
    assertEquals(List.of(), sent, "nothing is answered before the term is durable");
    loop.persisted();
    assertEquals(List.of(MessageType.MsgHeartbeatResp),
        sent.stream().map(Message::getType).toList());
    assertEquals(1, status.leader());
  }

  @Test
  void aLinearizableReadIsServedOnceItsReadIndexIsApplied() throws Exception {
    lead();
    node.propose("x".getBytes(StandardCharsets.UTF_8));
    loop.afterEvent();
    long x = batches.get(batches.size() - 1).entries().get(0).getIndex();
    int handed = batches.size();
    loop.persisted(); // durable and committed; the storage worker applies it after reporting it durable
    reads.add("r");
    loop.afterEvent();
    assertEquals(handed, batches.size(), "the commit and the read's confirmation need nothing from storage");
    assertEquals(List.of(), served, "the read index is x, and x is not applied yet");
    loop.appliedTo(x - 1);
    assertEquals(List.of(), served);
    loop.appliedTo(x);
    assertEquals(List.of("r@" + x), served);
  }

  @Test
  void aStoppedLoopHandsNothingOn() throws Exception {
    lead();
    int before = batches.size();
    loop.stop();
    node.propose("late".getBytes(StandardCharsets.UTF_8));
    loop.afterEvent();
    assertEquals(before, batches.size());
    assertTrue(loop.stopped());
  }

  /** Member 1 of three voters elected with 2's votes (pre-vote, then vote), its batches so far durable. */
  private void leadThree(long batchWaitMicros) {
    start(1, List.of(1L, 2L, 3L), batchWaitMicros);
    campaignWithVoteOf(2);
    settle();
    assertTrue(node.isLeader());
    sent.clear();
  }

  /** This member campaigns, its batches made durable, and voter grants its pre-vote and then its vote. */
  private void campaignWithVoteOf(long voter) {
    node.campaign();
    settle();
    node.step(Message.newBuilder().setType(MessageType.MsgPreVoteResp).setFrom(voter).setTo(node.id())
        .setTerm(node.term() + 1).build());
    settle();
    node.step(Message.newBuilder().setType(MessageType.MsgVoteResp).setFrom(voter).setTo(node.id())
        .setTerm(node.term()).build());
  }

  /** Runs the loop, each batch it hands on made durable, until it hands on none. */
  private void settle() {
    int done = batches.size();
    loop.afterEvent();
    while (batches.size() > done) {
      done = batches.size();
      loop.persisted();
    }
  }

  private void propose(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      node.propose(new byte[] {(byte) i});
      loop.afterEvent();
    }
  }

  private int lastBatchEntries() {
    return batches.get(batches.size() - 1).entries().size();
  }

  @Test
  void underConcurrentProposalsALeaderHoldsASmallerReadyForMore() throws Exception {
    leadThree(400);
    int handed = batches.size();
    propose(1);
    assertEquals(handed + 1, batches.size(), "after batches of one entry nothing waits");
    assertEquals(List.of(), later);
    propose(9); // while the first batch is in flight: the next one holds them all
    loop.persisted();
    assertEquals(handed + 2, batches.size());
    assertEquals(9, lastBatchEntries());

    loop.persisted();
    propose(3);
    assertEquals(handed + 2, batches.size(), "3 entries after a batch of 9: the Ready waits for more");
    assertEquals(List.of(400L), laterMicros, "one wait, bounded");
    propose(6);
    assertEquals(handed + 2, batches.size(), "as many as the last batch: still waiting for twice as many");
    propose(9);
    assertEquals(handed + 3, batches.size(), "twice as many as the last batch: handed on at once");
    assertEquals(18, lastBatchEntries());
    later.remove(0).run(); // the wait's end, after the Ready went: nothing more
    assertEquals(handed + 3, batches.size());

    loop.persisted();
    propose(2);
    assertEquals(handed + 3, batches.size());
    assertEquals(1, later.size());
    later.remove(0).run(); // nothing more came: the wait ends with what there is
    assertEquals(handed + 4, batches.size());
    assertEquals(2, lastBatchEntries());
    loop.persisted();
    propose(1);
    assertEquals(handed + 5, batches.size(), "after a small batch nothing waits");
    assertEquals(List.of(), later);
  }

  @Test
  void withoutNewEntriesNothingWaits() throws Exception {
    leadThree(400);
    propose(1);
    propose(9); // while the first is in flight
    loop.persisted();
    assertEquals(9, lastBatchEntries());
    int handed = batches.size();
    loop.persisted();
    // a follower acknowledges everything: the commit alone goes to storage at once
    node.step(Message.newBuilder().setType(MessageType.MsgAppResp).setFrom(2).setTo(1).setTerm(node.term())
        .setIndex(storage.lastIndex()).build());
    loop.afterEvent();
    assertEquals(handed + 1, batches.size());
    StorageBatch commit = batches.get(handed);
    assertTrue(commit.entries().isEmpty());
    assertEquals(storage.lastIndex(), commit.committedEntries().get(commit.committedEntries().size() - 1).getIndex());
    assertEquals(List.of(), later);
  }

  @Test
  void aSingleVoterWaitsTooForLess() throws Exception {
    start(1, List.of(1L), 400, 100);
    lead();
    propose(1);
    propose(9);
    persistAndApply();
    assertEquals(9, lastBatchEntries());
    persistAndApply();
    int handed = batches.size();
    propose(8);
    assertEquals(handed, batches.size());
    assertEquals(List.of(100L), laterMicros, "the only voter's bound");
    propose(10);
    assertEquals(handed + 1, batches.size());
    assertEquals(18, lastBatchEntries());
    assertTrue(batches.get(handed).applyOnPersist(), "still committed once durable");
  }

  @Test
  void aFollowerNeverWaits() {
    start(2, List.of(1L, 2L, 3L), 400);
    node.step(Message.newBuilder().setType(MessageType.MsgHeartbeat).setFrom(1).setTo(2).setTerm(2).build());
    settle();
    long last = storage.lastIndex();
    node.step(append(1, last, 10));
    loop.afterEvent();
    assertEquals(10, lastBatchEntries());
    node.step(append(2, last + 10, 2));
    loop.afterEvent();
    int handed = batches.size();
    loop.persisted();
    assertEquals(handed + 1, batches.size(), "handed on at once");
    assertEquals(2, lastBatchEntries());
    assertEquals(List.of(), later);
  }

  @Test
  void aFollowerElectedAfterLargeAppendsDoesNotWait() throws Exception {
    start(2, List.of(1L, 2L, 3L), 400);
    node.step(Message.newBuilder().setType(MessageType.MsgHeartbeat).setFrom(1).setTo(2).setTerm(2).build());
    settle();
    node.step(append(1, storage.lastIndex(), 10));
    settle();
    campaignWithVoteOf(3);
    int handed = batches.size();
    loop.afterEvent();
    assertTrue(node.isLeader());
    assertEquals(handed + 1, batches.size(), "the new term's empty entry goes at once");
    assertEquals(List.of(), later);
  }

  /** The leader's (1, term 2) append of n entries after (logTerm, index). */
  private static Message append(long logTerm, long index, int n) {
    Message.Builder m = Message.newBuilder().setType(MessageType.MsgApp).setFrom(1).setTo(2).setTerm(2)
        .setLogTerm(logTerm).setIndex(index);
    for (int i = 1; i <= n; i++) {
      m.addEntries(Entry.newBuilder().setTerm(2).setIndex(index + i)
          .setData(com.google.protobuf.ByteString.copyFrom(new byte[] {(byte) i})));
    }
    return m.build();
  }
}
