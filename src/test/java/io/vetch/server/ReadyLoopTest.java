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
  private RawNode node;
  private ReadIndexQueue<String> reads;
  private ReadyLoop<String> loop;

  @BeforeEach
  void start() {
    start(1, List.of(1L));
  }

  /** A fresh member id among voters, driven by a fresh loop. */
  private void start(long id, List<Long> voters) {
    storage = new MemoryStorage();
    status = new MemberStatus();
    batches.clear();
    sent.clear();
    RawNode.bootstrap(storage, voters);
    RaftConfig cfg = new RaftConfig();
    cfg.id = id;
    node = new RawNode(cfg, storage);
    reads = new ReadIndexQueue<>(id, 5, node::readIndex, r -> served.add(r + " failed"));
    loop = new ReadyLoop<>(node, storage, status, new AppliedConfig(node, storage, 10), reads, 0,
        new ReadyLoop.Sink<>() {
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
}
