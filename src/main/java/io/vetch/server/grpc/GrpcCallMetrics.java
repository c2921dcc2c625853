package io.vetch.server.grpc;

import io.vetch.server.metrics.ServerMetrics;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * Counts gRPC calls as go-grpc-prometheus does for etcd (grpc_server_started_total and grpc_server_handled_total
 * with grpc_type, grpc_service, grpc_method and grpc_code), then hands the request on.
 */
final class GrpcCallMetrics implements Handler<HttpServerRequest> {
  /** Status names by code, as Go's codes.Code.String(). */
  private static final String[] CODES = {"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded",
      "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted",
      "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"};

  private final ServerMetrics metrics;
  private final Handler<HttpServerRequest> next;

  GrpcCallMetrics(ServerMetrics metrics, Handler<HttpServerRequest> next) {
    this.metrics = metrics;
    this.next = next;
  }

  @Override
  public void handle(HttpServerRequest req) {
    String path = req.path();
    int slash = path.lastIndexOf('/');
    if (slash <= 0) {
      next.handle(req);
      return;
    }
    String service = path.substring(1, slash);
    String method = path.substring(slash + 1);
    String type = type(service, method);
    metrics.grpcStarted(type, service, method);
    HttpServerResponse resp = req.response();
    resp.endHandler(v -> metrics.grpcHandled(type, service, method, code(resp)));
    next.handle(req);
  }

  private static String type(String service, String method) {
    if (method.equals("Watch") || method.equals("LeaseKeepAlive")) {
      return "bidi_stream";
    }
    if (method.equals("Snapshot") || method.equals("Observe")) {
      return "server_stream";
    }
    return "unary";
  }

  private static String code(HttpServerResponse resp) {
    String s = resp.trailers().get("grpc-status");
    if (s == null) {
      s = resp.headers().get("grpc-status");
    }
    try {
      int c = s == null ? 0 : Integer.parseInt(s);
      return c >= 0 && c < CODES.length ? CODES[c] : s;
    } catch (NumberFormatException e) {
      return "Unknown";
    }
  }
}
