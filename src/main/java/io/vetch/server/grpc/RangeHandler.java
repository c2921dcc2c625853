package io.vetch.server.grpc;

import io.vetch.api.etcdserverpb.RangeRequest;
import io.vetch.server.wire.GrpcFraming;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.List;

/**
 * KV.Range served straight on its HTTP/2 stream, framing by {@link GrpcFraming}, rather than through the generic
 * gRPC server: the reply's chunks ({@link StoredRangeReply}) are written as they are instead of being joined into
 * one array and copied once more behind the frame header. gRPC-Web and JSON-encoded calls still go to the generic
 * server. Runs on the connection's event loop.
 */
final class RangeHandler {
  /** The method's path. */
  static final String PATH = "/etcdserverpb.KV/Range";
  private static final System.Logger LOG = System.getLogger(RangeHandler.class.getName());

  private final KvServer kv;
  private final int maxRequestBytes;

  /** maxRequestBytes bounds the request message. */
  RangeHandler(KvServer kv, int maxRequestBytes) {
    this.kv = kv;
    this.maxRequestBytes = maxRequestBytes;
  }

  /** Serves req if it is a protobuf-encoded Range call, else hands it to next. */
  Handler<HttpServerRequest> before(Handler<HttpServerRequest> next) {
    return req -> {
      if (PATH.equals(req.path()) && GrpcFraming.isProtobuf(req.getHeader("content-type"))) {
        serve(req);
      } else {
        next.handle(req);
      }
    };
  }

  private void serve(HttpServerRequest req) {
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
        fail(out, bad[0]);
        return;
      }
      RangeRequest r;
      try {
        r = RangeRequest.parseFrom(message[0].getBytes());
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        fail(out, new StatusException(GrpcStatus.INTERNAL, "grpc: error unmarshalling request: " + e.getMessage()));
        return;
      }
      kv.rangeFramed(r).onComplete((chunks, err) -> {
        if (err != null) {
          fail(out, err);
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

  private static void fail(HttpServerResponse out, Throwable err) {
    if (err instanceof StatusException e) {
      GrpcFraming.finish(out, false, e.status().code, e.message());
    } else {
      LOG.log(System.Logger.Level.WARNING, "KV.Range failed: " + err, err);
      GrpcFraming.finish(out, false, GrpcStatus.UNKNOWN.code, String.valueOf(err.getMessage()));
    }
  }
}
