package io.vetch.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.AlarmRequest;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.api.etcdserverpb.HashKVRequest;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.MaintenanceGrpcClient;
import io.vetch.api.etcdserverpb.MoveLeaderRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.StatusRequest;
import io.vetch.api.mvccpb.KeyValue;
import io.vetch.mvcc.backend.Backend;
import io.vetch.mvcc.backend.BackendDir;
import io.vetch.mvcc.backend.BackendRecord;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 3-member cluster where one member's stored value is altered behind its back (same revision, different
 * content): its HashKV no longer matches, the initial corruption check refuses to start it, and the leader's
 * periodic check raises the CORRUPT alarm, after which writes fail with etcd's DATA_LOSS "corrupt cluster".
 */
@ExtendWith(VertxExtension.class)
class CorruptionCheckTest {
  @TempDir Path dir;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void divergedMemberIsFound(Vertx vertx) throws Exception {
    List<Path> dirs = List.of(dir.resolve("0"), dir.resolve("1"), dir.resolve("2"));
    List<TestMember> members = new ArrayList<>(TestMember.cluster(vertx, dirs,
        b -> b.initialCorruptCheck(true).corruptCheckTimeMs(300)));
    GrpcClient grpc = GrpcClient.client(vertx);
    try {
      List<KVGrpcClient> kv = new ArrayList<>();
      List<MaintenanceGrpcClient> mt = new ArrayList<>();
      for (TestMember m : members) {
        SocketAddress a = SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1");
        kv.add(KVGrpcClient.create(grpc, a));
        mt.add(MaintenanceGrpcClient.create(grpc, a));
      }
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (true) { // the cluster elects its first leader
        try {
          put(kv.get(0), "k0", "v0");
          break;
        } catch (ExecutionException e) {
          if (System.nanoTime() > until) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
      for (int i = 1; i < 10; i++) {
        put(kv.get(0), "k" + i, "v" + i);
      }
      long rev = await(mt.get(0).hashKV(HashKVRequest.getDefaultInstance())).getHashRevision();
      int hash = awaitHash(mt, rev);

      // The checks reach the peers on their client URLs: wait until member 2 knows them all.
      var cluster = io.vetch.api.etcdserverpb.ClusterGrpcClient.create(grpc,
          SocketAddress.inetSocketAddress(members.get(2).clientPort(), "127.0.0.1"));
      long published = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (await(cluster.memberList(io.vetch.api.etcdserverpb.MemberListRequest.getDefaultInstance()))
          .getMembersList().stream().anyMatch(m -> m.getClientURLsList().isEmpty())) {
        if (System.nanoTime() > published) {
          fail("members did not publish their client URLs");
        }
        Thread.sleep(50);
      }
      // The periodic check runs on the leader and blames the peers that differ from it: member 2, the one to be
      // altered, must not lead (its restart alone then starts no election, which it could win).
      long id0 = members.get(0).server().memberId();
      long id2 = members.get(2).server().memberId();
      long leadBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (await(mt.get(0).status(StatusRequest.getDefaultInstance())).getLeader() == id2) {
        try {
          await(mt.get(2).moveLeader(MoveLeaderRequest.newBuilder().setTargetID(id0).build()));
        } catch (ExecutionException e) {
          if (System.nanoTime() > leadBy) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
      members.get(2).close();
      alterValue(dirs.get(2), 5);
      ExecutionException refused = assertThrows(ExecutionException.class, () -> members.get(2).restart());
      assertTrue(refused.getCause().getMessage().contains("found data inconsistency with peers"),
          refused.getCause().getMessage());

      TestMember unchecked = TestMember.start(vertx, dirs.get(2),
          b -> members.get(2).config().toBuilder().initialCorruptCheck(false));
      members.set(2, unchecked);
      // The client's first call after the restart may still go out on its connection to the stopped server
      // (UNAVAILABLE): ask again until the new one answers.
      long answered = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      int restartedHash;
      while (true) {
        try {
          restartedHash = await(mt.get(2).hashKV(HashKVRequest.newBuilder().setRevision(rev).build())).getHash();
          break;
        } catch (ExecutionException e) {
          if (System.nanoTime() > answered) {
            throw e;
          }
          Thread.sleep(100);
        }
      }
      assertTrue(restartedHash != hash);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (true) {
        io.vetch.api.etcdserverpb.AlarmResponse alarms;
        try {
          alarms = await(mt.get(0).alarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.GET).build()));
        } catch (ExecutionException e) {
          // member 2's restart may have cost the cluster its leader: an election is under way (UNAVAILABLE)
          if (!(e.getCause() instanceof io.vertx.grpc.client.InvalidStatusException s)
              || s.actualStatus() != io.vertx.grpc.common.GrpcStatus.UNAVAILABLE || System.nanoTime() > deadline) {
            throw e;
          }
          Thread.sleep(100);
          continue;
        }
        if (!alarms.getAlarmsList().isEmpty()) {
          assertEquals(AlarmType.CORRUPT, alarms.getAlarms(0).getAlarm());
          assertEquals(unchecked.server().memberId(), alarms.getAlarms(0).getMemberID());
          break;
        }
        if (System.nanoTime() > deadline) {
          fail("no CORRUPT alarm raised");
        }
        Thread.sleep(100);
      }
      ExecutionException corrupt = assertThrows(ExecutionException.class, () -> put(kv.get(1), "k", "v"));
      assertTrue(corrupt.getCause().getMessage().contains("DATA_LOSS"), corrupt.getCause().getMessage());
    } finally {
      await(grpc.close());
      for (TestMember m : members) {
        try {
          m.close();
        } catch (Exception ignored) {
          // already closed
        }
      }
    }
  }

  private static void put(KVGrpcClient kv, String key, String value) throws Exception {
    await(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).build()));
  }

  /** Waits until every member has applied rev and returns their common hash there. */
  private static int awaitHash(List<MaintenanceGrpcClient> mt, long rev) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        int h0 = await(mt.get(0).hashKV(HashKVRequest.newBuilder().setRevision(rev).build())).getHash();
        for (MaintenanceGrpcClient m : mt) {
          assertEquals(h0, await(m.hashKV(HashKVRequest.newBuilder().setRevision(rev).build())).getHash());
        }
        return h0;
      } catch (ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e; // a member still behind: future revision
        }
        Thread.sleep(100);
      }
    }
  }

  /** Rewrites the value stored at revision rev in the member's backend, keeping its revision and Raft index. */
  private static void alterValue(Path dataDir, long rev) throws Exception {
    Path store = BackendDir.resolve(dataDir.resolve("member").resolve("store"));
    try (Backend b = Backend.open(store, 1024, 64)) {
      byte[] record = b.get(rev, 0);
      KeyValue kv = KeyValue.parseFrom(Arrays.copyOfRange(record, BackendRecord.PAYLOAD_OFFSET, record.length));
      byte[] altered = BackendRecord.encode(BackendRecord.raftIndex(record), false,
          kv.toBuilder().setValue(ByteString.copyFromUtf8("tampered")).build().toByteArray());
      b.put(rev, 0, altered);
      b.sync();
    }
  }
}
