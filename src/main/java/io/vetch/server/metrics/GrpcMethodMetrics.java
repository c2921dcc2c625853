package io.vetch.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.util.List;

/**
 * One gRPC method's counters, looked up once (grpc_server_started_total, grpc_server_msg_received_total,
 * grpc_server_msg_sent_total, and grpc_server_handled_total per status code). Thread-safe.
 */
public final class GrpcMethodMetrics {
  /** Status names by code, as Go's codes.Code.String() (the grpc_code label). */
  public static final List<String> CODES = List.of("OK", "Canceled", "Unknown", "InvalidArgument",
      "DeadlineExceeded", "NotFound", "AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted", "OutOfRange", "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated");

  /** Counts nothing: the calls that did not come through the gRPC server (in-process, the JSON gateway). */
  public static final GrpcMethodMetrics NONE = new GrpcMethodMetrics(null, null, null, null);
  private static final Object KEY = new Object();

  private final CounterDataPoint started;
  private final CounterDataPoint received;
  private final CounterDataPoint sent;
  private final CounterDataPoint[] handled;

  GrpcMethodMetrics(CounterDataPoint started, CounterDataPoint received, CounterDataPoint sent,
      CounterDataPoint[] handled) {
    this.started = started;
    this.received = received;
    this.sent = sent;
    this.handled = handled;
  }

  /** Binds these counters to the current call (its duplicated context), for {@link #current()}. Event loop. */
  public void bindToCall() {
    if (io.vertx.core.Vertx.currentContext() instanceof io.vertx.core.internal.ContextInternal c && c.isDuplicate()) {
      c.localContextData().put(KEY, this);
    }
  }

  /** The counters of the gRPC stream being served on this context; {@link #NONE} outside one (unary calls too). */
  public static GrpcMethodMetrics current() {
    if (io.vertx.core.Vertx.currentContext() instanceof io.vertx.core.internal.ContextInternal c && c.isDuplicate()
        && c.localContextData().get(KEY) instanceof GrpcMethodMetrics m) {
      return m;
    }
    return NONE;
  }

  public void started() {
    if (started != null) {
      started.inc();
    }
  }

  public void received() {
    if (received != null) {
      received.inc();
    }
  }

  public void sent(int messages) {
    if (sent != null && messages > 0) {
      sent.inc(messages);
    }
  }

  /** The call ended with this gRPC status code (an unknown one counts as Unknown, as grpc-go does). */
  public void handled(int code) {
    if (handled != null) {
      handled[code >= 0 && code < handled.length ? code : 2].inc();
    }
  }
}
