package io.vetch.server;

import static io.vetch.testing.Eventually.eventually;

import io.vetch.server.membership.Membership;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.ClusterGrpcClient;
import io.vetch.api.etcdserverpb.HashKVRequest;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.MaintenanceGrpcClient;
import io.vetch.api.etcdserverpb.Member;
import io.vetch.api.etcdserverpb.MemberAddRequest;
import io.vetch.api.etcdserverpb.MemberAddResponse;
import io.vetch.api.etcdserverpb.MemberListRequest;
import io.vetch.api.etcdserverpb.MemberPromoteRequest;
import io.vetch.api.etcdserverpb.MemberRemoveRequest;
import io.vetch.api.etcdserverpb.MemberUpdateRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.StatusRequest;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.junit5.VertxExtension;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes and snapshot catch-up on an in-process cluster with a tiny snapshot count, so the leader's
 * log is compacted and a new or restarted member can only catch up from a streamed store image.
 */
@ExtendWith(VertxExtension.class)
class MembershipTest {
  @TempDir Path dir;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static SocketAddress addr(TestMember m) {
    return SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1");
  }


  /**
   * Removes member id. When it leads, the answer may be "leader changed" though the removal commits: then the
   * member list decides, and the removal is asked again only if it did not happen.
   */
  private static void remove(ClusterGrpcClient cluster, long id) throws InterruptedException {
    eventually("member " + Long.toHexString(id) + " is removed", () -> {
      try {
        await(cluster.memberRemove(MemberRemoveRequest.newBuilder().setID(id).build()));
        return true;
      } catch (Exception e) {
        try {
          return await(cluster.memberList(MemberListRequest.newBuilder().setLinearizable(true).build()))
              .getMembersList().stream().noneMatch(m -> m.getID() == id);
        } catch (Exception again) {
          return false; // no leader yet
        }
      }
    });
  }

