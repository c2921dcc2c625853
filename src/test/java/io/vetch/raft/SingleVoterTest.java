package io.vetch.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.raftpb.ConfChange;
import io.vetch.api.raftpb.ConfChangeType;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.EntryType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A one-member cluster driven like the raft verticle drives it: Ready, persist to MemoryStorage, advance. */
class SingleVoterTest {
  private final MemoryStorage storage = new MemoryStorage();

  private RawNode start() {
    RaftConfig cfg = new RaftConfig();
    cfg.id = 1;
    return new RawNode(cfg, storage);
  }

  /** What the driver does with one Ready: persist, then advance. */
  private Ready persist(RawNode n) {
    assertTrue(n.hasReady());
    Ready rd = n.ready();
    if (rd.snapshot != null) {
      storage.applySnapshot(rd.snapshot);
    }
    storage.append(rd.entries);
    if (rd.hardState != null) {
      storage.setHardState(rd.hardState);
    }
    n.advance(rd);
    return rd;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void campaignMakesLeaderAtOnceAndCommitsOnlyAfterPersist() throws Exception {
    RawNode.bootstrap(storage, List.of(1L));
    RawNode n = start();
    n.campaign();
    assertTrue(n.isLeader());
    assertEquals(2, n.term());
    Ready rd = persist(n);
    assertEquals(new SoftState(1, StateType.LEADER), rd.softState);
    assertEquals(2, rd.hardState.getTerm());
    assertEquals(1, rd.hardState.getVote());
    assertEquals(2, rd.entries.size()); // bootstrap conf change at term 1, leader's empty entry at term 2
    assertEquals(EntryType.EntryConfChange, rd.entries.get(0).getType());
    assertTrue(rd.committedEntries.isEmpty(), "nothing is applied before it is durable");
    assertTrue(rd.mustSync);
    assertTrue(rd.messages.isEmpty());

    rd = persist(n);
    assertEquals(List.of(1L, 2L), rd.committedEntries.stream().map(Entry::getIndex).toList());
    assertEquals(2, rd.hardState.getCommit());
    assertFalse(rd.mustSync, "only the commit index moved");
    assertFalse(n.hasReady());

    n.propose(bytes("a"));
    rd = persist(n);
    assertEquals(1, rd.entries.size());
    assertTrue(rd.committedEntries.isEmpty());
    rd = persist(n);
    assertEquals(1, rd.committedEntries.size());
    assertEquals("a", rd.committedEntries.get(0).getData().toStringUtf8());
    assertEquals(3, rd.hardState.getCommit());
  }

  @Test
  void proposalsBatchedIntoOneReady() throws Exception {
    RawNode.bootstrap(storage, List.of(1L));
    RawNode n = start();
    n.campaign();
    persist(n);
    persist(n);
    for (int i = 0; i < 5; i++) {
      n.propose(bytes("p" + i));
    }
    Ready rd = n.ready();
    assertEquals(5, rd.entries.size());
    assertFalse(n.hasReady(), "one Ready at a time");
    assertThrows(IllegalStateException.class, n::ready);
    n.propose(bytes("late")); // arrives while the batch is being persisted
    storage.append(rd.entries);
    n.advance(rd);
    rd = persist(n);
    assertEquals(5, rd.committedEntries.size());
    assertEquals(1, rd.entries.size());
    assertEquals("late", persist(n).committedEntries.get(0).getData().toStringUtf8());
  }

  @Test
  void readIndexWaitsForCommitInTermThenAnswersImmediately() throws Exception {
    RawNode.bootstrap(storage, List.of(1L));
    RawNode n = start();
    n.campaign();
    assertTrue(n.readIndex(bytes("r1")));
    Ready rd = persist(n);
    assertTrue(rd.readStates.isEmpty(), "no ReadState before the leader's first entry commits");
    rd = persist(n);
    assertEquals(1, rd.readStates.size());
    assertEquals(2, rd.readStates.get(0).index());
    assertArrayEquals(bytes("r1"), rd.readStates.get(0).requestCtx());
    n.readIndex(bytes("r2"));
    rd = persist(n);
    assertEquals(2, rd.readStates.get(0).index());
  }

  @Test
  void restartFromStorageKeepsTermLogAndRedeliversUnapplied() throws Exception {
    RawNode.bootstrap(storage, List.of(1L));
    RawNode n = start();
    n.campaign();
    persist(n);
    persist(n);
    n.propose(bytes("x"));
    persist(n); // durable but the commit is not yet in the hard state

    RawNode restarted = start();
    assertFalse(restarted.isLeader());
    assertEquals(2, restarted.term());
    restarted.campaign();
    assertFalse(restarted.isLeader(), "no campaign while a committed conf change is not applied");
    Ready rd = persist(restarted);
    assertEquals(List.of(1L, 2L), rd.committedEntries.stream().map(Entry::getIndex).toList());
    restarted.campaign();
    assertTrue(restarted.isLeader());
    assertEquals(3, restarted.term());
    persist(restarted);
    rd = persist(restarted);
    assertEquals(List.of(3L, 4L), rd.committedEntries.stream().map(Entry::getIndex).toList());
    assertEquals("x", rd.committedEntries.get(0).getData().toStringUtf8());
  }

  @Test
  void restartWithAppliedSkipsAppliedEntries() {
    RawNode.bootstrap(storage, List.of(1L));
    RawNode n = start();
    n.campaign();
    persist(n);
    persist(n);
    RaftConfig cfg = new RaftConfig();
    cfg.id = 1;
    cfg.applied = 2;
    storage.setConfState(io.vetch.api.raftpb.ConfState.getDefaultInstance(), java.util.Map.of()); // as a WAL without snapshot has it
    RawNode restarted = new RawNode(cfg, storage);
    assertEquals(List.of(1L), restarted.confState().getVotersList(), "replayed from the applied bootstrap entry");
    assertEquals(2, restarted.status().applied());
    restarted.campaign();
    persist(restarted);
    Ready rd = persist(restarted);
    assertEquals(List.of(3L), rd.committedEntries.stream().map(Entry::getIndex).toList());
  }

  @Test
  void followerWithoutLeaderDropsProposalsAndReads() {
    RaftConfig cfg = new RaftConfig();
    cfg.id = 1;
    storage.setConfState(io.vetch.api.raftpb.ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).build(),
        java.util.Map.of());
    RawNode n = new RawNode(cfg, storage);
    assertThrows(ProposalDroppedException.class, () -> n.propose(bytes("a")));
    assertFalse(n.readIndex(bytes("r")));
  }

