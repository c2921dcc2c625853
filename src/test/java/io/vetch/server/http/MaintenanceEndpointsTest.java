package io.vetch.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.AlarmRequest;
import io.vetch.api.etcdserverpb.AlarmType;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.MaintenanceGrpcClient;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.SnapshotRequest;
import io.vetch.api.etcdserverpb.SnapshotResponse;
import io.vetch.api.etcdserverpb.StatusRequest;
import io.vetch.api.etcdserverpb.StatusResponse;
import io.vetch.api.healthpb.HealthCheckRequest;
import io.vetch.api.healthpb.HealthCheckResponse;
import io.vetch.api.healthpb.HealthGrpcClient;
import io.vetch.server.backup.BackupFile;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * One in-process member: Status, the Alarm RPC and its effect on writes and on /health, the HTTP endpoints beside
 * gRPC on the client port, grpc.health.v1, and the Snapshot stream restoring into a new data directory.
 */
@ExtendWith(VertxExtension.class)
class MaintenanceEndpointsTest {
  @TempDir Path dir;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void maintenanceOverGrpcAndHttp(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir.resolve("data"), b -> b.quotaBackendBytes(1_000_000))) {
      GrpcClient grpc = GrpcClient.client(vertx);
      SocketAddress addr = SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1");
      KVGrpcClient kv = KVGrpcClient.create(grpc, addr);
      MaintenanceGrpcClient mt = MaintenanceGrpcClient.create(grpc, addr);
      HttpClient web = vertx.createHttpClient();
      for (int i = 0; i < 5; i++) {
        put(kv, "k" + i);
      }

      StatusResponse status = await(mt.status(StatusRequest.getDefaultInstance()));
      assertEquals("3.5.0", status.getVersion());
      assertEquals(m.server().memberId(), status.getLeader());
      assertEquals(1_000_000, status.getDbSizeQuota());
      assertTrue(status.getDbSize() > 0 && status.getDbSizeInUse() <= status.getDbSize(), status.toString());
      assertEquals(6, status.getHeader().getRevision());

      Reply health = get(web, m, "/health");
      assertEquals(200, health.status());
      assertEquals("{\"health\":\"true\",\"reason\":\"\"}", health.body());
      assertEquals("ok\n", get(web, m, "/livez").body());
      assertEquals("[+]data_corruption ok\n[+]serializable_read ok\n[+]linearizable_read ok\n[+]non_learner ok\nok\n",
          get(web, m, "/readyz?verbose").body());
      assertEquals("{\"etcdserver\":\"3.5.0\",\"etcdcluster\":\"3.5.0\"}",
          get(web, m, "/version").body());
      String metrics = get(web, m, "/metrics").body();
      assertTrue(metrics.contains("\netcd_mvcc_put_total 5.0\n"), metrics);
      assertTrue(metrics.contains("\netcd_server_is_leader 1.0\n"), metrics);
      assertEquals(HealthCheckResponse.ServingStatus.SERVING, await(HealthGrpcClient.create(grpc, addr)
          .check(HealthCheckRequest.getDefaultInstance())).getStatus());

      // An activated NOSPACE alarm refuses puts (reads go on), fails /health unless excluded, until deactivated.
      AlarmRequest.Builder alarm = AlarmRequest.newBuilder().setMemberID(m.server().memberId())
          .setAlarm(AlarmType.NOSPACE);
      assertEquals(1, await(mt.alarm(alarm.setAction(AlarmRequest.AlarmAction.ACTIVATE).build())).getAlarmsCount());
      assertEquals(0, await(mt.alarm(alarm.build())).getAlarmsCount(), "already raised");
      ExecutionException refused = assertThrows(ExecutionException.class, () -> put(kv, "refused"));
      assertTrue(refused.getCause().getMessage().contains("RESOURCE_EXHAUSTED"), refused.getCause().getMessage());
      health = get(web, m, "/health");
      assertEquals(503, health.status());
      assertEquals("{\"health\":\"false\",\"reason\":\"ALARM NOSPACE\"}\n", health.body());
      assertEquals(200, get(web, m, "/health?exclude=NOSPACE").status());
      assertEquals(List.of("memberID:" + Long.toUnsignedString(m.server().memberId()) + " alarm:NOSPACE "),
          await(mt.status(StatusRequest.getDefaultInstance())).getErrorsList());
      assertEquals(1, await(mt.alarm(AlarmRequest.newBuilder().setAction(AlarmRequest.AlarmAction.GET).build()))
          .getAlarmsCount());
      assertEquals(1, await(mt.alarm(alarm.setAction(AlarmRequest.AlarmAction.DEACTIVATE).build())).getAlarmsCount());
      put(kv, "accepted");

      // Snapshot: the streamed backup (etcd's format) restores into a data directory with the same keys.
      List<SnapshotResponse> chunks = new ArrayList<>();
      await(mt.snapshot(SnapshotRequest.getDefaultInstance()).compose(stream -> {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        stream.handler(chunks::add).endHandler(v -> done.complete()).exceptionHandler(done::fail);
        return done.future();
      }));
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      chunks.forEach(c -> bytes.writeBytes(c.getBlob().toByteArray()));
      assertEquals(0, chunks.get(chunks.size() - 1).getRemainingBytes());
      assertEquals(bytes.size(), chunks.get(0).getRemainingBytes() + chunks.get(0).getBlob().size());
      assertEquals(BackupFile.SHA256_BYTES, bytes.size() % 512, "etcdctl's checksum test");
      Path backup = dir.resolve("backup.db");
      Files.write(backup, bytes.toByteArray());
      BackupFile.Status s = BackupFile.status(backup);
      assertEquals(7, s.revision());
      BackupFile.restore(backup, dir.resolve("restored"));
      try (io.vetch.mvcc.KvStore restored = io.vetch.mvcc.KvStore.open(
          new io.vetch.server.base.DataDir(dir.resolve("restored")).storeDir(), io.vetch.mvcc.StoreOptions.defaults())) {
        assertEquals(7, restored.currentRevision());
        assertEquals(6, restored.keyCount());
      }
      byte[] damaged = bytes.toByteArray();
      damaged[damaged.length / 2] ^= 1;
      Files.write(dir.resolve("damaged.db"), damaged);
      assertThrows(java.io.IOException.class, () -> BackupFile.restore(dir.resolve("damaged.db"), dir.resolve("x")));
      assertThrows(java.io.IOException.class, () -> BackupFile.restore(backup, dir.resolve("data")), "not empty");
      await(web.close());
      await(grpc.close());
    }
  }

  private record Reply(int status, String body) {}

  private static Reply get(HttpClient web, TestMember m, String path) throws Exception {
    return await(web.request(HttpMethod.GET, m.clientPort(), "127.0.0.1", path)
        .compose(req -> req.send().compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), b.toString())))));
  }

  private static void put(KVGrpcClient kv, String key) throws Exception {
    await(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8("v"))
        .build()));
  }
}
