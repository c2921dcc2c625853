package io.vetch.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Named multi-member cases on a {@link LocalNetwork}: replication, durability, repair, snapshots, reads. */
class ReplicationScenarioTest {
  @Test
  void leaderCommitsWithFollowersBeforeItsOwnFsync() {
    LocalNetwork net = new LocalNetwork(3, 3);
    net.stabilize();
    net.elect(1);
    Member leader = net.member(1);
    leader.propose("x");
    assertTrue(leader.takeReady(net::send));
    assertTrue(leader.pending.sendBeforePersist, "leader ships MsgApp before its fsync");
    long index = leader.pending.entries.get(0).getIndex();
    // followers persist and acknowledge; the leader is still fsyncing
    for (long id : List.of(2L, 3L)) {
      while (!net.inFlight.isEmpty()) {
        net.deliver(0);
      }
      net.processReady(net.member(id));
    }
    while (!net.inFlight.isEmpty()) {
      net.deliver(0);
    }
    assertEquals(index, leader.node.status().commit(), "a quorum of followers commits without the leader");
    leader.persist(net::send, m -> { });
    net.stabilize();
    assertEquals(List.of("x"), leader.appliedData());
  }

  @Test
  void votesAndAcknowledgementsLeaveOnlyAfterPersisting() {
    LocalNetwork net = new LocalNetwork(3, 17);
    net.stabilize();
    Member candidate = net.member(1);
    candidate.node.campaign(); // pre-vote: no term change yet, but still a promise to wait for
    assertTrue(candidate.takeReady(net::send));
    assertFalse(candidate.pending.sendBeforePersist);
    assertTrue(net.inFlight.isEmpty());
    candidate.persist(net::send, m -> { });
    net.stabilize();
    assertTrue(candidate.node.isLeader());
    candidate.propose("x");
    assertTrue(candidate.takeReady(net::send));
    while (!net.inFlight.isEmpty()) {
      net.deliver(0);
    }
    Member follower = net.member(2);
    assertTrue(follower.takeReady(net::send));
    assertEquals(1, follower.pending.entries.size());
    assertTrue(follower.pending.messages.stream().anyMatch(m -> m.getType() == MessageType.MsgAppResp));
    assertFalse(follower.pending.sendBeforePersist, "an append response promises the entry is durable");
    assertTrue(net.inFlight.stream().noneMatch(m -> m.getFrom() == 2));
    follower.persist(net::send, m -> { });
    assertTrue(net.inFlight.stream().anyMatch(m -> m.getFrom() == 2 && m.getType() == MessageType.MsgAppResp));
  }

  @Test
  void leaderDoesNotCountItselfBeforeFsync() {
    LocalNetwork net = new LocalNetwork(3, 4);
    net.stabilize();
    net.elect(1);
    Member leader = net.member(1);
    long commit = leader.node.status().commit();
    leader.propose("x");
    assertTrue(leader.takeReady(net::send));
    net.member(3).crash();
    while (!net.inFlight.isEmpty()) {
      net.deliver(0);
    }
    net.processReady(net.member(2));
    while (!net.inFlight.isEmpty()) {
      net.deliver(0);
    }
    assertEquals(commit, leader.node.status().commit(), "one follower + a leader without fsync is no quorum");
    leader.persist(net::send, m -> { });
    assertEquals(commit + 1, leader.node.status().commit());
  }

  @Test
  void flowControlBoundsMessageSizeAndInflightWindow() {
    LocalNetwork net = new LocalNetwork(3, 16);
    Member leader = net.member(1);
    leader.crash();
    leader.cfg.maxSizePerMsg = 250; // two 100-byte entries
    leader.cfg.maxInflightMsgs = 3;
    leader.restart();
    net.stabilize();
    net.elect(1);
    String payload = "x".repeat(100);
    for (int i = 0; i < 20; i++) {
      leader.propose(payload + i);
    }
    assertTrue(leader.takeReady(net::send));
    List<Message> toTwo = net.inFlight.stream()
        .filter(m -> m.getTo() == 2 && m.getType() == MessageType.MsgApp && m.getEntriesCount() > 0).toList();
    // 20 proposals before one Ready: they go out together, in MsgApps of at most 250 bytes until the window of 3
    // messages is full.
    assertEquals(3, toTwo.size(), "replicate window of 3 messages");
    assertTrue(toTwo.stream().allMatch(m -> m.getEntriesCount() == 2), "at most 250 bytes per MsgApp");
    leader.persist(net::send, m -> { });
    net.stabilize();
    for (Member m : net.members.values()) {
      assertEquals(20, m.appliedData().size(), "member " + m.id);
    }
  }

