package io.vetch.server.grpc;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;

/**
 * gRPC keepalive on one client connection, as etcd configures grpc-go's server:
 * <ul>
 *   <li>enforcement (--grpc-keepalive-min-time): a ping on an idle connection (no open stream, no request since
 *       the previous ping) sooner than the minimum time after the previous one is a strike; after more than two,
 *       the connection is sent GOAWAY ENHANCE_YOUR_CALM "too_many_pings" and closed. grpc-go clients also ping to
 *       probe bandwidth while data flows; grpc-go's server forgives those once it has sent something, and this
 *       one forgives pings while streams are open or after a request;</li>
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

  /**
   * Applies to HTTP/2 connections (gRPC); plain HTTP/1.1 ones (curl /health) have no pings and are left alone.
   * The caller tells the returned state of each request on the connection (as grpc-go's server forgives pings once
   * it has sent something, a request, which it answers, clears the strikes) and of its close.
   */
  State install(Vertx vertx, HttpConnection conn) {
    long[] lastPing = {0};
    int[] strikes = {0};
    io.netty.handler.codec.http2.Http2Connection h2 = conn instanceof io.vertx.core.net.impl.ConnectionBase base
        && base.channel().pipeline().get(io.netty.handler.codec.http2.Http2ConnectionHandler.class) != null
        ? base.channel().pipeline().get(io.netty.handler.codec.http2.Http2ConnectionHandler.class).connection() : null;
    try {
      conn.pingHandler(data -> {
        long now = System.nanoTime();
        // Only pings on an idle connection count: while streams are open, grpc-go clients also ping to measure
        // bandwidth (BDP) as data flows, which grpc-go's own server forgives because it is sending.
        boolean idle = h2 == null || h2.numActiveStreams() == 0;
        if (idle && lastPing[0] != 0 && now - lastPing[0] < minTimeMs * 1_000_000L && ++strikes[0] > MAX_STRIKES) {
          conn.goAway(ENHANCE_YOUR_CALM, -1, Buffer.buffer("too_many_pings"));
          conn.close();
        }
        lastPing[0] = now;
      });
    } catch (UnsupportedOperationException http1) {
      return new State(() -> { }, () -> { });
    }
    long timer = intervalMs <= 0 ? -1 : vertx.setPeriodic(intervalMs, t -> {
      long deadline = vertx.setTimer(timeoutMs, x -> conn.close()); // no acknowledgement in time: dead peer
      conn.ping(Buffer.buffer(new byte[8])).onComplete(ar -> vertx.cancelTimer(deadline));
    });
    return new State(() -> {
      strikes[0] = 0;
      lastPing[0] = 0;
    }, () -> vertx.cancelTimer(timer));
  }

  /** One connection's hooks: run onRequest for each request on it, onClose once it is closed. */
  record State(Runnable onRequest, Runnable onClose) {}
}
