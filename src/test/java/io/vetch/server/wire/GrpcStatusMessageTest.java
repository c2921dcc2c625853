package io.vetch.server.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vetch.api.etcdserverpb.LeaseGrpcService;
import io.vetch.api.etcdserverpb.LeaseRevokeRequest;
import io.vetch.api.etcdserverpb.LeaseRevokeResponse;
import io.vetch.api.etcdserverpb.LeaseService;
import io.vetch.api.etcdserverpb.ResponseHeader;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.StatusException;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The grpc-message header as it goes on the wire, read raw with an HTTP/2 client (no gRPC library decoding it): the
 * gRPC spec percent-encodes only bytes outside 0x20-0x7E and '%' itself, so ':' and ' ' go as they are. Covers both
 * ways vetch ends a call: vertx-grpc failing a call with a StatusException (with
 * {@link GrpcFraming#respecStatusMessage} in front of it, as server/grpc/ClientVerticle installs it; without it,
 * vertx-grpc's URLEncoder output, the bug of issue 21) and our own framing's {@link GrpcFraming#finish}, both
 * trailers-only and in the trailers after a message.
 */
@ExtendWith(VertxExtension.class)
class GrpcStatusMessageTest {
  /** ':', spaces, '%' and non-ASCII. */
  private static final String MESSAGE = "a: b % c \u00e9";
  private static final String ON_WIRE = "a: b %25 c %C3%A9";
  /** What vertx-grpc's URLEncoder makes of '+', '*', '~' and a control byte, none of which the spec escapes but the last. */
  private static final String OTHERS = "1+1=2 *~\t";
  private static final String OTHERS_ON_WIRE = "1+1=2 *~%09";
  /** A request header: serve the call through vertx-grpc without respecStatusMessage (the old behaviour). */
  private static final String BARE = "x-bare-vertx-grpc";

  private int port;
  private HttpClient client;

  /** A raw reply: HTTP status, headers, trailers and the body's bytes. */
  private record Raw(int http, MultiMap headers, MultiMap trailers, Buffer body) {}

  /** The message of case "1" or "2". */
  private static String message(String which) {
    return "1".equals(which) ? MESSAGE : OTHERS;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.addService(LeaseGrpcService.of(new LeaseService() {
      @Override
      public Future<LeaseRevokeResponse> leaseRevoke(LeaseRevokeRequest request) {
        return Future.failedFuture(new StatusException(GrpcStatus.NOT_FOUND, message(Long.toString(request.getID()))));
      }
    }));
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(req -> {
          HttpServerResponse out = req.response();
          switch (req.path()) {
            case "/test/finish-trailers-only" -> req.end().onSuccess(v ->
                GrpcFraming.finish(out, false, GrpcStatus.NOT_FOUND.code, message(req.getHeader("x-case"))));
            case "/test/finish-after-message" -> req.end().onSuccess(v -> {
              out.putHeader("content-type", "application/grpc");
              out.write(FrameBuffer.framed(LeaseRevokeResponse.newBuilder()
                  .setHeader(ResponseHeader.newBuilder().setRevision(7)).build()));
              GrpcFraming.finish(out, true, GrpcStatus.NOT_FOUND.code, message(req.getHeader("x-case")));
            });
            default -> {
              if (req.getHeader(BARE) == null) {
                GrpcFraming.respecStatusMessage(out); // as ClientVerticle does, in front of vertx-grpc
              }
              grpc.handle(req);
            }
          }
        });
    port = await(server.listen()).actualPort();
    client = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  private Raw call(String path, Buffer body, String... headers) throws Exception {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(path).putHeader("content-type", "application/grpc").putHeader("te", "trailers");
    for (int i = 0; i < headers.length; i += 2) {
      o.putHeader(headers[i], headers[i + 1]);
    }
    return await(client.request(o).compose(req -> req.send(body).compose(resp -> resp.body().map(b ->
        new Raw(resp.statusCode(), resp.headers(), resp.trailers(), b)))));
  }

  private Raw revoke(long id, String... headers) throws Exception {
    byte[] m = LeaseRevokeRequest.newBuilder().setID(id).build().toByteArray();
    return call("/etcdserverpb.Lease/LeaseRevoke",
        Buffer.buffer().appendByte((byte) 0).appendInt(m.length).appendBytes(m), headers);
  }

  /** A unary call failed through vertx-grpc is trailers-only: the status and message come in the headers. */
  private static void assertTrailersOnly(Raw r, String message) {
    assertEquals(200, r.http());
    assertEquals("5", r.headers().get("grpc-status"));
    assertEquals(message, r.headers().get("grpc-message"));
    assertNull(r.trailers().get("grpc-message"));
    assertEquals(0, r.body().length());
  }

  @Test
  void vertxGrpcFailureCarriesTheMessageAsTheSpecEncodesIt() throws Exception {
    assertTrailersOnly(revoke(1), ON_WIRE);
    assertTrailersOnly(revoke(2), OTHERS_ON_WIRE);
  }

  @Test
  void withoutRespecVertxGrpcUrlEncodesTheMessage() throws Exception {
    // The old behaviour, which grpc-js shows as it is ("etcdserver%3A requested lease not found"): proves this raw
    // read sees the header as sent, undecoded.
    assertTrailersOnly(revoke(1, BARE, "1"), "a%3A%20b%20%25%20c%20%C3%A9");
    assertTrailersOnly(revoke(2, BARE, "1"), "1%2B1%3D2%20%2A%7E%09");
  }

  @Test
  void finishTrailersOnlyCarriesTheMessageAsTheSpecEncodesIt() throws Exception {
    for (String[] c : new String[][] {{"1", ON_WIRE}, {"2", OTHERS_ON_WIRE}}) {
      Raw r = call("/test/finish-trailers-only", Buffer.buffer(), "x-case", c[0]);
      assertTrailersOnly(r, c[1]);
      assertEquals("application/grpc", r.headers().get("content-type"));
    }
  }

  @Test
  void finishAfterAMessagePutsTheMessageInTheTrailersAsTheSpecEncodesIt() throws Exception {
    for (String[] c : new String[][] {{"1", ON_WIRE}, {"2", OTHERS_ON_WIRE}}) {
      Raw r = call("/test/finish-after-message", Buffer.buffer(), "x-case", c[0]);
      assertEquals(200, r.http());
      assertNull(r.headers().get("grpc-status"));
      assertNull(r.headers().get("grpc-message"));
      assertEquals("5", r.trailers().get("grpc-status"));
      assertEquals(c[1], r.trailers().get("grpc-message"));
      assertEquals(GrpcFraming.PREFIX + r.body().getInt(1), r.body().length()); // one message
    }
  }
}