  @Test
  void followerWithConflictingLogIsRepaired() {
    LocalNetwork net = new LocalNetwork(3, 6);
    net.stabilize();
    net.elect(1);
    net.member(1).propose("a");
    net.stabilize();
    // member 3 leads a term on its own and appends entries nobody else gets
    net.member(1).node.transferLeader(3);
    net.stabilize();
    assertTrue(net.member(3).node.isLeader());
    net.isolate(3);
    Member m3 = net.member(3);
    for (int i = 0; i < 20; i++) {
      m3.propose("junk" + i);
    }
    net.tickAll(30);
    Member leader = net.leader();
    assertNotEquals(3, leader.id);
    assertTrue(m3.storage.lastIndex() > leader.storage.lastIndex() + 10, "member 3 has a long conflicting tail");
    for (int i = 0; i < 3; i++) {
      leader.propose("b" + i);
    }
    net.stabilize();
    net.heal();
    net.tickAll(3);
    assertEquals(List.of("a", "b0", "b1", "b2"), m3.appliedData());
    assertEquals(leader.storage.lastIndex(), m3.storage.lastIndex());
    for (long i = m3.storage.firstIndex(); i <= m3.storage.lastIndex(); i++) {
      assertEquals(leader.storage.term(i), m3.storage.term(i), "index " + i);
    }
  }

  @Test
  void laggingFollowerCatchesUpBySnapshot() {
    LocalNetwork net = new LocalNetwork(3, 7);
    net.stabilize();
    net.elect(1);
    net.member(3).crash();
    for (int i = 0; i < 20; i++) {
      net.member(1).propose("v" + i);
      net.stabilize();
    }
    for (Member m : List.of(net.member(1), net.member(2))) {
      m.snapshotAndCompact(2);
    }
    assertTrue(net.member(1).storage.firstIndex() > 10);
    net.member(3).restart();
    net.tickAll(3);
    Member m3 = net.member(3);
    assertEquals(net.member(1).storage.snapshot().getMetadata().getIndex(),
        m3.storage.snapshot().getMetadata().getIndex(), "member 3 installed the leader's snapshot");
    assertEquals(net.member(1).node.status().commit(), m3.node.status().commit());
    net.member(1).propose("after");
    net.stabilize();
    assertEquals(List.of("after"), m3.appliedData().subList(m3.appliedData().size() - 1, m3.appliedData().size()));
  }

  @Test
  void readIndexBatchesRequestsIntoOneHeartbeatRound() {
    LocalNetwork net = new LocalNetwork(3, 11);
    net.stabilize();
    net.elect(1);
    Member leader = net.member(1);
    leader.node.readIndex(Member.bytes("r1"));
    leader.node.readIndex(Member.bytes("r2"));
    Ready rd = leader.node.ready();
    long heartbeats = rd.messages.stream().filter(m -> m.getType() == MessageType.MsgHeartbeat).count();
    assertEquals(2, heartbeats, "one round (one heartbeat per follower) for both reads");
    assertTrue(rd.readStates.isEmpty());
    net.send(rd.messages);
    leader.storage.append(rd.entries);
    leader.node.advance(rd);
    net.deliver(0); // only member 2 gets its heartbeat: leader + 2 is a quorum
    net.processReady(net.member(2));
    net.inFlight.removeIf(m -> m.getTo() == 3);
    net.deliver(0);
    rd = leader.node.ready();
    assertEquals(List.of("r1", "r2"), rd.readStates.stream().map(r -> new String(r.requestCtx())).toList());
    long commit = leader.node.status().commit();
    assertTrue(rd.readStates.stream().allMatch(r -> r.index() == commit));
    leader.node.advance(rd);
  }

