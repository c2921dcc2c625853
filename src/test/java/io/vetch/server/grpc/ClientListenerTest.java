package io.vetch.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.grpc.server.GrpcServer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client listener's request path as ClientVerticle wires it (AuthorityNormalizer on each connection,
 * RequireLeaderHandler in front of a GrpcServer), over real HTTP/2 prior-knowledge connections on loopback. The
 * GrpcServer answers every method by echoing the request message.
 */
class ClientListenerTest {
  private static final Buffer PAYLOAD = Buffer.buffer("ping");

  private Vertx vertx;
  private HttpServer server;
  private HttpClient client;
  private final AtomicLong leader = new AtomicLong();
  private final AtomicInteger served = new AtomicInteger();

  /** What came back for one call: HTTP status, headers and trailers merged, and the gRPC-framed body. */
  private record Reply(int httpStatus, MultiMap headers, Buffer body) {
    String grpcStatus() { return headers.get("grpc-status"); }
  }

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    GrpcServer grpc = GrpcServer.server(vertx).callHandler(call -> call.handler(msg -> {
      served.incrementAndGet();
      call.response().end(msg);
    }));
    server = await(vertx.createHttpServer()
        .connectionHandler(AuthorityNormalizer::install)
        .requestHandler(new RequireLeaderHandler(leader::get, grpc))
        .listen(0, "127.0.0.1"));
    client = vertx.createHttpClient(new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
  }

  @AfterEach
  void stop() throws Exception {
    await(vertx.close());
  }

  @Test
  void schemePrefixedAuthorityIsServed() throws Exception {
    Reply reply = call(HostAndPort.create("http://127.0.0.1", server.actualPort()), MultiMap.caseInsensitiveMultiMap());
    assertEquals(200, reply.httpStatus());
    assertEquals("0", reply.grpcStatus());
    assertEquals(frame(PAYLOAD), reply.body());
  }

  @Test
  void authorityWithoutValidHostIsDroppedAndServed() throws Exception {
    Reply reply = call(HostAndPort.create("unix:///tmp/etcd.sock", -1), MultiMap.caseInsensitiveMultiMap());
    assertEquals("0", reply.grpcStatus());
    assertEquals(1, served.get());
  }

  @Test
  void normalizeKeepsPlainAuthoritiesAndStripsSchemeAndPath() {
    assertEquals("127.0.0.1:2379", normalized("127.0.0.1:2379"));
    assertEquals("127.0.0.1:2379", normalized("http://127.0.0.1:2379"));
    assertEquals("[::1]:2379", normalized("https://[::1]:2379/"));
    assertEquals("localhost", normalized("localhost/some/path"));
    assertNull(normalized("unix:///tmp/etcd.sock"));
  }

  @Test
  void requireLeaderWithoutLeaderFailsUnavailable() throws Exception {
    Reply reply = call(HostAndPort.create("127.0.0.1", server.actualPort()), hasLeader());
    assertEquals(200, reply.httpStatus());
    assertEquals("application/grpc", reply.headers().get("content-type"));
    assertEquals("14", reply.grpcStatus());
    assertEquals("etcdserver: no leader", reply.headers().get("grpc-message"));
    assertEquals(0, reply.body().length());
    assertEquals(0, served.get());
  }

  @Test
  void requireLeaderWithLeaderIsServed() throws Exception {
    leader.set(0x1234);
    Reply reply = call(HostAndPort.create("127.0.0.1", server.actualPort()), hasLeader());
    assertEquals("0", reply.grpcStatus());
    assertEquals(frame(PAYLOAD), reply.body());
  }

  @Test
  void withoutRequireLeaderNoLeaderIsServed() throws Exception {
    Reply reply = call(HostAndPort.create("127.0.0.1", server.actualPort()), MultiMap.caseInsensitiveMultiMap());
    assertEquals("0", reply.grpcStatus());
    assertEquals(1, served.get());
  }

  private static MultiMap hasLeader() {
    return MultiMap.caseInsensitiveMultiMap().add("hasleader", "true");
  }

  private static String normalized(String authority) {
    Http2Headers headers = new DefaultHttp2Headers().authority(authority);
    AuthorityNormalizer.normalize(headers);
    return headers.authority() == null ? null : headers.authority().toString();
  }

  /** One unary call to /test.Echo/Call with the given :authority and metadata. */
  private Reply call(HostAndPort authority, MultiMap metadata) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setHost("127.0.0.1").setPort(server.actualPort()).setURI("/test.Echo/Call")
        .putHeader("content-type", "application/grpc").putHeader("te", "trailers");
    return await(client.request(options).compose(req -> {
      req.authority(authority).headers().addAll(metadata);
      return req.send(frame(PAYLOAD)).compose(resp -> resp.body().map(body -> {
        MultiMap all = MultiMap.caseInsensitiveMultiMap().addAll(resp.headers()).addAll(resp.trailers());
        return new Reply(resp.statusCode(), all, body);
      }));
    }));
  }

  private static Buffer frame(Buffer message) {
    return Buffer.buffer().appendByte((byte) 0).appendInt(message.length()).appendBuffer(message);
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
