package io.vetch.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.raftpb.HardState;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Named multi-member cases on a {@link LocalNetwork}: elections, leases, transfer, membership changes. */
class ElectionScenarioTest {
  @Test
  void electionAndReplicationInThreeMembers() {
    LocalNetwork net = new LocalNetwork(3, 1);
    net.stabilize();
    net.elect(1);
    assertEquals(1, net.member(2).node.leader());
    assertEquals(1, net.member(3).node.leader());
    net.member(1).propose("a");
    net.member(1).propose("b");
    net.stabilize();
    for (Member m : net.members.values()) {
      assertEquals(List.of("a", "b"), m.appliedData(), "member " + m.id);
    }
    assertThrows(ProposalDroppedException.class, () -> net.member(2).node.propose(Member.bytes("c")));
  }

  @Test
  void electionByTicksWithPreVote() {
    LocalNetwork net = new LocalNetwork(3, 2);
    net.tickAll(25);
    Member leader = net.leader();
    assertNotNull(leader, "an election timeout is at most 2*electionTick");
    assertEquals(2, leader.node.term(), "pre-vote does not burn a term");
  }

  @Test
  void partitionedLeaderStepsDownAndItsEntryIsReplaced() {
    LocalNetwork net = new LocalNetwork(3, 5);
    net.stabilize();
    net.elect(1);
    net.member(1).propose("committed");
    net.stabilize();
    net.isolate(1);
    net.member(1).propose("lost");
    net.stabilize();
    net.tickAll(30);
    assertFalse(net.member(1).node.isLeader(), "check quorum: the cut-off leader steps down");
    Member newLeader = net.leader();
    assertNotNull(newLeader);
    assertNotEquals(1, newLeader.id);
    newLeader.propose("new");
    net.stabilize();
    net.heal();
    net.tickAll(5);
    for (Member m : net.members.values()) {
      assertEquals(List.of("committed", "new"), m.appliedData(), "member " + m.id);
    }
  }

  @Test
  void preVoteKeepsAnIsolatedFollowerFromDisruptingTheLeader() {
    LocalNetwork net = new LocalNetwork(3, 8);
    net.stabilize();
    net.elect(1);
    long term = net.member(1).node.term();
    net.isolate(3);
    net.tickAll(50);
    assertEquals(term, net.member(3).node.term(), "pre-votes fail, the term stays");
    net.heal();
    net.tickAll(3);
    assertTrue(net.member(1).node.isLeader());
    assertEquals(term, net.member(1).node.term());
  }

  @Test
  void leaderLeaseIgnoresVotesWhileLeaderIsKnown() {
    LocalNetwork net = new LocalNetwork(3, 9);
    net.stabilize();
    net.elect(1);
    long term = net.member(2).node.term();
    net.member(2).node.step(Message.newBuilder().setType(MessageType.MsgVote).setFrom(3).setTo(2)
        .setTerm(term + 1).setIndex(100).setLogTerm(term).build());
    assertEquals(term, net.member(2).node.term(), "vote ignored inside the lease");
    net.stabilize();
    assertTrue(net.member(1).node.isLeader());
  }

  @Test
  void leaderTransfer() {
    LocalNetwork net = new LocalNetwork(3, 10);
    net.stabilize();
    net.elect(1);
    long term = net.member(1).node.term();
    net.member(1).node.transferLeader(2);
    assertThrows(ProposalDroppedException.class, () -> net.member(1).node.propose(Member.bytes("no")));
    net.stabilize();
    assertTrue(net.member(2).node.isLeader());
    assertEquals(term + 1, net.member(2).node.term());
    assertEquals(2, net.member(1).node.leader());
  }

  @Test
  void addLearnerPromoteAndRemove() throws Exception {
    LocalNetwork net = new LocalNetwork(3, 13);
    net.stabilize();
    net.elect(1);
    net.member(1).propose("before");
    net.stabilize();
    Member m4 = net.addEmpty(4, 99);
    net.member(1).node.proposeConfChange(io.vetch.api.raftpb.ConfChange.newBuilder()
        .setType(io.vetch.api.raftpb.ConfChangeType.ConfChangeAddLearnerNode).setNodeId(4).build());
    net.stabilize();
    net.tickAll(3);
    assertEquals(List.of(4L), net.member(1).confState.getLearnersList());
    assertEquals(List.of("before"), m4.appliedData());
    net.member(1).node.proposeConfChange(io.vetch.api.raftpb.ConfChange.newBuilder()
        .setType(io.vetch.api.raftpb.ConfChangeType.ConfChangeAddNode).setNodeId(4).build());
    net.stabilize();
    assertEquals(List.of(1L, 2L, 3L, 4L), net.member(1).confState.getVotersList());
    net.member(1).node.proposeConfChange(io.vetch.api.raftpb.ConfChange.newBuilder()
        .setType(io.vetch.api.raftpb.ConfChangeType.ConfChangeRemoveNode).setNodeId(1).build());
    net.stabilize();
    assertFalse(net.member(1).node.isLeader(), "a removed leader steps down");
    net.member(1).crash();
    net.tickAll(30);
    Member leader = net.leader();
    assertNotNull(leader);
    leader.propose("after");
    net.stabilize();
    assertEquals(List.of("before", "after"), m4.appliedData());
    assertEquals(List.of(2L, 3L, 4L), m4.confState.getVotersList());
  }

  @Test
  void restartedFollowerKeepsVoteAndTerm() {
    LocalNetwork net = new LocalNetwork(3, 14);
    net.stabilize();
    net.elect(2);
    Member m3 = net.member(3);
    HardState hs = m3.storage.hardState();
    m3.crash();
    m3.restart();
    assertEquals(hs.getTerm(), m3.node.term());
    assertEquals(2, m3.node.status().vote());
  }
}