  @Test
  void deposedLeaderCannotServeAStaleRead() {
    LocalNetwork net = new LocalNetwork(3, 15);
    net.stabilize();
    net.elect(1);
    net.isolate(1);
    for (int t = 0; t < 30 && net.member(2).node.leader() <= 1 && net.member(3).node.leader() <= 1; t++) {
      net.member(2).node.tick();
      net.member(3).node.tick();
      net.stabilize();
    }
    Member newLeader = net.member(2).node.isLeader() ? net.member(2) : net.member(3);
    assertTrue(newLeader.node.isLeader());
    newLeader.propose("w");
    net.stabilize();
    long written = newLeader.node.status().commit();
    assertTrue(net.member(1).node.isLeader(), "the old leader has not noticed yet");
    net.member(1).node.readIndex(Member.bytes("stale?"));
    net.stabilize();
    net.heal();
    net.tickAll(3);
    assertFalse(net.member(1).node.isLeader());
    for (ReadState rs : net.member(1).reads) {
      assertTrue(rs.index() >= written, "read index " + rs.index() + " misses the write at " + written);
    }
  }

  @Test
  void followerReadIndexIsForwardedToTheLeader() {
    LocalNetwork net = new LocalNetwork(3, 12);
    net.stabilize();
    net.elect(1);
    List<ReadState> got = new ArrayList<>();
    Member f = net.member(3);
    assertTrue(f.node.readIndex(Member.bytes("f")));
    for (int i = 0; i < 5; i++) {
      if (f.takeReady(net::send)) {
        got.addAll(f.pending.readStates);
        f.persist(net::send, m -> { });
      }
      for (Member m : List.of(net.member(1), net.member(2))) {
        net.processReady(m);
      }
      while (!net.inFlight.isEmpty()) {
        net.deliver(0);
      }
    }
    assertEquals(1, got.size());
    assertEquals(net.member(1).node.status().commit(), got.get(0).index());
  }

  @Test
  void aCommitAdvanceWantsNoAnswerFromReplicatingFollowers() {
    LocalNetwork net = new LocalNetwork(3, 23);
    net.stabilize();
    net.elect(1);
    Member leader = net.member(1);
    leader.propose("a");
    net.stabilize(); // both followers acknowledged an append: they replicate now
    leader.propose("b");
    List<Message> seen = new ArrayList<>();
    net.onDeliver = seen::add;
    net.stabilize();
    for (long id = 1; id <= 3; id++) {
      assertEquals(List.of("a", "b"), net.member(id).appliedData(), "member " + id);
    }
    List<Message> commits = seen.stream().filter(m -> m.getType() == MessageType.MsgApp && m.getEntriesCount() == 0)
        .toList();
    assertEquals(2, commits.size(), "one commit advance per follower: " + seen);
    assertTrue(commits.stream().allMatch(Message::getNoReply), commits.toString());
    assertEquals(2, seen.stream().filter(m -> m.getType() == MessageType.MsgAppResp).count(),
        "one answer per follower, to the MsgApp with the entry: " + seen);
  }

  @Test
  void anAppendWantingNoAnswerIsStillAnsweredWhenRejected() {
    LocalNetwork net = new LocalNetwork(3, 29);
    net.stabilize();
    net.elect(1);
    Member follower = net.member(2);
    long last = follower.storage.lastIndex();
    long term = follower.node.term();
    follower.node.step(Message.newBuilder().setType(MessageType.MsgApp).setFrom(1).setTo(2).setTerm(term)
        .setIndex(last + 3).setLogTerm(term).setCommit(last).setNoReply(true).build());
    follower.node.step(Message.newBuilder().setType(MessageType.MsgApp).setFrom(1).setTo(2).setTerm(term)
        .setIndex(last).setLogTerm(term).setCommit(last).setNoReply(true).build());
    assertTrue(follower.takeReady(net::send));
    follower.persist(net::send, m -> { });
    List<Message> answers = net.inFlight.stream().filter(m -> m.getType() == MessageType.MsgAppResp).toList();
    assertEquals(1, answers.size(), "only the rejection is answered: " + answers);
    assertTrue(answers.get(0).getReject());
  }
}
