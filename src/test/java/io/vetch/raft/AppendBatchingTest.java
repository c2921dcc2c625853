package io.vetch.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.raftpb.Entry;
import io.vetch.api.raftpb.Message;
import io.vetch.api.raftpb.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What AppendBatching merges in one Ready's messages, and a cluster replicating through merged messages. */
class AppendBatchingTest {
  private static Entry entry(long index, long term, int bytes) {
    return Entry.newBuilder().setIndex(index).setTerm(term).setData(ByteString.copyFrom(new byte[bytes])).build();
  }

  private static Message app(long to, long index, long logTerm, long commit, Entry... entries) {
    return Message.newBuilder().setType(MessageType.MsgApp).setFrom(1).setTo(to).setTerm(2).setIndex(index)
        .setLogTerm(logTerm).setCommit(commit).addAllEntries(List.of(entries)).build();
  }

  private static Message resp(long to, long index, boolean reject) {
    return Message.newBuilder().setType(MessageType.MsgAppResp).setFrom(2).setTo(to).setTerm(2).setIndex(index)
        .setReject(reject).build();
  }

  @Test
  void continuingAppendsToOnePeerBecomeOne() {
    List<Message> in = List.of(
        app(2, 5, 2, 4, entry(6, 2, 10)),
        app(3, 5, 2, 4, entry(6, 2, 10)),
        app(2, 6, 2, 4, entry(7, 2, 10)),
        app(2, 7, 2, 6), // commit-only, after the entries it continues
        app(3, 6, 2, 4, entry(7, 2, 10)),
        app(2, 7, 2, 7, entry(8, 2, 10)));
    List<Message> out = AppendBatching.merge(in, 1 << 20);
    assertEquals(2, out.size(), out.toString());
    Message to2 = out.get(0);
    assertEquals(2, to2.getTo());
    assertEquals(5, to2.getIndex());
    assertEquals(2, to2.getLogTerm());
    assertEquals(List.of(6L, 7L, 8L), to2.getEntriesList().stream().map(Entry::getIndex).toList());
    assertEquals(7, to2.getCommit());
    assertEquals(List.of(6L, 7L), out.get(1).getEntriesList().stream().map(Entry::getIndex).toList());
  }

  @Test
  void aMergedAppendWantsAnAnswerIfAnyPartDid() {
    Message commitOnly = app(2, 7, 2, 7).toBuilder().setNoReply(true).build();
    Message merged = AppendBatching.merge(List.of(commitOnly, app(2, 7, 2, 7, entry(8, 2, 10))), 1 << 20).get(0);
    assertEquals(List.of(8L), merged.getEntriesList().stream().map(Entry::getIndex).toList());
    assertFalse(merged.getNoReply());
    Message both = AppendBatching.merge(List.of(commitOnly, commitOnly.toBuilder().setCommit(8).build()), 1 << 20)
        .get(0);
    assertTrue(both.getNoReply());
    assertEquals(8, both.getCommit());
  }

  @Test
  void gapsOtherMessagesTermsAndTheSizeLimitKeepMessagesApart() {
    Message heartbeat = Message.newBuilder().setType(MessageType.MsgHeartbeat).setFrom(1).setTo(2).setTerm(2).build();
    List<Message> in = List.of(
        app(2, 5, 2, 4, entry(6, 2, 10)),
        app(2, 8, 2, 4, entry(9, 2, 10)), // a gap: a probe after a rejection, say
        heartbeat,
        app(2, 9, 2, 4, entry(10, 2, 10)), // continues, but a heartbeat went between
        app(2, 10, 2, 4, entry(11, 2, 100)).toBuilder().setTerm(3).build()); // another term
    assertEquals(in, AppendBatching.merge(in, 1 << 20));
    List<Message> big = List.of(app(2, 5, 2, 4, entry(6, 2, 600)), app(2, 6, 2, 4, entry(7, 2, 600)));
    assertEquals(big, AppendBatching.merge(big, 1000));
  }

  @Test
  void acceptedAcknowledgementsCollapseToTheLatestRejectionsStay() {
    List<Message> in = List.of(resp(1, 6, false), resp(1, 7, false), resp(1, 9, false));
    assertEquals(List.of(resp(1, 9, false)), AppendBatching.merge(in, 1 << 20));
    List<Message> rejected = List.of(resp(1, 6, false), resp(1, 7, true), resp(1, 9, false));
    assertEquals(rejected, AppendBatching.merge(rejected, 1 << 20));
  }

  @Test
  void proposalsBetweenTwoReadysTravelAsOneAppendAndCommit() {
    LocalNetwork net = new LocalNetwork(3, 5);
    net.stabilize();
    net.elect(1);
    Member leader = net.member(1);
    leader.propose("a");
    leader.propose("b");
    leader.propose("c");
    assertTrue(leader.takeReady(net::send));
    List<Message> apps = net.inFlight.stream().filter(m -> m.getType() == MessageType.MsgApp).toList();
    assertEquals(2, apps.size(), "one MsgApp per follower: " + apps);
    for (Message m : apps) {
      assertEquals(3, m.getEntriesCount());
    }
    leader.persist(net::send, m -> { });
    net.stabilize();
    for (long id = 1; id <= 3; id++) {
      assertEquals(List.of("a", "b", "c"), net.member(id).appliedData(), "member " + id);
    }
  }
}
