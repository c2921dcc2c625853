package io.vetch.server;

import static io.vetch.testing.Eventually.eventually;

import io.vetch.server.base.ClusterVersion;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vetch.api.etcdserverpb.DowngradeRequest;
import io.vetch.api.etcdserverpb.DowngradeRequest.DowngradeAction;
import io.vetch.api.etcdserverpb.DowngradeResponse;
import io.vetch.api.etcdserverpb.MaintenanceGrpcClient;
import io.vetch.api.etcdserverpb.StatusRequest;
import io.vetch.api.etcdserverpb.StatusResponse;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Maintenance.Downgrade as etcd 3.5 answers it, on a 3-member cluster: VALIDATE's checks and errors in etcd's order,
 * ENABLE through Raft (every member reports the target as its cluster version, in /version, Status and the
 * etcd_cluster_version metric, also after a restart), a second job refused, CANCEL back to the decided version.
 */
@ExtendWith(VertxExtension.class)
class DowngradeTest {
  @TempDir Path dir;

  /** The status code, message and reply of one call. */
  private record Reply(int code, String message, DowngradeResponse response) {}

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Reply downgrade(GrpcClient grpc, TestMember m, DowngradeAction action, String version)
      throws Exception {
    SocketAddress addr = SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1");
    return await(grpc.request(addr, MaintenanceGrpcClient.Downgrade).compose(req -> {
      req.end(DowngradeRequest.newBuilder().setAction(action).setVersion(version).build());
      return req.response().compose(resp -> {
        List<DowngradeResponse> got = new ArrayList<>();
        resp.handler(got::add);
        return resp.end().transform(ar -> Future.succeededFuture(new Reply(resp.status().code,
            resp.statusMessage(), got.isEmpty() ? null : got.get(0))));
      });
    }));
  }

  private static String http(Vertx vertx, TestMember m, String path) throws Exception {
    HttpClient web = vertx.createHttpClient();
    return await(web.request(HttpMethod.GET, m.clientPort(), "127.0.0.1", path)
        .compose(r -> r.send().compose(resp -> resp.body())).map(b -> b.toString()));
  }


  /** Waits until every member's /version answers version. */
  private static void everyMemberReports(Vertx vertx, List<TestMember> members, String version) throws Exception {
    for (TestMember m : members) {
      eventually("member " + m.config().name() + " answers " + version, () -> {
        try {
          return http(vertx, m, "/version").equals(version);
        } catch (Exception e) {
          return false;
        }
      });
    }
  }

  private static void assertError(Reply r, int code, String message) {
    assertEquals(code, r.code(), r.toString());
    assertEquals(message, r.message());
  }

  @Test
  void validateEnableCancelAcrossTheCluster(Vertx vertx) throws Exception {
    GrpcClient grpc = GrpcClient.client(vertx);
    List<TestMember> members = new ArrayList<>(TestMember.cluster(vertx,
        List.of(dir.resolve("t0"), dir.resolve("t1"), dir.resolve("t2")), b -> b));
    try {
      TestMember m0 = members.get(0);
      eventually("a leader answers", () -> {
        try {
          return downgrade(grpc, m0, DowngradeAction.VALIDATE, "3.4").code() == 0;
        } catch (Exception e) {
          return false;
        }
      });
      Reply ok = downgrade(grpc, m0, DowngradeAction.VALIDATE, "3.4.7");
      assertEquals(0, ok.code(), ok.toString());
      assertEquals("3.5.0", ok.response().getVersion());
      assertTrue(ok.response().getHeader().getMemberId() != 0);

      String format = "etcdserver: wrong downgrade target version format";
      assertError(downgrade(grpc, m0, DowngradeAction.VALIDATE, "v3.4"), 3, format);
      assertError(downgrade(grpc, m0, DowngradeAction.VALIDATE, ""), 3, format);
      assertError(downgrade(grpc, m0, DowngradeAction.VALIDATE, "3.4-rc.1"), 3, format);
      assertError(downgrade(grpc, m0, DowngradeAction.ENABLE, "3"), 3, format);
      String invalid = "etcdserver: invalid downgrade target version";
      assertError(downgrade(grpc, m0, DowngradeAction.VALIDATE, "3.3"), 3, invalid);
      assertError(downgrade(grpc, m0, DowngradeAction.VALIDATE, "3.5"), 3, invalid);
      assertError(downgrade(grpc, m0, DowngradeAction.ENABLE, "3.6.0"), 3, invalid);
      assertError(downgrade(grpc, m0, DowngradeAction.CANCEL, ""), 9, "etcdserver: no inflight downgrade job");
      assertTrue(http(vertx, m0, "/version").contains("\"etcdcluster\":\"3.5.0\""));

      Reply enabled = downgrade(grpc, members.get(1), DowngradeAction.ENABLE, "3.4");
      assertEquals(0, enabled.code(), enabled.toString());
      assertEquals("3.5.0", enabled.response().getVersion());
      everyMemberReports(vertx, members, "{\"etcdserver\":\"3.5.0\",\"etcdcluster\":\"3.4.0\"}");
      String inProgress = "etcdserver: cluster has a downgrade job in progress";
      assertError(downgrade(grpc, m0, DowngradeAction.VALIDATE, "3.4"), 9, inProgress);
      assertError(downgrade(grpc, members.get(2), DowngradeAction.ENABLE, "3.4.0"), 9, inProgress);
      assertTrue(http(vertx, m0, "/metrics").contains("etcd_cluster_version{cluster_version=\"3.4\"} 1"));

      // Kept on disk: a restarted member still reports it.
      members.get(2).close();
      members.set(2, members.get(2).restart());
      MaintenanceGrpcClient mt2 = MaintenanceGrpcClient.create(grpc,
          SocketAddress.inetSocketAddress(members.get(2).clientPort(), "127.0.0.1"));
      StatusResponse status = await(mt2.status(StatusRequest.getDefaultInstance()));
      assertEquals("3.5.0", status.getVersion());
      assertTrue(status.getDowngradeInfo().getEnabled());
      assertEquals("3.4.0", status.getDowngradeInfo().getTargetVersion());
      assertTrue(http(vertx, members.get(2), "/version").contains("\"etcdcluster\":\"3.4.0\""));

      Reply canceled = downgrade(grpc, m0, DowngradeAction.CANCEL, "");
      assertEquals(0, canceled.code(), canceled.toString());
      assertEquals("3.5.0", canceled.response().getVersion());
      everyMemberReports(vertx, members, "{\"etcdserver\":\"3.5.0\",\"etcdcluster\":\"3.5.0\"}");
      assertFalse(await(mt2.status(StatusRequest.getDefaultInstance())).hasDowngradeInfo());
      assertEquals(0, downgrade(grpc, m0, DowngradeAction.VALIDATE, "3.4").code());
    } finally {
      for (TestMember m : members) {
        m.close();
      }
    }
  }

  @Test
  void targetsAreReadAsEtcdReadsThem() {
    assertEquals("3.4.0", ClusterVersion.target("3.4"));
    assertEquals("3.4.0", ClusterVersion.target("3.4.9"));
    assertEquals("3.4.0", ClusterVersion.target("3.4.0-rc.1+build"));
    assertEquals(null, ClusterVersion.target("3.4-rc.1"));
    assertEquals(null, ClusterVersion.target("3.4.x"));
    assertEquals(null, ClusterVersion.target("3.4.0.1"));
    assertEquals(null, ClusterVersion.target(" 3.4"));
  }
}