  @Test
  void secondConfChangeRefusedUntilFirstApplied() throws Exception {
    RawNode.bootstrap(storage, List.of(1L));
    RawNode n = start();
    n.campaign();
    persist(n);
    persist(n);
    ConfChange add2 = ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddLearnerNode).setNodeId(2).build();
    n.proposeConfChange(add2);
    assertThrows(ProposalDroppedException.class, () -> n.proposeConfChange(add2));
    persist(n);
    Ready rd = persist(n);
    assertEquals(EntryType.EntryConfChange, rd.committedEntries.get(0).getType());
    var cs = n.applyConfChange(ConfChange.parseFrom(rd.committedEntries.get(0).getData()));
    assertEquals(List.of(2L), cs.getLearnersList());
    n.proposeConfChange(ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddNode).setNodeId(2).build());
  }

  @Test
  void newLeaderWaitsForItsTermToBeDurableBeforeSendingToLearners() throws Exception {
    RawNode.bootstrap(storage, List.of(1L));
    RawNode n = start();
    n.campaign();
    persist(n);
    persist(n);
    n.proposeConfChange(ConfChange.newBuilder().setType(ConfChangeType.ConfChangeAddLearnerNode).setNodeId(2).build());
    persist(n);
    n.applyConfChange(ConfChange.parseFrom(persist(n).committedEntries.get(0).getData()));
    RaftConfig cfg = new RaftConfig();
    cfg.id = 1;
    cfg.applied = storage.hardState().getCommit();
    RawNode restarted = new RawNode(cfg, storage);
    assertEquals(List.of(2L), restarted.confState().getLearnersList(), "replayed up to the applied index");
    restarted.campaign(); // wins alone at once: new term and MsgApp to the learner in one Ready
    Ready rd = restarted.ready();
    assertTrue(rd.messages.stream().anyMatch(m -> m.getType() == io.vetch.api.raftpb.MessageType.MsgApp));
    assertNotNull(rd.hardState);
    assertFalse(rd.sendBeforePersist, "a crash before the fsync would let this member lead the same term again");
    storage.append(rd.entries);
    storage.setHardState(rd.hardState);
    restarted.advance(rd);
    restarted.propose(bytes("y"));
    assertTrue(restarted.ready().sendBeforePersist, "term durable: replication runs parallel to the fsync");
  }

  @Test
  void stepRejectsLocalOnlyMessages() {
    RawNode.bootstrap(storage, List.of(1L));
    RawNode n = start();
    assertThrows(IllegalArgumentException.class, () -> n.step(io.vetch.api.raftpb.Message.newBuilder()
        .setType(io.vetch.api.raftpb.MessageType.MsgHup).setFrom(2).build()));
    assertThrows(IllegalArgumentException.class, () -> n.step(io.vetch.api.raftpb.Message.newBuilder()
        .setType(io.vetch.api.raftpb.MessageType.MsgProp).setFrom(2).build()));
    assertNotNull(n.status());
    assertNull(persist(n).softState);
  }
}