  private static void putKeys(KVGrpcClient kv, String prefix, int n) throws Exception {
    List<Future<?>> puts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      puts.add(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(prefix + i))
          .setValue(ByteString.copyFromUtf8("v" + i)).build()));
    }
    await(Future.all(puts));
  }

  private static long count(KVGrpcClient kv, boolean serializable) {
    try {
      return await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("\0"))
          .setRangeEnd(ByteString.copyFromUtf8("\0")).setCountOnly(true).setSerializable(serializable).build()))
          .getCount();
    } catch (Exception e) {
      return -1;
    }
  }

  private static GrpcStatus statusOf(Future<?> f) throws Exception {
    try {
      await(f);
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return ((InvalidStatusException) e.getCause()).actualStatus();
    }
  }

  @Test
  void membersJoinLeaveAndCatchUpBySnapshot(Vertx vertx) throws Exception {
    GrpcClient grpc = GrpcClient.client(vertx);
    List<TestMember> members = new ArrayList<>(TestMember.cluster(vertx,
        List.of(dir.resolve("t0"), dir.resolve("t1"), dir.resolve("t2")), b -> b.snapshotCount(20)));
    TestMember joiner = null;
    try {
      KVGrpcClient kv0 = KVGrpcClient.create(grpc, addr(members.get(0)));
      ClusterGrpcClient cluster0 = ClusterGrpcClient.create(grpc, addr(members.get(0)));
      eventually("a leader is elected", () -> count(kv0, false) == 0);
      putKeys(kv0, "a/", 200);
      eventually("every member published its name", () -> {
        try {
          return await(cluster0.memberList(MemberListRequest.getDefaultInstance())).getMembersList().stream()
              .allMatch(m -> !m.getName().isEmpty() && m.getClientURLsCount() == 1);
        } catch (Exception e) {
          return false;
        }
      });

      // Bad requests get etcd's errors.
      assertEquals(GrpcStatus.INVALID_ARGUMENT, statusOf(cluster0.memberAdd(MemberAddRequest.newBuilder()
          .addPeerURLs("not a url").build())));
      String taken = members.get(1).config().listenPeerUrls().get(0).toString();
      assertEquals(GrpcStatus.FAILED_PRECONDITION, statusOf(cluster0.memberAdd(MemberAddRequest.newBuilder()
          .addPeerURLs(taken).build())));
      assertEquals(GrpcStatus.NOT_FOUND, statusOf(cluster0.memberRemove(MemberRemoveRequest.newBuilder()
          .setID(12345).build())));
      long someVoter = members.get(1).server().memberId();
      assertEquals(GrpcStatus.FAILED_PRECONDITION, statusOf(cluster0.memberPromote(MemberPromoteRequest.newBuilder()
          .setID(someVoter).build())));

      // Add a learner; it joins with --initial-cluster-state existing and catches up from a snapshot (the leader's
      // log no longer starts at 1); then promote it.
      URI peer = URI.create("http://127.0.0.1:" + TestMember.freePort());
      MemberAddResponse added = await(cluster0.memberAdd(MemberAddRequest.newBuilder().addPeerURLs(peer.toString())
          .setIsLearner(true).build()));
      assertTrue(added.getMember().getIsLearner());
      assertEquals(4, added.getMembersCount());
      joiner = TestMember.join(vertx, members.get(0), "t3", dir.resolve("t3"), peer);
      assertEquals(added.getMember().getID(), joiner.server().memberId());
      assertEquals(members.get(0).server().clusterId(), joiner.server().clusterId());
      KVGrpcClient kv3 = KVGrpcClient.create(grpc, addr(joiner));
      eventually("the learner has every key", () -> count(kv3, true) == 200);
      long learnerId = joiner.server().memberId();
      eventually("the leader promotes the learner once it is in sync", () -> {
        try {
          await(cluster0.memberPromote(MemberPromoteRequest.newBuilder().setID(learnerId).build()));
          return true;
        } catch (Exception e) {
          return false; // "can only promote a learner member which is in sync with leader" until it is
        }
      });
      putKeys(kv3, "b/", 50); // written through the new member, forwarded to the leader
      assertEquals(250, count(kv3, false), "linearizable read on the new member");
      List<Member> listed = await(ClusterGrpcClient.create(grpc, addr(joiner))
          .memberList(MemberListRequest.newBuilder().setLinearizable(true).build())).getMembersList();
      assertEquals(4, listed.size());
      assertTrue(listed.stream().noneMatch(Member::getIsLearner));
      eventually("the new member published its name", () -> {
        try {
          return await(cluster0.memberList(MemberListRequest.getDefaultInstance())).getMembersList().stream()
              .anyMatch(m -> m.getName().equals("t3"));
        } catch (Exception e) {
          return false;
        }
      });

      // Update a member's peer URLs to the same value (a no-op change through Raft) and remove another member.
      await(cluster0.memberUpdate(MemberUpdateRequest.newBuilder().setID(someVoter).addPeerURLs(taken).build()));
      TestMember leaving = members.get(2);
      remove(cluster0, leaving.server().memberId());
      leaving.close();
      members.remove(leaving);
      eventually("a leader after the removal", () -> count(kv0, false) == 250);
      assertEquals(3, await(cluster0.memberList(MemberListRequest.getDefaultInstance())).getMembersCount());

      // A member stopped while the log moves on and is compacted catches up by snapshot after a restart.
      TestMember lagging = members.get(1);
      lagging.close();
      members.remove(lagging);
      eventually("a leader among the rest", () -> count(kv0, false) == 250);
      putKeys(kv0, "c/", 200);
      TestMember back = lagging.restart();
      members.add(back);
      KVGrpcClient kv1 = KVGrpcClient.create(grpc, addr(back));
      eventually("the restarted member caught up", () -> count(kv1, true) == 450);

      // Every member agrees on the data.
      long rev = await(kv0.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("a/0")).build()))
          .getHeader().getRevision();
      List<TestMember> all = new ArrayList<>(members);
      all.add(joiner);
      List<Long> hashes = new ArrayList<>();
      for (TestMember m : all) {
        MaintenanceGrpcClient mt = MaintenanceGrpcClient.create(grpc, addr(m));
        eventually("member caught up to revision " + rev, () -> {
          try {
            return await(mt.status(StatusRequest.getDefaultInstance())).getHeader().getRevision() >= rev;
          } catch (Exception e) {
            return false;
          }
        });
        hashes.add((long) await(mt.hashKV(HashKVRequest.newBuilder().setRevision(rev).build())).getHash());
      }
      assertEquals(1, hashes.stream().distinct().count(), "HashKV at revision " + rev + ": " + hashes);
      assertFalse(hashes.isEmpty());
    } finally {
      for (TestMember m : members) {
        m.close();
      }
      if (joiner != null) {
        joiner.close();
      }
    }
  }

  /**
   * Regression (found by the robustness harness): a member added in place of a removed one replays the log from
   * its start, through configurations without itself (the removal of the member it replaces comes first); only the
   * removal of its own id may stop it.
   */
  @Test
  void aReplacementReplayingTheLogThroughAnotherRemovalKeepsRunning(Vertx vertx) throws Exception {
    GrpcClient grpc = GrpcClient.client(vertx);
    List<TestMember> members = new ArrayList<>(TestMember.cluster(vertx,
        List.of(dir.resolve("t0"), dir.resolve("t1"), dir.resolve("t2")), b -> b));
    TestMember joiner = null;
    try {
      KVGrpcClient kv0 = KVGrpcClient.create(grpc, addr(members.get(0)));
      ClusterGrpcClient cluster0 = ClusterGrpcClient.create(grpc, addr(members.get(0)));
      eventually("a leader is elected", () -> count(kv0, false) == 0);
      putKeys(kv0, "r/", 20);
      TestMember gone = members.remove(2);
      remove(cluster0, gone.server().memberId());
      gone.close();
      // Enough between the removal and the addition that the replacement applies them in different batches.
      for (int i = 0; i < 60; i++) {
        PutRequest big = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("big/" + i))
            .setValue(ByteString.copyFrom(new byte[64 * 1024])).build();
        eventually("put big/" + i, () -> { // the removed member may have been the leader: retry while they elect
          try {
            await(kv0.put(big));
            return true;
          } catch (Exception e) {
            return false;
          }
        });
      }
      URI peer = URI.create("http://127.0.0.1:" + TestMember.freePort());
      await(cluster0.memberAdd(MemberAddRequest.newBuilder().addPeerURLs(peer.toString()).build()));
      joiner = TestMember.join(vertx, members.get(0), "t3", dir.resolve("t3"), peer);
      KVGrpcClient kv3 = KVGrpcClient.create(grpc, addr(joiner));
      eventually("the replacement has every key", () -> count(kv3, true) == 80);
      Thread.sleep(500);
      assertFalse(joiner.server().removed().isComplete(), "the replacement stopped itself");
      putKeys(kv3, "after/", 5); // it serves writes too
    } finally {
      for (TestMember m : members) {
        m.close();
      }
      if (joiner != null) {
        joiner.close();
      }
    }
  }

  @Test
  void fiveMembersKeepServingWithTwoDown(Vertx vertx) throws Exception {
    GrpcClient grpc = GrpcClient.client(vertx);
    List<Path> dirs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      dirs.add(dir.resolve("f" + i));
    }
    List<TestMember> members = new ArrayList<>(TestMember.cluster(vertx, dirs, b -> b.snapshotCount(30)));
    try {
      List<KVGrpcClient> kv = new ArrayList<>();
      for (TestMember m : members) {
        kv.add(KVGrpcClient.create(grpc, addr(m)));
      }
      eventually("a leader is elected", () -> count(kv.get(0), false) == 0);
      putKeys(kv.get(0), "a/", 100);
      // Stop the leader and one more member: three of five are a quorum.
      long leader = await(MaintenanceGrpcClient.create(grpc, addr(members.get(0)))
          .status(StatusRequest.getDefaultInstance())).getLeader();
      int leaderIndex = java.util.stream.IntStream.range(0, 5)
          .filter(i -> members.get(i).server().memberId() == leader).findFirst().orElseThrow();
      List<Integer> down = List.of(leaderIndex, (leaderIndex + 1) % 5);
      List<TestMember> stopped = new ArrayList<>();
      for (int i : down) {
        members.get(i).close();
        stopped.add(members.get(i));
      }
      int alive = java.util.stream.IntStream.range(0, 5).filter(i -> !down.contains(i)).findFirst().orElseThrow();
      eventually("a new leader among the three", () -> count(kv.get(alive), false) == 100);
      putKeys(kv.get(alive), "b/", 100);
      for (int i = 0; i < 5; i++) {
        if (!down.contains(i)) {
          assertEquals(200, count(kv.get(i), false), "linearizable read on member " + i);
        }
      }
      // Both come back and catch up (by snapshot: the log moved on by more than the snapshot count).
      for (int j = 0; j < down.size(); j++) {
        int i = down.get(j);
        members.set(i, stopped.get(j).restart());
        KVGrpcClient back = kv.get(i);
        eventually("member " + i + " caught up", () -> count(back, true) == 200);
      }
    } finally {
      for (TestMember m : members) {
        try {
          m.close();
        } catch (Exception e) {
          // already closed
        }
      }
    }
  }
}
