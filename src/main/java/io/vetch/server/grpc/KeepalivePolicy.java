package io.vetch.server.grpc;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;

/**
 * gRPC keepalive on one client connection, as etcd configures grpc-go's server:
 * <ul>
 *   <li>enforcement (--grpc-keepalive-min-time): a client ping sooner than the minimum time after the previous one
 *       is a strike; after more than two, the connection is sent GOAWAY ENHANCE_YOUR_CALM "too_many_pings" and
 *       closed;</li>
 *   <li>liveness (--grpc-keepalive-interval, --grpc-keepalive-timeout): the server pings every interval and closes
 *       a connection whose ping is not acknowledged within the timeout.</li>
 * </ul>
 * Event loop; never blocks.
 */
final class KeepalivePolicy {
  /** HTTP/2 error code ENHANCE_YOUR_CALM. */
  private static final long ENHANCE_YOUR_CALM = 0xb;
  private static final int MAX_STRIKES = 2;

  private final long minTimeMs;
  private final long intervalMs;
  private final long timeoutMs;

  KeepalivePolicy(long minTimeMs, long intervalMs, long timeoutMs) {
    this.minTimeMs = minTimeMs;
    this.intervalMs = intervalMs;
    this.timeoutMs = timeoutMs;
  }

  /** Applies to HTTP/2 connections (gRPC); plain HTTP/1.1 ones (curl /health) have no pings and are left alone. */
  void install(Vertx vertx, HttpConnection conn) {
    long[] lastPing = {0};
    int[] strikes = {0};
    try {
      conn.pingHandler(data -> {
        long now = System.nanoTime();
        if (lastPing[0] != 0 && now - lastPing[0] < minTimeMs * 1_000_000L && ++strikes[0] > MAX_STRIKES) {
          conn.goAway(ENHANCE_YOUR_CALM, -1, Buffer.buffer("too_many_pings"));
          conn.close();
        }
        lastPing[0] = now;
      });
    } catch (UnsupportedOperationException http1) {
      return;
    }
    if (intervalMs > 0) {
      long timer = vertx.setPeriodic(intervalMs, t -> {
        long deadline = vertx.setTimer(timeoutMs, x -> conn.close()); // no acknowledgement in time: dead peer
        conn.ping(Buffer.buffer(new byte[8])).onComplete(ar -> vertx.cancelTimer(deadline));
      });
      conn.closeHandler(v -> vertx.cancelTimer(timer));
    }
  }
}
