package io.vetch.server.http;

import io.vetch.api.etcdserverpb.Request;
import io.vetch.server.apply.V2Applier;
import io.vetch.server.base.EtcdErrors;
import io.vetch.server.base.MemberStatus;
import io.vetch.server.grpc.BusClient;
import io.vetch.v2.V2Error;
import io.vetch.v2.V2Event;
import io.vetch.v2.V2Store;
import io.vetch.v2.V2Watcher;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * etcd's v2 keysHandler ({@code /v2/keys}): the request parsed as etcd does ({@link V2KeyRequests}), then as etcd's
 * server.Do: PUT, POST, DELETE and GET with quorum=true (QGET) are proposed through Raft and answered once applied
 * here; a plain GET or HEAD reads this member's v2 store; GET with wait=true watches it ({@code stream=true}: every
 * event, else the first) without holding the event loop: the store calls back on the storage worker and the event
 * is written from this request's context; the watcher is removed when the client goes away. Answers as etcd's
 * writeKeyEvent and writeKeyError: the event's JSON, 201 for a created key, X-Etcd-Index, X-Raft-Index (the commit index) and X-Raft-Term; an error's JSON with its status and
 * X-Etcd-Index; a failed proposal as etcd's 300 "Raft Internal Error" with the cause.
 */
final class V2Keys {
  private static final System.Logger LOG = System.getLogger(V2Keys.class.getName());
  private final V2Store store;
  private final BusClient bus;
  private final MemberStatus status;
  private final String clusterId;

  V2Keys(V2Store store, BusClient bus, MemberStatus status, long clusterId) {
    this.store = store;
    this.bus = bus;
    this.status = status;
    this.clusterId = Long.toHexString(clusterId);
  }

  void handle(HttpServerRequest req, String path) {
    if (!V2Api.allowMethod(req, "HEAD", "GET", "PUT", "POST", "DELETE")) {
      return;
    }
    req.response().putHeader("X-Etcd-Cluster-ID", clusterId);
    String method = req.method().name();
    if (method.equals("POST") || method.equals("PUT")) {
      readForm(req).onSuccess(body -> serve(req, path, body));
    } else {
      serve(req, path, null);
    }
  }

  /** The body, up to Go's form limit (past it: what was read is dropped and {@link #TOO_LARGE} is given). */
  private static Future<Buffer> readForm(HttpServerRequest req) {
    io.vertx.core.Promise<Buffer> done = io.vertx.core.Promise.promise();
    Buffer acc = Buffer.buffer();
    boolean[] tooLarge = {false};
    req.handler(chunk -> {
      if (!tooLarge[0]) {
        if (acc.length() + chunk.length() > GoForm.MAX_FORM_BYTES) {
          tooLarge[0] = true;
        } else {
          acc.appendBuffer(chunk);
        }
      }
    });
    req.exceptionHandler(e -> done.tryFail(e));
    req.endHandler(v -> done.tryComplete(tooLarge[0] ? TOO_LARGE : acc));
    return done.future();
  }

  /** Marks a body past Go's form limit. */
  private static final Buffer TOO_LARGE = Buffer.buffer(new byte[0]);

