package io.vetch.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.vetch.api.etcdserverpb.LeaseGrantRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.PutResponse;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.RangeResponse;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A client for the storage-fault tests: gRPC calls made by hand (so the test sees grpc-status and grpc-message
 * exactly as a client gets them), the HTTP endpoints, and the record of acknowledged writes to check afterwards.
 */
final class FaultClient implements AutoCloseable {
  /** grpc-status ("0" for OK), grpc-message (decoded), and the response message bytes. */
  record Reply(String status, String message, byte[] body, long millis) {
    boolean ok() {
      return "0".equals(status);
    }
  }

  private final HttpClient grpc;
  private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  /** Every acknowledged put: key -> value. */
  final Map<String, String> acked = new ConcurrentHashMap<>();

  FaultClient(Vertx vertx) {
    grpc = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false));
  }

  Reply call(int port, String path, byte[] request) throws Exception {
    long t0 = System.nanoTime();
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI(path).putHeader("content-type", "application/grpc").putHeader("te", "trailers");
    Buffer framed = Buffer.buffer().appendByte((byte) 0).appendInt(request.length).appendBytes(request);
    Future<Reply> f = grpc.request(o).compose(req -> req.send(framed).compose(resp -> resp.body().map(b -> {
      MultiMap all = MultiMap.caseInsensitiveMultiMap().addAll(resp.headers()).addAll(resp.trailers());
      String msg = all.get("grpc-message");
      byte[] body = b.length() >= 5 ? b.getBytes(5, b.length()) : new byte[0];
      return new Reply(all.get("grpc-status"), msg == null ? null : URLDecoder.decode(msg, StandardCharsets.UTF_8),
          body, (System.nanoTime() - t0) / 1_000_000);
    })));
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Puts key=value; an acknowledged put is recorded in {@link #acked}. */
  Reply put(int port, String key, String value) throws Exception {
    Reply r = call(port, "/etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).build().toByteArray());
    if (r.ok()) {
      acked.put(key, value);
    }
    return r;
  }

  Reply put(int port, String key, byte[] value) throws Exception {
    Reply r = call(port, "/etcdserverpb.KV/Put", PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFrom(value)).build().toByteArray());
    if (r.ok()) {
      acked.put(key, "#" + value.length);
    }
    return r;
  }

  Reply leaseGrant(int port, long ttl) throws Exception {
    return call(port, "/etcdserverpb.Lease/LeaseGrant", LeaseGrantRequest.newBuilder().setTTL(ttl).build()
        .toByteArray());
  }

  Reply range(int port, String key, boolean serializable) throws Exception {
    return call(port, "/etcdserverpb.KV/Range", RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setSerializable(serializable).build().toByteArray());
  }

  /** Every acknowledged put is there, with its value (a serializable read of member's own store). */
  int checkAcked(int port) throws Exception {
    for (var e : acked.entrySet()) {
      Reply r = range(port, e.getKey(), true);
      if (!r.ok()) {
        throw new AssertionError("reading " + e.getKey() + ": " + r.status() + " " + r.message());
      }
      RangeResponse rr = parseRange(r);
      if (rr.getKvsCount() != 1) {
        throw new AssertionError("acknowledged key " + e.getKey() + " lost");
      }
      String v = e.getValue().startsWith("#") ? "#" + rr.getKvs(0).getValue().size()
          : rr.getKvs(0).getValue().toStringUtf8();
      if (!v.equals(e.getValue())) {
        throw new AssertionError("acknowledged key " + e.getKey() + " has " + v + ", not " + e.getValue());
      }
    }
    return acked.size();
  }

  static RangeResponse parseRange(Reply r) throws InvalidProtocolBufferException {
    return RangeResponse.parseFrom(r.body());
  }

  static PutResponse parsePut(Reply r) throws InvalidProtocolBufferException {
    return PutResponse.parseFrom(r.body());
  }

  /** An HTTP response: status and body. */
  record Http(int status, String body) {}

  Http get(int port, String path) throws Exception {
    var resp = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    return new Http(resp.statusCode(), resp.body());
  }

  Http post(int port, String path, String json) throws Exception {
    var resp = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    return new Http(resp.statusCode(), resp.body());
  }

  @Override
  public void close() {
    grpc.close();
  }
}
