package io.vetch.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.vetch.api.etcdserverpb.KVGrpcClient;
import io.vetch.api.etcdserverpb.LeaseGrpcClient;
import io.vetch.api.etcdserverpb.LeaseRevokeRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.WatchCreateRequest;
import io.vetch.api.etcdserverpb.WatchGrpcClient;
import io.vetch.api.etcdserverpb.WatchRequest;
import io.vetch.api.etcdserverpb.WatchResponse;
import io.vetch.testing.TestMember;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's gRPC server metrics (go-grpc-prometheus): every method of the services etcd registers has its series at 0
 * in the first scrape, with etcd's labels; calls, their status codes and their messages are counted as etcd counts
 * them; Lock and Election appear once called; a path that names no method gets grpc-go's UNIMPLEMENTED answer and no
 * series.
 */
@ExtendWith(VertxExtension.class)
class GrpcMetricsTest {
  @TempDir Path dir;

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static String scrape(Vertx vertx, TestMember m) throws Exception {
    HttpClient web = vertx.createHttpClient();
    return await(web.request(HttpMethod.GET, m.clientPort(), "127.0.0.1", "/metrics")
        .compose(r -> r.send().compose(resp -> resp.body())).map(Buffer::toString));
  }

  /** The value of the series name{labels} (labels as printed, in order), or -1 when it is absent. */
  private static double value(String metrics, String name, String labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  private static String labels(String method, String service, String type) {
    return "grpc_method=\"" + method + "\",grpc_service=\"" + service + "\",grpc_type=\"" + type + "\"";
  }

  private static String labels(String code, String method, String service, String type) {
    return "grpc_code=\"" + code + "\"," + labels(method, service, type);
  }

  @Test
  void seriesFromTheStartAndCountedAsEtcdCountsThem(Vertx vertx) throws Exception {
    try (TestMember m = TestMember.start(vertx, dir.resolve("data"))) {
      String first = scrape(vertx, m);
      String put = labels("Put", "etcdserverpb.KV", "unary");
      for (String series : new String[] {"grpc_server_started_total", "grpc_server_msg_received_total",
          "grpc_server_msg_sent_total"}) {
        assertEquals(0, value(first, series, put), series + "\n" + first);
        assertEquals(0, value(first, series, labels("Watch", "etcdserverpb.Watch", "bidi_stream")), series);
        assertEquals(0, value(first, series, labels("LeaseKeepAlive", "etcdserverpb.Lease", "bidi_stream")));
        assertEquals(0, value(first, series, labels("Snapshot", "etcdserverpb.Maintenance", "server_stream")));
        assertEquals(0, value(first, series, labels("Downgrade", "etcdserverpb.Maintenance", "unary")));
        assertEquals(0, value(first, series, labels("RoleRevokePermission", "etcdserverpb.Auth", "unary")));
        assertEquals(0, value(first, series, labels("MemberPromote", "etcdserverpb.Cluster", "unary")));
        assertEquals(0, value(first, series, labels("Check", "grpc.health.v1.Health", "unary")));
      }
      for (String code : new String[] {"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
          "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
          "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"}) {
        assertEquals(0, value(first, "grpc_server_handled_total", labels(code, "Put", "etcdserverpb.KV", "unary")),
            code);
      }
      assertFalse(first.contains("v3lockpb.Lock"), "Lock is counted from its first call, as on etcd");
      assertEquals(5 + 1 + 5 + 5 + 8 + 17 + 1, first.split("\ngrpc_server_started_total\\{").length - 1,
          "every method of KV, Watch, Lease, Cluster, Auth, Maintenance and Health/Check");

      GrpcClient grpc = GrpcClient.client(vertx);
      SocketAddress addr = SocketAddress.inetSocketAddress(m.clientPort(), "127.0.0.1");
      KVGrpcClient kv = KVGrpcClient.create(grpc, addr);
      await(kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))
          .setValue(ByteString.copyFromUtf8("v")).build()));
      await(kv.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build()));
      await(LeaseGrpcClient.create(grpc, addr).leaseRevoke(LeaseRevokeRequest.newBuilder().setID(42).build())
          .transform(ar -> Future.succeededFuture()));
      // A watch stream: two requests in, the created response and one event out.
      Promise<Void> got = Promise.promise();
      WatchGrpcClient.create(grpc, addr).watch((requests, err) -> {
        if (err == null) {
          requests.write(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("w"))).build());
          requests.write(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("x"))).build());
        }
      }).onSuccess(responses -> {
        // Responses may come before this handler is set (both created ones, on a loaded machine): the one put
        // follows the first response seen here, or a second without one, when both watchers exist either way.
        boolean[] putDone = {false};
        Runnable putOnce = () -> {
          if (!putDone[0]) {
            putDone[0] = true;
            kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("w")).build());
          }
        };
        responses.handler((WatchResponse r) -> {
          if (r.getEventsCount() > 0) {
            got.tryComplete();
          } else {
            putOnce.run();
          }
        });
        vertx.setTimer(1000, t -> putOnce.run());
      });
      await(got.future());
      String unknown = await(vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
              .setHttp2ClearTextUpgrade(false))
          .request(new RequestOptions().setMethod(HttpMethod.POST).setPort(m.clientPort()).setHost("127.0.0.1")
              .setURI("/etcdserverpb.KV/Nope").putHeader("content-type", "application/grpc"))
          .compose(r -> r.send(Buffer.buffer(new byte[5])).compose(resp -> resp.body().map(b ->
              resp.getHeader("grpc-status") + " " + resp.getHeader("grpc-message")))));
      assertEquals("12 unknown method Nope for service etcdserverpb.KV", unknown);

      String after = scrape(vertx, m);
      assertEquals(2, value(after, "grpc_server_started_total", put));
      assertEquals(2, value(after, "grpc_server_msg_received_total", put));
      assertEquals(2, value(after, "grpc_server_msg_sent_total", put));
      assertEquals(2, value(after, "grpc_server_handled_total", labels("OK", "Put", "etcdserverpb.KV", "unary")));
      assertEquals(1, value(after, "grpc_server_handled_total", labels("OK", "Range", "etcdserverpb.KV", "unary")));
      String revoke = labels("LeaseRevoke", "etcdserverpb.Lease", "unary");
      assertEquals(1, value(after, "grpc_server_msg_received_total", revoke));
      assertEquals(0, value(after, "grpc_server_msg_sent_total", revoke), "a failed unary call sends nothing");
      assertEquals(1, value(after, "grpc_server_handled_total",
          labels("NotFound", "LeaseRevoke", "etcdserverpb.Lease", "unary")));
      String watch = labels("Watch", "etcdserverpb.Watch", "bidi_stream");
      assertEquals(1, value(after, "grpc_server_started_total", watch));
      assertEquals(2, value(after, "grpc_server_msg_received_total", watch));
      assertTrue(value(after, "grpc_server_msg_sent_total", watch) >= 3, after);
      assertFalse(after.contains("Nope"));
    }
  }
}
