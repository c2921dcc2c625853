package io.vetch.server.grpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.vetch.api.etcdserverpb.CompactionRequest;
import io.vetch.api.etcdserverpb.DeleteRangeRequest;
import io.vetch.api.etcdserverpb.PutRequest;
import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.api.etcdserverpb.TxnRequest;
import io.vetch.server.wire.GrpcFraming;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * etcd's KV service (Range, Put, DeleteRange, Txn, Compact) served straight on its HTTP/2 streams, framing by
 * {@link GrpcFraming}, rather than through the generic gRPC server and its per-call machinery (about 4% of a
 * member's CPU per unary call in a profile); Range's reply goes out in the chunks {@link StoredRangeReply} makes.
 * Only protobuf-encoded calls over HTTP/2: gRPC-Web, JSON and HTTP/1 requests go to the generic server. As there,
 * the grpc-timeout header is not enforced and a call the client resets after sending it still completes,
 * unanswered. A malformed request gets grpc-go's status code. Runs on the connection's event loop.
 */
final class KvHandler {
  /** How a method's request is read and served: its reply framed, in chunks. */
  private record Call<Q>(Parser<Q> parser, Function<Q, Future<List<Buffer>>> serve) {}

  private static final System.Logger LOG = System.getLogger(KvHandler.class.getName());

  private final Map<String, Call<?>> calls;
  private final int maxRequestBytes;

  /** maxRequestBytes bounds the request message. */
  KvHandler(KvServer kv, int maxRequestBytes) {
    this.maxRequestBytes = maxRequestBytes;
    this.calls = Map.of(
        "/etcdserverpb.KV/Range", new Call<>(RangeRequest.parser(), kv::rangeFramed),
        "/etcdserverpb.KV/Put", unary(PutRequest.parser(), kv::put),
        "/etcdserverpb.KV/DeleteRange", unary(DeleteRangeRequest.parser(), kv::deleteRange),
        "/etcdserverpb.KV/Txn", unary(TxnRequest.parser(), kv::txn),
        "/etcdserverpb.KV/Compact", unary(CompactionRequest.parser(), kv::compact));
  }

  private static <Q> Call<Q> unary(Parser<Q> parser, Function<Q, Future<? extends MessageLite>> method) {
    return new Call<>(parser, q -> method.apply(q).map(resp -> List.of(GrpcFraming.append(Buffer.buffer(), resp))));
  }

  /** Serves req if it is a protobuf-encoded KV call over HTTP/2, else hands it to next. */
  Handler<HttpServerRequest> before(Handler<HttpServerRequest> next) {
    return req -> {
      Call<?> call = calls.get(req.path());
      if (call != null && req.version() == HttpVersion.HTTP_2
          && GrpcFraming.isProtobuf(req.getHeader("content-type"))) {
        serve(req, call);
      } else {
        next.handle(req);
      }
    };
  }

  private <Q> void serve(HttpServerRequest req, Call<Q> call) {
    HttpServerResponse out = req.response();
    Buffer[] message = {null};
    StatusException[] bad = {null};
    req.handler(GrpcFraming.parser(maxRequestBytes, m -> {
      if (message[0] != null && bad[0] == null) {
        bad[0] = new StatusException(GrpcStatus.INTERNAL, "grpc: too many request messages for a unary call");
      }
      message[0] = m;
    }, reason -> bad[0] = new StatusException(GrpcFraming.COMPRESSED.equals(reason) ? GrpcStatus.UNIMPLEMENTED
        : GrpcStatus.RESOURCE_EXHAUSTED, reason)));
    req.exceptionHandler(e -> { }); // the client went away (stream reset): there is no one to answer
    req.endHandler(v -> {
      if (bad[0] == null && message[0] == null) {
        bad[0] = new StatusException(GrpcStatus.INTERNAL, "grpc: no request message for a unary call");
      }
      if (bad[0] != null) {
        fail(req, bad[0]);
        return;
      }
      Q q;
      try {
        q = call.parser.parseFrom(message[0].getBytes());
      } catch (InvalidProtocolBufferException e) {
        fail(req, new StatusException(GrpcStatus.INTERNAL, "grpc: error unmarshalling request: " + e.getMessage()));
        return;
      }
      Future<List<Buffer>> reply;
      try {
        reply = call.serve.apply(q);
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onComplete((chunks, err) -> {
        if (err != null) {
          fail(req, err);
        } else {
          send(out, chunks);
        }
      });
    });
  }

  private static void send(HttpServerResponse out, List<Buffer> chunks) {
    if (out.ended() || out.closed()) {
      return;
    }
    out.putHeader("content-type", "application/grpc");
    for (Buffer chunk : chunks) {
      out.write(chunk);
    }
    GrpcFraming.finish(out, true, GrpcStatus.OK.code, null);
  }

  private static void fail(HttpServerRequest req, Throwable err) {
    if (err instanceof StatusException e) {
      GrpcFraming.finish(req.response(), false, e.status().code, e.message());
    } else {
      LOG.log(System.Logger.Level.WARNING, req.path().substring(1) + " failed: " + err, err);
      GrpcFraming.finish(req.response(), false, GrpcStatus.UNKNOWN.code, String.valueOf(err.getMessage()));
    }
  }
}