  private void serve(HttpServerRequest req, String path, Buffer body) {
    String method = req.method().name();
    GoForm form = GoForm.parse(method, req.getHeader("content-type"), body == null ? null : body.getBytes(),
        body == TOO_LARGE, req.query());
    V2KeyRequests.Parsed parsed;
    try {
      java.time.Instant now = java.time.Instant.now();
      parsed = V2KeyRequests.parse(method, path, form, now.getEpochSecond() * 1_000_000_000L + now.getNano());
    } catch (V2Error e) {
      writeError(req.response(), e);
      return;
    }
    Request r = parsed.request();
    if (r.getMethod().equals("GET") && r.getQuorum()) {
      r = r.toBuilder().setMethod("QGET").build();
    }
    switch (r.getMethod()) {
      case "POST", "PUT", "DELETE", "QGET" -> bus.proposeV2(r).onComplete(ar -> {
        if (ar.failed()) {
          writeError(req.response(), new V2Error(V2Error.RAFT_INTERNAL, EtcdErrors.describe(ar.cause()), 0));
          return;
        }
        V2Applier.Answer a = (V2Applier.Answer) ar.result();
        if (a.error() != null) {
          writeError(req.response(), a.error());
        } else {
          writeEvent(req.response(), a.event(), parsed.noValueOnSuccess());
        }
      });
      case "GET" -> {
        if (r.getWait()) {
          watch(req, r);
          return;
        }
        get(req, r, parsed.noValueOnSuccess());
      }
      default -> get(req, r, parsed.noValueOnSuccess()); // HEAD: Vert.x sends the headers only
    }
  }

  private void get(HttpServerRequest req, Request r, boolean noValueOnSuccess) {
    try {
      writeEvent(req.response(), store.get(r.getPath(), r.getRecursive(), r.getSorted()), noValueOnSuccess);
    } catch (V2Error e) {
      writeError(req.response(), e);
    }
  }

  /** etcd's handleKeyWatch: headers at once, then the first event (or, streaming, each one) as it comes. */
  private void watch(HttpServerRequest req, Request r) {
    HttpServerResponse resp = req.response();
    Context ctx = io.vertx.core.Vertx.currentContext();
    V2Watcher watcher;
    try {
      watcher = store.watch(r.getPath(), r.getRecursive(), r.getStream(), r.getSince());
    } catch (V2Error e) {
      writeError(resp, e);
      return;
    }
    boolean[] ended = {false};
    resp.putHeader("content-type", "application/json")
        .putHeader("X-Etcd-Index", Long.toUnsignedString(watcher.startIndex()))
        .putHeader("X-Raft-Index", Long.toUnsignedString(status.commitIndex()))
        .putHeader("X-Raft-Term", Long.toUnsignedString(status.term()))
        .setChunked(true);
    resp.writeHead();
    Runnable gone = () -> {
      if (!ended[0]) {
        ended[0] = true;
        watcher.remove();
      }
    };
    resp.closeHandler(v -> gone.run());
    resp.exceptionHandler(e -> gone.run());
    // Called on the storage worker (or here, for an event from the history): passed on to this request's context.
    watcher.onEvent(ev -> ctx.runOnContext(v -> {
      if (ended[0]) {
        return;
      }
      resp.write(ev.toJson() + "\n");
      if (!r.getStream()) {
        ended[0] = true;
        watcher.remove();
        resp.end();
      }
    }));
  }

  /** etcd's writeKeyEvent. */
  private void writeEvent(HttpServerResponse resp, V2Event ev, boolean noValueOnSuccess) {
    resp.putHeader("content-type", "application/json")
        .putHeader("X-Etcd-Index", Long.toUnsignedString(ev.etcdIndex()))
        .putHeader("X-Raft-Index", Long.toUnsignedString(status.commitIndex()))
        .putHeader("X-Raft-Term", Long.toUnsignedString(status.term()));
    if (ev.isCreated()) {
      resp.setStatusCode(201);
    }
    resp.end((noValueOnSuccess ? ev.toJsonNoValue() : ev.toJson()) + "\n");
  }

  /** etcd's writeKeyError: X-Etcd-Index, the status, the JSON and a newline. */
  static void writeError(HttpServerResponse resp, V2Error e) {
    if (e.code() == V2Error.RAFT_INTERNAL) {
      LOG.log(System.Logger.Level.WARNING, "v2 request failed: {0}", e.cause());
    }
    resp.putHeader("X-Etcd-Index", Long.toUnsignedString(e.index())).putHeader("content-type", "application/json")
        .setStatusCode(e.status()).end(e.toJson() + "\n");
  }
}
