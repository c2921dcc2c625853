package io.vetch.server.grpc;

import com.google.protobuf.Descriptors.MethodDescriptor;
import io.vetch.server.metrics.GrpcMethodMetrics;
import io.vetch.server.metrics.ServerMetrics;
import io.vetch.server.wire.GrpcFraming;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gRPC methods a member serves, counted as go-grpc-prometheus counts them for etcd: every method of the services
 * etcd registers its metrics for (KV, Watch, Lease, Cluster, Auth, Maintenance, Health) has its series at 0 from the
 * start; Lock and Election, which etcd adds to its server after that, from their first call. A call counts as
 * started and, when its response ends, handled with its status; a unary call or server stream counts its request
 * message here, a unary call its reply (when OK); stream services count their own messages through
 * {@link GrpcMethodMetrics#current()}. A path that names no served method is answered here, as grpc-go answers it:
 * UNIMPLEMENTED "unknown service S" or "unknown method M for service S", and counted nowhere.
 * One instance per client verticle, used on its event loop only.
 */
final class GrpcCallMetrics implements Handler<HttpServerRequest> {
  private record Method(String type, String service, String name) {}

  private final ServerMetrics metrics;
  private final Handler<HttpServerRequest> next;
  private final Map<String, Method> methods = new HashMap<>();
  private final Set<String> services = new HashSet<>();
  private final Map<String, GrpcMethodMetrics> counters = new HashMap<>();

  /** registered: counted from the start; onFirstCall: served, counted once called. */
  GrpcCallMetrics(ServerMetrics metrics, List<MethodDescriptor> registered, List<MethodDescriptor> onFirstCall,
      Handler<HttpServerRequest> next) {
    this.metrics = metrics;
    this.next = next;
    for (MethodDescriptor m : registered) {
      String path = add(m);
      counters.put(path, counters(methods.get(path)));
    }
    onFirstCall.forEach(this::add);
  }

  private String add(MethodDescriptor m) {
    String service = m.getService().getFullName();
    String type = m.isClientStreaming()
        ? (m.isServerStreaming() ? "bidi_stream" : "client_stream")
        : (m.isServerStreaming() ? "server_stream" : "unary");
    String path = "/" + service + "/" + m.getName();
    methods.put(path, new Method(type, service, m.getName()));
    services.add(service);
    return path;
  }

  private GrpcMethodMetrics counters(Method m) {
    return metrics.grpcMethod(m.type, m.service, m.name);
  }

  /** The counters of the served method at path (a call taken beneath this handler, by {@link KvStreams}). */
  GrpcMethodMetrics counters(String path) {
    GrpcMethodMetrics c = counters.get(path); // no capturing lambda per call: see KvStreams.Serving
    if (c == null) {
      c = counters(methods.get(path));
      counters.put(path, c);
    }
    return c;
  }

  @Override
  public void handle(HttpServerRequest req) {
    String path = req.path();
    Method method = methods.get(path);
    if (method == null) {
      unknown(req, path);
      return;
    }
    GrpcMethodMetrics m = counters.computeIfAbsent(path, p -> counters(method));
    m.started();
    boolean unary = method.type.equals("unary");
    if (unary || method.type.equals("server_stream")) {
      m.received();
    }
    HttpServerResponse resp = req.response();
    resp.endHandler(v -> {
      int code = code(resp);
      m.handled(code);
      if (unary && code == 0) {
        m.sent(1);
      }
    });
    if (!unary) {
      m.bindToCall(); // stream services count their own messages; unary calls need no lookup
    }
    next.handle(req);
  }

  private void unknown(HttpServerRequest req, String path) {
    int slash = path.lastIndexOf('/');
    String service = slash > 0 ? path.substring(1, slash) : path;
    String message = services.contains(service)
        ? "unknown method " + path.substring(slash + 1) + " for service " + service
        : "unknown service " + service;
    GrpcFraming.finish(req.response(), false, 12, message); // UNIMPLEMENTED
  }

  private static int code(HttpServerResponse resp) {
    String s = resp.trailers().get("grpc-status");
    if (s == null) {
      s = resp.headers().get("grpc-status");
    }
    try {
      return s == null ? 2 : Integer.parseInt(s); // a stream reset before its status: Unknown
    } catch (NumberFormatException e) {
      return 2;
    }
  }
}
